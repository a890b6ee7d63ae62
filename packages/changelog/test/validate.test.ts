import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { formatProblem, parseChangelog } from '../src/index';
import type { Problem } from '../src/index';

const brief = (problems: Problem[]) =>
  problems.map((p) => `${p.line}:${p.column} ${p.severity} ${p.code}`);

describe('validate', () => {
  it.skipIf(!haveFixtures)(
    `finds nothing wrong in the seed project's changelog${haveFixtures ? '' : ` (${fixturesSkipReason})`}`,
    () => {
      expect(
        parseChangelog(
          readFileSync(fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md'), 'utf8'),
        ).validate(),
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
      '## [Unreleased]\n\n## 2.0.0 - 2024-03-01\n- a\n\n## [2.0.0-rc.2] - 2024-02-02\n- b\n\n## [2.0.0-rc.1] - 2024-02-01 [YANKED]\n- c\n\n## [1.0.0] - 2024-01-01\n- d\n';
    expect(parseChangelog(text).validate()).toEqual([]);
    expect(brief(parseChangelog(text.replace('2.0.0-rc.2', '2.0.0-rc.0')).validate())).toEqual([
      '9:5 error VERSION_ORDER',
    ]);
  });

  it('needs no link definition for a heading that links inline', () => {
    const text =
      '## [Unreleased]\n\n## [1.1.0](https://github.com/o/r/releases/tag/v1.1.0) - 2024-02-01\n- b\n\n## [1.0.0] - 2024-01-01\n- a\n\n[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD\n';
    expect(brief(parseChangelog(text).validate())).toEqual(['6:5 error MISSING_LINK']);
  });

  it('keeps the same positions in a CRLF file', () => {
    const text = '## [Unreleased]\n\n## [1.0.0] - 2024-1-1\n- a\n';
    expect(brief(parseChangelog(text.replaceAll('\n', '\r\n')).validate())).toEqual([
      '3:14 error INVALID_DATE',
    ]);
  });
});
