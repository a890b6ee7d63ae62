import { describe, expect, it } from 'vitest';
import { ChangelogError, parseChangelog } from '../src/index';

const file = (unreleased: string, releases = '## [1.4.0] - 2024-01-01\n- x\n') =>
  `# Changelog\n\n## [Unreleased]\n\n${unreleased}\n${releases}`;

describe('nextVersion', () => {
  it('derives the bump from the Unreleased headings', () => {
    expect(parseChangelog(file('### Fixed\n- a\n')).nextVersion()).toMatchObject({
      version: '1.4.1',
      bump: 'patch',
      from: '1.4.0',
    });
    expect(parseChangelog(file('### Security\n- a\n### Fixed\n- b\n')).nextVersion().version).toBe(
      '1.4.1',
    );
    expect(parseChangelog(file('### Fixed\n- a\n### Added\n- b\n')).nextVersion().version).toBe(
      '1.5.0',
    );
    expect(parseChangelog(file('### Changed\n- a\n')).nextVersion().version).toBe('1.5.0');
    expect(parseChangelog(file('### Deprecated\n- a\n')).nextVersion().version).toBe('1.5.0');
    expect(parseChangelog(file('### Removed\n- a\n')).nextVersion().version).toBe('2.0.0');
    expect(parseChangelog(file('### Performance\n- a\n')).nextVersion().version).toBe('1.4.1');
    expect(parseChangelog(file('- an entry without heading\n')).nextVersion().version).toBe(
      '1.4.1',
    );
  });

  it('gives major for a BREAKING marker or a breaking heading, and says where', () => {
    const next = parseChangelog(
      file('### Changed\n- **BREAKING**: config renamed\n'),
    ).nextVersion();
    expect(next).toMatchObject({ version: '2.0.0', bump: 'major' });
    expect(next.reasons).toContainEqual({
      bump: 'major',
      reason: '- **BREAKING**: config renamed',
      line: 6,
      column: 5,
    });
    expect(parseChangelog(file('### Breaking Changes\n- a\n')).nextVersion().version).toBe('2.0.0');
    // "breaking" in lower case is prose, and a marker inside a code block is an example.
    expect(
      parseChangelog(
        file('### Fixed\n- no longer breaking the build\n```\nBREAKING\n```\n'),
      ).nextVersion().version,
    ).toBe('1.4.1');
  });

  it('ignores headings without entries', () => {
    expect(parseChangelog(file('### Removed\n\n### Fixed\n- a\n')).nextVersion().version).toBe(
      '1.4.1',
    );
  });

  it('starts from 0.0.0 when nothing is released', () => {
    expect(parseChangelog(file('### Added\n- a\n', '')).nextVersion()).toEqual({
      version: '0.1.0',
      bump: 'minor',
      reasons: [{ bump: 'minor', reason: '### Added', line: 5, column: 1 }],
    });
  });

  it('is prerelease aware', () => {
    const rc = '## [2.0.0-rc.1] - 2024-02-01\n- y\n\n## [1.4.0] - 2024-01-01\n- x\n';
    // The release in progress already carries a major bump: finish it, or continue its candidates.
    expect(parseChangelog(file('### Fixed\n- a\n', rc)).nextVersion().version).toBe('2.0.0');
    expect(
      parseChangelog(file('### Removed\n- a\n', rc)).nextVersion({ preid: 'rc' }).version,
    ).toBe('2.0.0-rc.2');
    const minorRc = rc.replace('2.0.0-rc.1', '1.5.0-rc.1');
    expect(
      parseChangelog(file('### Added\n- a\n', minorRc)).nextVersion({ preid: 'rc' }).version,
    ).toBe('1.5.0-rc.2');
    // A bigger change than the release in progress moves to the next version.
    expect(parseChangelog(file('### Removed\n- a\n', minorRc)).nextVersion().version).toBe('2.0.0');
    expect(
      parseChangelog(file('### Removed\n- a\n', minorRc)).nextVersion({ preid: 'beta' }).version,
    ).toBe('2.0.0-beta.0');
    expect(parseChangelog(file('### Added\n- a\n')).nextVersion({ preid: 'rc' }).version).toBe(
      '1.5.0-rc.0',
    );
  });

  it('refuses an empty Unreleased and a bad prerelease identifier', () => {
    expect(() => parseChangelog(file('### Added\n\n')).nextVersion()).toThrow(
      expect.objectContaining({ code: 'EMPTY_UNRELEASED', line: 3 }),
    );
    expect(() => parseChangelog(file('- a\n')).nextVersion({ preid: 'r c' })).toThrow(
      ChangelogError,
    );
  });
});

describe('nextVersion below 1.0.0 and prereleases', () => {
  const zero = (unreleased: string, latest = '0.3.0') =>
    `# Changelog\n\n## [Unreleased]\n\n${unreleased}\n## [${latest}] - 2024-01-01\n- x\n`;

  it('bumps minor for a breaking change below 1.0.0, as changesets and release-please do', () => {
    expect(parseChangelog(zero('### Removed\n- a\n')).nextVersion()).toMatchObject({
      version: '0.4.0',
      bump: 'minor',
      from: '0.3.0',
    });
    expect(parseChangelog(zero('### Changed\n- BREAKING: x\n')).nextVersion().version).toBe(
      '0.4.0',
    );
    expect(parseChangelog(zero('### Added\n- a\n')).nextVersion().version).toBe('0.4.0');
    expect(parseChangelog(zero('### Fixed\n- a\n')).nextVersion().version).toBe('0.3.1');
    // The reasons still say the entry is breaking.
    expect(parseChangelog(zero('### Removed\n- a\n')).nextVersion().reasons[0]).toMatchObject({
      bump: 'major',
      reason: '### Removed',
    });
  });

  it('bumps major below 1.0.0 when configured, and refuses another setting', () => {
    expect(
      parseChangelog(zero('### Removed\n- a\n')).nextVersion({ breakingBelowOne: 'major' }).version,
    ).toBe('1.0.0');
    expect(() =>
      parseChangelog(zero('### Removed\n- a\n')).nextVersion({
        breakingBelowOne: 'patch' as 'minor',
      }),
    ).toThrow(ChangelogError);
  });

  it('suggests rc prereleases below 1.0.0 too, continuing a release in progress', () => {
    expect(parseChangelog(zero('### Removed\n- a\n')).nextVersion({ preid: 'rc' }).version).toBe(
      '0.4.0-rc.0',
    );
    expect(
      parseChangelog(zero('### Fixed\n- a\n', '0.4.0-rc.0')).nextVersion({ preid: 'rc' }).version,
    ).toBe('0.4.0-rc.1');
    expect(parseChangelog(zero('### Fixed\n- a\n', '0.4.0-rc.0')).nextVersion().version).toBe(
      '0.4.0',
    );
  });
});
