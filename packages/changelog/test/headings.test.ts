import { describe, expect, it } from 'vitest';
import { parseChangelog, ChangelogError } from '../src/index';
import { thrownBy } from '@oci-sd/test-support';

/** The first section of `## <heading>` with one entry, as the parser reads it. */
function read(heading: string, level = '##') {
  const section = parseChangelog(`# Changelog\n\n${level} ${heading}\n\n- entry\n`).sections[0]!;
  return {
    kind: section.kind,
    version: section.version,
    versions: section.versions,
    date: section.date,
    yanked: section.yanked,
    bracketed: section.bracketed,
    versionColumn: section.versionPosition?.column,
    dateColumn: section.datePosition?.column,
  };
}

describe('heading shapes in the wild', () => {
  it.each([
    // heading, version, date, bracketed, version column, date column
    ['[1.2.0] - 2026-01-31', '1.2.0', '2026-01-31', true, 5, 14],
    ['[v1.2.0] - 2026-01-31', '1.2.0', '2026-01-31', true, 6, 15],
    ['1.2.0 - 2026-01-31', '1.2.0', '2026-01-31', false, 4, 12],
    ['v1.2.0 – 2026-01-31', '1.2.0', '2026-01-31', false, 5, 13],
    ['v1.2.0 — 2026-01-31', '1.2.0', '2026-01-31', false, 5, 13],
    ['1.2.0 2026-01-31', '1.2.0', '2026-01-31', false, 4, 10],
    ['1.2.0 (2026-01-31)', '1.2.0', '2026-01-31', false, 4, 11],
    ['[1.2.0] (2026-01-31)', '1.2.0', '2026-01-31', true, 5, 13],
    ['1.2.0', '1.2.0', undefined, false, 4, undefined],
    ['[1.2.0]', '1.2.0', undefined, true, 5, undefined],
    ['1.2.0: 2026-01-31', '1.2.0', '2026-01-31', false, 4, 11],
    ['Version 1.2.0 - January 31, 2026', '1.2.0', 'January 31, 2026', false, 12, 20],
    ['Release v1.2.0 (31 Jan 2026)', '1.2.0', '31 Jan 2026', false, 13, 20],
    ['2026-01-31 - 1.2.0', '1.2.0', '2026-01-31', false, 17, 4],
    [
      '[1.2.0](https://github.com/o/r/compare/v1.1.0...v1.2.0) (2026-01-31)',
      '1.2.0',
      '2026-01-31',
      true,
      5,
      61,
    ],
    ['[1.41.0/0.63.0/0.17.0] 2026-03-02', '1.41.0', '2026-03-02', true, 5, 27],
    ['v1.2.0 / v0.4.0 - 2026-03-02', '1.2.0', '2026-03-02', false, 5, 22],
    ['[2.0.0-rc.1] - 2026-01-31', '2.0.0-rc.1', '2026-01-31', true, 5, 19],
    ['1.2.0 - 2026/01/31', '1.2.0', '2026/01/31', false, 4, 12],
  ])('reads "## %s" as %s', (heading, version, date, bracketed, versionColumn, dateColumn) => {
    expect(read(heading)).toMatchObject({
      kind: 'release',
      version,
      date,
      bracketed,
      versionColumn,
      dateColumn,
    });
  });

  it('reads every version of a multi-module heading, the first (or the configured one) being the release', () => {
    expect(read('[1.41.0/0.63.0/0.17.0] 2026-03-02').versions).toEqual([
      '1.41.0',
      '0.63.0',
      '0.17.0',
    ]);
    const second = parseChangelog('# C\n\n## [1.41.0/0.63.0] 2026-03-02\n- a\n', {
      versionIndex: 1,
    });
    expect(second.sections[0]).toMatchObject({ version: '0.63.0', label: '1.41.0/0.63.0' });
    expect(() => parseChangelog('', { versionIndex: -1 })).toThrow(/versionIndex/);
  });

  it.each([
    '[Unreleased]',
    'Unreleased',
    'UNRELEASED',
    '[unreleased]',
    '[Unreleased] - ReleaseDate',
    'Unreleased changes',
    '[Unreleased](https://github.com/o/r/compare/v1.0.0...HEAD)',
  ])('reads "## %s" as Unreleased', (heading) => {
    expect(read(heading).kind).toBe('unreleased');
  });

  it('reads yanked markers and level 1 release headings (conventional-changelog)', () => {
    expect(read('[1.2.0] - 2026-01-31 [YANKED]').yanked).toBe(true);
    expect(read('1.2.0 (2026-01-31) (yanked)').yanked).toBe(true);
    const cl = parseChangelog(
      '# [2.0.0](https://github.com/o/r/compare/v1.0.0...v2.0.0) (2026-02-01)\n\n- b\n\n## [1.0.1](https://github.com/o/r/compare/v1.0.0...v1.0.1) (2026-01-02)\n\n- a\n',
    );
    expect(cl.title).toBeUndefined();
    expect(cl.releases.map((r) => r.version)).toEqual(['2.0.0', '1.0.1']);
  });

  it('keeps headings that name no version out of the releases, and versions that are no semver apart', () => {
    expect(read('Notes').kind).toBe('unknown');
    expect(read('Contributors (2026)').kind).toBe('unknown');
    expect(read('1.0 - 2026-01-31')).toMatchObject({ kind: 'unknown', version: '1.0' });
    expect(read('1.2.0 - the big one').date).toBe('the big one');
    expect(read('1.2.0 is out').kind).toBe('unknown');
  });

  it('ignores setext headings and headings in HTML comments and code fences', () => {
    const cl = parseChangelog(
      [
        '# Changelog',
        '',
        '1.9.0',
        '=====',
        '',
        '<!--',
        '## [1.8.0] - 2026-01-01',
        '-->',
        '',
        '```md',
        '## [1.7.0] - 2026-01-01',
        '```',
        '',
        '## [1.0.0] - 2025-01-01',
        '- a',
      ].join('\n'),
    );
    expect(cl.releases.map((r) => r.version)).toEqual(['1.0.0']);
  });
});

describe('the previous release of a new version', () => {
  // Modelled on a large Go multi-module changelog: release headings name every module version, with
  // no separator; an old plain heading further down once made promote compare from it.
  const GO = `# Changelog

## [Unreleased]

### Fixed

- a fix

## [1.41.0/0.63.0/0.17.0] 2026-03-02

### Added

- b

## [1.40.0/0.62.0/0.16.0] 2026-02-01

- c

## [0.20.0] - 2021-05-01

- old

[Unreleased]: https://github.com/o/r/compare/v1.41.0...HEAD
[1.41.0/0.63.0/0.17.0]: https://github.com/o/r/releases/tag/v1.41.0
[1.40.0/0.62.0/0.16.0]: https://github.com/o/r/releases/tag/v1.40.0
[0.20.0]: https://github.com/o/r/releases/tag/v0.20.0
`;

  it('is the newest release below it by semver, among every recognised heading', () => {
    const result = parseChangelog(GO).promote('1.42.0/0.64.0/0.18.0', { date: '2026-04-01' });
    expect(result.previousVersion).toBe('1.41.0');
    expect(result.version).toBe('1.42.0');
    expect(result.text).toContain(
      '## [Unreleased]\n\n## [1.42.0/0.64.0/0.18.0] 2026-04-01\n\n### Fixed',
    );
    expect(result.text).toContain(
      '[Unreleased]: https://github.com/o/r/compare/v1.42.0...HEAD\n[1.42.0/0.64.0/0.18.0]: https://github.com/o/r/compare/v1.41.0...v1.42.0\n',
    );
    expect(parseChangelog(GO).promote('minor', { date: '2026-04-01' }).version).toBe('1.42.0');
  });

  it('must agree with the base of the Unreleased compare link: a disagreement is reported, not guessed', () => {
    const stale = GO.replace('compare/v1.41.0...HEAD', 'compare/v0.20.0...HEAD');
    const error = thrownBy(
      () =>
        parseChangelog(stale, { file: 'CHANGELOG.md' }).promote('1.42.0', { date: '2026-04-01' }),
      ChangelogError,
    );
    expect(error).toMatchObject({
      code: 'LINK_MISMATCH',
      line: 23,
      column: 15,
      found: 'https://github.com/o/r/compare/v0.20.0...HEAD',
      expected: 'https://github.com/o/r/compare/v1.41.0...HEAD',
    });
    expect(error.message).toMatch(/^CHANGELOG\.md:23:15: /);
  });
});

describe('promote writes in the file’s own style', () => {
  const file = (heading: string, links = '') =>
    `# Changelog\n\n## Unreleased\n\n- new\n\n## ${heading}\n\n- old\n${links}`;
  it.each([
    ['v1.0.0 (2026-01-31)', '## v1.1.0 (2026-04-01)'],
    ['1.0.0 – 2026-01-31', '## 1.1.0 – 2026-04-01'],
    ['[1.0.0] — 2026-01-31', '## [1.1.0] — 2026-04-01'],
    ['1.0.0 2026-01-31', '## 1.1.0 2026-04-01'],
    ['1.0.0', '## 1.1.0'],
    ['Version 1.0.0 - January 31, 2026', '## Version 1.1.0 - April 1, 2026'],
    ['1.0.0 (31 Jan 2026)', '## 1.1.0 (1 Apr 2026)'],
    ['2026-01-31 - 1.0.0', '## 2026-04-01 - 1.1.0'],
    ['1.0.0 - 2026/01/31', '## 1.1.0 - 2026/04/01'],
    [
      '[1.0.0](https://github.com/o/r/compare/v0.9.0...v1.0.0) (2026-01-31)',
      '## [1.1.0](https://github.com/o/r/compare/v1.0.0...v1.1.0) (2026-04-01)',
    ],
  ])('after "## %s" writes "%s"', (existing, expected) => {
    const result = parseChangelog(file(existing)).promote('minor', { date: '2026-04-01' });
    expect(result.text).toBe(
      `# Changelog\n\n## Unreleased\n\n${expected}\n\n- new\n\n## ${existing}\n\n- old\n`,
    );
  });

  it('writes level 1 headings where the releases are level 1, and Keep a Changelog style for a first release', () => {
    const cc = parseChangelog(
      '## Unreleased\n\n- x\n\n# [1.0.0](https://github.com/o/r/releases/tag/v1.0.0) (2026-01-31)\n\n- a\n',
    );
    expect(cc.promote('minor', { date: '2026-04-01' }).text).toContain(
      '## Unreleased\n\n# [1.1.0](https://github.com/o/r/compare/v1.0.0...v1.1.0) (2026-04-01)\n',
    );
    expect(
      parseChangelog('# Changelog\n\n## [Unreleased]\n\n- x\n').promote('0.1.0', {
        date: '2026-04-01',
      }).text,
    ).toBe('# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-04-01\n\n- x\n');
  });

  it('adds link definitions only to a file that has them', () => {
    const withLinks = file(
      '[1.0.0] - 2026-01-31',
      '\n[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD\n[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0\n',
    );
    expect(parseChangelog(withLinks).promote('minor', { date: '2026-04-01' }).text).toContain(
      '[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0\n',
    );
    const without = parseChangelog(file('[1.0.0] - 2026-01-31')).promote('minor', {
      date: '2026-04-01',
    });
    expect(without.text).not.toContain(']: ');
  });
});
