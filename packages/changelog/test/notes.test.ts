import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures, thrownBy } from '@oci-sd/test-support';
import { MAX_RELEASE_BODY, parseChangelog, ChangelogError } from '../src/index';

describe.skipIf(!haveFixtures)(
  `notes on the seed project's changelog (${haveFixtures ? 'fixture' : fixturesSkipReason})`,
  () => {
    const text = haveFixtures
      ? readFileSync(fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md'), 'utf8')
      : '';
    const lines = text.split('\n');

    it('gives the 1.1.0 section with ### as ## and the compare link to 1.0.0', () => {
      const notes = parseChangelog(text).notes('1.1.0');
      // Lines 12-50 are the section body between its heading (10) and the next heading (52).
      const body = lines
        .slice(11, 50)
        .map((l) => l.replace(/^###/, '##'))
        .join('\n');
      expect(notes.body).toBe(
        `${body}\n\n**Full Changelog**: https://github.com/amaanx86/oci-prometheus-sd-proxy/compare/v1.0.0...v1.1.0`,
      );
      expect(notes).toMatchObject({
        version: '1.1.0',
        tag: 'v1.1.0',
        previousTag: 'v1.0.0',
        date: '2026-03-10',
        yanked: false,
        prerelease: false,
      });
      expect(notes.body.startsWith('## Added\n\n- **OCI API Rate Limiting**')).toBe(true);
      expect(notes.body).toContain('\n## Technical Details\n');
      expect(notes.body).not.toContain('###');
    });

    it('links the first release to its commits and leaves out the link references', () => {
      const notes = parseChangelog(text).notes('v1.0.0');
      expect(notes.previousTag).toBeUndefined();
      expect(
        notes.body.endsWith(
          '  - CodeQL security scanning\n\n**Full Changelog**: https://github.com/amaanx86/oci-prometheus-sd-proxy/commits/v1.0.0',
        ),
      ).toBe(true);
      expect(notes.body).not.toContain('[Unreleased]:');
    });

    it('builds GitHub Enterprise links from the server URL and repo given', () => {
      const notes = parseChangelog(text).notes('1.1.0', {
        serverUrl: 'https://ghe.example.com/',
        repo: 'acme/app',
        tagPrefix: '',
      });
      expect(notes.fullChangelogUrl).toBe('https://ghe.example.com/acme/app/compare/1.0.0...1.1.0');
    });
  },
);

const RCS = `# Changelog

## [Unreleased]

## [2.0.0] - 2024-04-01

### Removed

- old API

## [2.0.0-rc.2] - 2024-03-20

### Fixed

- rc2 fix

## [2.0.0-rc.1] - 2024-03-10

### Changed

- new API

## [1.5.2] - 2024-03-01 [YANKED]

### Fixed

- broke things

    \`\`\`
    ### not a heading
    \`\`\`

#### Details

- deeper

## 1.5.1 - 2024-02-01

- bare version

[Unreleased]: https://github.com/o/r/compare/2.0.0...HEAD
`;

describe('notes', () => {
  const cl = parseChangelog(RCS, { file: 'CHANGELOG.md' });

  it('compares a final release with the previous final release, skipping its release candidates', () => {
    expect(cl.notes('2.0.0').fullChangelogUrl).toBe('https://github.com/o/r/compare/1.5.2...2.0.0');
  });

  it('compares a prerelease with the nearest lower version', () => {
    expect(cl.notes('2.0.0-rc.2')).toMatchObject({ previousTag: '2.0.0-rc.1', prerelease: true });
    expect(cl.notes('2.0.0-rc.1').previousTag).toBe('1.5.2');
  });

  it('gives notes for a yanked release, shifting deeper headings too but not code', () => {
    const notes = cl.notes('1.5.2');
    expect(notes.yanked).toBe(true);
    expect(notes.body).toBe(
      '## Fixed\n\n- broke things\n\n    ```\n    ### not a heading\n    ```\n\n### Details\n\n- deeper\n\n**Full Changelog**: https://github.com/o/r/compare/1.5.1...1.5.2',
    );
  });

  it('reads a tag prefix of "" from the links, and takes an explicit one', () => {
    expect(cl.notes('1.5.1').fullChangelogUrl).toBe('https://github.com/o/r/commits/1.5.1');
    expect(cl.notes('1.5.1', { tagPrefix: 'release-' }).fullChangelogUrl).toBe(
      'https://github.com/o/r/commits/release-1.5.1',
    );
    expect(cl.notes('release-1.5.1', { tagPrefix: 'release-' }).version).toBe('1.5.1');
  });

  it('normalizes CRLF to LF in the body', () => {
    const crlf = parseChangelog(RCS.replaceAll('\n', '\r\n'));
    expect(crlf.notes('1.5.2').body).toBe(cl.notes('1.5.2').body);
  });

  it('uses the repo option over the links, defaulting to github.com', () => {
    const bare = parseChangelog('## [1.1.0] - 2024-01-02\n- b\n\n## [1.0.0] - 2024-01-01\n- a\n');
    expect(bare.notes('1.1.0', { repo: 'o/r' }).fullChangelogUrl).toBe(
      'https://github.com/o/r/compare/v1.0.0...v1.1.0',
    );
    expect(cl.notes('2.0.0', { repo: 'x/y' }).fullChangelogUrl).toBe(
      'https://github.com/x/y/compare/1.5.2...2.0.0',
    );
    expect(cl.notes('2.0.0', { serverUrl: 'https://ghe.corp' }).fullChangelogUrl).toBe(
      'https://ghe.corp/o/r/compare/1.5.2...2.0.0',
    );
  });

  it('refuses when there is no repository to link to, or a bad repo or server URL', () => {
    const bare = parseChangelog('## [1.0.0] - 2024-01-01\n- a\n', { file: 'C.md' });
    expect(thrownBy(() => bare.notes('1.0.0'), ChangelogError)).toMatchObject({
      code: 'NO_REPOSITORY',
      file: 'C.md',
    });
    expect(
      thrownBy(() => bare.notes('1.0.0', { repo: 'just-a-name' }), ChangelogError),
    ).toMatchObject({
      code: 'INVALID_OPTION',
      found: 'just-a-name',
    });
    expect(
      thrownBy(() => bare.notes('1.0.0', { repo: 'o/r', serverUrl: 'ftp://x' }), ChangelogError),
    ).toMatchObject({
      code: 'INVALID_OPTION',
      found: 'ftp://x',
    });
    const credentials = thrownBy(
      () => bare.notes('1.0.0', { repo: 'o/r', serverUrl: 'https://user:ghp_secret@x' }),
      ChangelogError,
    );
    expect(credentials.message).toContain(
      'server URL "https://***@x" is not an http(s) URL without credentials',
    );
    expect(
      JSON.stringify({ message: credentials.message, found: credentials.found }),
    ).not.toContain('ghp_secret');
  });

  it('refuses a version that is not there, or not a version', () => {
    expect(thrownBy(() => cl.notes('3.0.0'), ChangelogError)).toMatchObject({
      code: 'NOT_FOUND',
      file: 'CHANGELOG.md',
      found: 'versions 2.0.0, 2.0.0-rc.2, 2.0.0-rc.1, 1.5.2, 1.5.1',
    });
    expect(thrownBy(() => cl.notes('Unreleased'), ChangelogError).code).toBe('INVALID_VERSION');
  });

  it("refuses a body over GitHub's 125,000 characters and accepts one at the limit", () => {
    const link = '\n\n**Full Changelog**: https://github.com/o/r/commits/v1.0.0';
    const make = (length: number) =>
      `## [1.0.0] - 2024-01-01\n${'x'.repeat(length - link.length)}\n`;
    expect(
      parseChangelog(make(MAX_RELEASE_BODY)).notes('1.0.0', { repo: 'o/r' }).body,
    ).toHaveLength(MAX_RELEASE_BODY);
    const e = thrownBy(
      () =>
        parseChangelog(make(MAX_RELEASE_BODY + 1), { file: 'C.md' }).notes('1.0.0', {
          repo: 'o/r',
        }),
      ChangelogError,
    );
    expect(e).toMatchObject({
      code: 'BODY_TOO_LONG',
      line: 1,
      column: 1,
      found: MAX_RELEASE_BODY + 1,
    });
    // Characters, not UTF-16 units: an emoji counts once.
    const emoji = `## [1.0.0] - 2024-01-01\n${'😀'.repeat(MAX_RELEASE_BODY - link.length)}\n`;
    expect(parseChangelog(emoji).notes('1.0.0', { repo: 'o/r' }).body.length).toBe(
      2 * (MAX_RELEASE_BODY - link.length) + link.length,
    );
  });
});
