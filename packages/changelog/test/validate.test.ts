import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { formatProblem, parseChangelog } from '../src/index';
import type { Problem } from '../src/index';

const brief = (problems: Problem[]) =>
  problems.map((p) => `${p.line}:${p.column} ${p.severity} ${p.code}`);

describe('validate', () => {
  it.skipIf(!haveFixtures)(
    `finds no error in a real project's changelog, and warns once about its own change type${haveFixtures ? '' : ` (${fixturesSkipReason})`}`,
    () => {
      const text = readFileSync(
        fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md'),
        'utf8',
      );
      // the project files some entries under `### Technical Details`, not a Keep a Changelog type
      expect(brief(parseChangelog(text).validate())).toEqual(['44:5 warning UNKNOWN_CHANGE_TYPE']);
      expect(
        parseChangelog(text).validate({
          changeTypes: ['Added', 'Changed', 'Fixed', 'Technical Details'],
        }),
      ).toEqual([]);
    },
  );

  it('reports every kind of problem at its line and column', () => {
    const text = [
      '# Changelog', //                                    1
      '',
      '## [1.2.0] - 2024-02-30', //                        3  bad date
      '- a',
      '',
      '## [Unreleased]', //                                6  not first
      '- b',
      '',
      '## [1.3.0] - 2024-03-01', //                        9  order
      '- c',
      '',
      '## [1.1.0]', //                                     12 missing date
      '- d',
      '',
      '## [1.1.0] - 2024-01-01', //                        15 duplicate
      '- e',
      '',
      '## [1.0.0] - 2024-01-01', //                        18 empty section
      '',
      '### Fixed', //                                      20 empty subsection
      '',
      '## [Unreleased]', //                                22 duplicate Unreleased
      '',
      '## Notes', //                                       24 not a version
      '',
      'text',
      '',
      '## [0.9.0] - 2023-01-01', //                        28 no link definition
      '- f',
      '',
      '[Unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD', // 31 from is not the latest (1.3.0)
      '[1.3.0]: https://github.com/o/r/compare/v1.2.0...v1.3.0', //   32 ok
      '[1.2.0]: https://github.com/o/r/compare/v1.0.0...v1.2.0', //   33 from should be 1.1.0
      '[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.1', //   34 to is not its tag
      '[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0',
      '[0.8.0]: https://github.com/o/r/releases/tag/v0.8.0', //       36 no such section
      '[1.3.0]: https://github.com/o/r/compare/v1.2.0...v1.3.0', //   37 duplicate definition
      '[kac]: https://keepachangelog.com', //                         unrelated: fine
    ].join('\n');
    const problems = parseChangelog(text).validate();
    expect(brief(problems)).toEqual([
      '3:14 error INVALID_DATE',
      '6:1 error UNRELEASED_NOT_FIRST',
      '9:5 error VERSION_ORDER',
      '12:11 error MISSING_DATE',
      '15:5 error DUPLICATE_VERSION',
      '18:1 error EMPTY_SECTION',
      '20:1 warning EMPTY_SUBSECTION',
      '22:1 error DUPLICATE_UNRELEASED',
      '24:4 error INVALID_HEADING',
      '28:5 error MISSING_LINK',
      '31:15 error LINK_MISMATCH',
      '33:10 error LINK_MISMATCH',
      '34:10 error LINK_MISMATCH',
      '36:1 error UNUSED_LINK',
      '37:1 error DUPLICATE_LINK',
      '38:1 warning UNUSED_LINK',
    ]);
    expect(problems.find((p) => p.code === 'LINK_MISMATCH' && p.line === 33)).toMatchObject({
      expected: 'https://github.com/o/r/compare/v1.1.0...v1.2.0',
      found: 'https://github.com/o/r/compare/v1.0.0...v1.2.0',
    });
    expect(problems.find((p) => p.code === 'INVALID_DATE')).toMatchObject({
      expected: 'YYYY-MM-DD',
      found: '2024-02-30',
    });
    expect(formatProblem(problems[0]!, 'CHANGELOG.md')).toBe(
      'CHANGELOG.md:3:14: error: "2024-02-30" is not a calendar date (expected YYYY-MM-DD, found 2024-02-30) [INVALID_DATE]',
    );
  });

  it('accepts prereleases in order, yanked releases, versions without brackets and files without links', () => {
    const text =
      '# Changelog\n\n## [Unreleased]\n\n## 2.0.0 - 2024-03-01\n- a\n\n## [2.0.0-rc.2] - 2024-02-02\n- b\n\n## [2.0.0-rc.1] - 2024-02-01 [YANKED]\n- c\n\n## [1.0.0] - 2024-01-01\n- d\n';
    expect(brief(parseChangelog(text).validate())).toEqual(['5:4 warning UNBRACKETED_VERSION']);
    expect(brief(parseChangelog(text.replace('2.0.0-rc.2', '2.0.0-rc.0')).validate())).toEqual([
      '5:4 warning UNBRACKETED_VERSION',
      '11:5 error VERSION_ORDER',
    ]);
  });

  it('needs no link definition for a heading that links inline', () => {
    const text =
      '# Changelog\n\n## [Unreleased]\n\n## [1.1.0](https://github.com/o/r/releases/tag/v1.1.0) - 2024-02-01\n- b\n\n## [1.0.0] - 2024-01-01\n- a\n\n[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD\n';
    expect(brief(parseChangelog(text).validate())).toEqual(['8:5 error MISSING_LINK']);
  });

  it('keeps the same positions in a CRLF file', () => {
    const text = '# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2024-1-1\n- a\n';
    expect(brief(parseChangelog(text.replaceAll('\n', '\r\n')).validate())).toEqual([
      '5:14 error INVALID_DATE',
    ]);
  });
});

describe('validate: the checks people ask for', () => {
  const text = [
    '# Changelog', //                                   1
    '',
    'See [kac] and [semver].',
    '',
    '## [Unreleased]', //                               5
    '',
    '### Fixd', //                                      7  misspelt change type
    '',
    '- a',
    '',
    '## [1.1.0] - 2999-01-01', //                       11 future date
    '',
    '### Performance', //                               13 not one of the six
    '',
    '- b',
    '',
    '## 1.0 - 2024-01-01', //                           17 no semantic version
    '',
    '- c',
    '',
    '## 0.9.0 - 2023-12-01', //                         21 unbracketed
    '',
    '- d',
    '',
    '[kac]: https://keepachangelog.com',
    '[semver]: https://semver.org',
    '[spare]: https://example.com', //                  27 used nowhere
    '',
  ].join('\n');

  it('warns about unknown change types, unrecognised or unbracketed versions and unused definitions; a future date is an error', () => {
    expect(brief(parseChangelog(text).validate({ today: '2026-01-01' }))).toEqual([
      '7:5 warning UNKNOWN_CHANGE_TYPE',
      '11:14 error FUTURE_DATE',
      '13:5 warning UNKNOWN_CHANGE_TYPE',
      '17:4 warning UNRECOGNISED_VERSION',
      '21:4 warning UNBRACKETED_VERSION',
      '27:1 warning UNUSED_LINK',
    ]);
    expect(parseChangelog(text).validate({ today: '2026-01-01' })[0]).toMatchObject({
      found: 'Fixd',
      expected: 'Added, Changed, Deprecated, Removed, Fixed, Security',
    });
  });

  it('takes the change types it is given, the day it is told, and --strict makes warnings errors', () => {
    const problems = parseChangelog(text).validate({
      today: '2999-01-01',
      changeTypes: ['Fixd', 'Performance'],
      strict: true,
    });
    expect(brief(problems)).toEqual([
      '17:4 error UNRECOGNISED_VERSION',
      '21:4 error UNBRACKETED_VERSION',
      '27:1 error UNUSED_LINK',
    ]);
    // The day after "today" is allowed: somewhere it is already that day.
    expect(
      brief(parseChangelog(text).validate({ today: '2998-12-31' })).filter((p) =>
        p.includes('FUTURE_DATE'),
      ),
    ).toEqual([]);
  });
});
