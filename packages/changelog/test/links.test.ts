import { describe, expect, it } from 'vitest';
import { parseChangelog, parseRepositoryLink, ChangelogError } from '../src/index';
import { CHANGELOG_BASE as BASE, SMALL_CHANGELOG as SMALL, thrownBy } from '@oci-sd/test-support';

describe('notes of the Unreleased section', () => {
  it('gives the entries and a compare link from the latest release to HEAD', () => {
    expect(parseChangelog(SMALL).unreleasedNotes()).toEqual({
      version: 'Unreleased',
      tag: 'HEAD',
      previousTag: 'v1.1.0',
      fullChangelogUrl: `${BASE}/compare/v1.1.0...HEAD`,
      body: `## Added\n\n- a feature\n\n**Full Changelog**: ${BASE}/compare/v1.1.0...HEAD`,
      yanked: false,
      prerelease: false,
    });
    expect(
      parseChangelog(SMALL).unreleasedNotes({
        repo: 'acme/app',
        serverUrl: 'https://ghe.corp.example',
        tagPrefix: '',
      }).fullChangelogUrl,
    ).toBe('https://ghe.corp.example/acme/app/compare/1.1.0...HEAD');
  });

  it("links HEAD's commits before the first release, and refuses a file without Unreleased", () => {
    const first = parseChangelog('# Changelog\n\n## [Unreleased]\n\n- a\n').unreleasedNotes({
      repo: 'o/r',
    });
    expect(first.body).toBe('- a\n\n**Full Changelog**: https://github.com/o/r/commits/HEAD');
    expect(first.previousTag).toBeUndefined();
    expect(
      thrownBy(
        () =>
          parseChangelog('# Changelog\n\n## [1.0.0] - 2024-01-01\n- a\n').unreleasedNotes({
            repo: 'o/r',
          }),
        ChangelogError,
      ).code,
    ).toBe('NO_UNRELEASED');
  });
});

describe('compare links with query strings and other hosts', () => {
  it('reads GitLab query compares, and query strings or fragments after the refs', () => {
    expect(parseRepositoryLink('https://gitlab.com/g/p/-/compare?from=v1.0.0&to=HEAD')).toEqual({
      base: 'https://gitlab.com/g/p/-',
      style: 'gitlab-query',
      kind: 'compare',
      from: 'v1.0.0',
      to: 'HEAD',
    });
    expect(
      parseRepositoryLink('https://github.com/o/r/compare/v1.0.0...HEAD?diff=split#files'),
    ).toMatchObject({
      base: 'https://github.com/o/r',
      from: 'v1.0.0',
      to: 'HEAD',
      suffix: '?diff=split#files',
    });
    expect(parseRepositoryLink('https://gitlab.com/g/p/-/compare?to=HEAD')).toBeUndefined();
  });

  it.each([
    [
      'GitHub with a query string',
      'https://github.com/o/r/compare/v1.0.0...HEAD?w=1',
      'https://github.com/o/r/compare/v1.1.0...HEAD?w=1',
      'https://github.com/o/r/compare/v1.0.0...v1.1.0?w=1',
    ],
    [
      'GitLab query compare',
      'https://gitlab.com/g/p/-/compare?from=v1.0.0&to=HEAD&straight=true',
      'https://gitlab.com/g/p/-/compare?from=v1.1.0&to=HEAD&straight=true',
      'https://gitlab.com/g/p/-/compare?from=v1.0.0&to=v1.1.0&straight=true',
    ],
    [
      'GitHub Enterprise',
      'https://github.corp.example/team/app/compare/v1.0.0...HEAD',
      'https://github.corp.example/team/app/compare/v1.1.0...HEAD',
      'https://github.corp.example/team/app/compare/v1.0.0...v1.1.0',
    ],
  ])('promote and notes keep the form of %s', (_, unreleased, newUnreleased, newVersion) => {
    const text = `# Changelog\n\n## [Unreleased]\n\n### Added\n\n- b\n\n## [1.0.0] - 2024-01-01\n\n- a\n\n[Unreleased]: ${unreleased}\n[1.0.0]: https://example.invalid/tag/v1.0.0\n`;
    const promoted = parseChangelog(text).promote('1.1.0', { date: '2024-02-01' }).text;
    expect(promoted).toContain(`[Unreleased]: ${newUnreleased}\n[1.1.0]: ${newVersion}\n`);
    expect(parseChangelog(promoted).notes('1.1.0').fullChangelogUrl).toBe(
      newVersion.replace(/\?w=1$|&straight=true$/, ''),
    );
  });
});
