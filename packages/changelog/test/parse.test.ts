import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { parseChangelog } from '../src/index';

const FIXTURE = fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md');

describe.skipIf(!haveFixtures)(
  `the seed project's changelog (${haveFixtures ? 'fixture' : fixturesSkipReason})`,
  () => {
    const text = haveFixtures ? readFileSync(FIXTURE, 'utf8') : '';

    it('prints back byte for byte', () => {
      expect(parseChangelog(text).toString()).toBe(text);
    });

    it('finds the title, Unreleased, both releases with dates and their subsections, with positions', () => {
      const cl = parseChangelog(text);
      expect(cl.title).toMatchObject({ text: 'Changelog', line: 1, column: 1 });
      expect(cl.sections.map((s) => [s.kind, s.version, s.date, s.heading.line])).toEqual([
        ['unreleased', undefined, undefined, 8],
        ['release', '1.1.0', '2026-03-10', 10],
        ['release', '1.0.0', '2026-03-02', 52],
      ]);
      expect(cl.unreleased?.hasEntries).toBe(false);
      const v110 = cl.findRelease('1.1.0')!;
      expect(v110.subsections.map((s) => s.heading.text)).toEqual([
        'Added',
        'Changed',
        'Fixed',
        'Technical Details',
      ]);
      expect(v110.versionPosition).toEqual({ line: 10, column: 5 });
      expect(v110.datePosition).toEqual({ line: 10, column: 14 });
      expect(cl.links.map((l) => [l.label, l.line])).toEqual([
        ['Unreleased', 120],
        ['1.1.0', 121],
        ['1.0.0', 122],
      ]);
      expect(cl.links[0]!.urlPosition).toEqual({ line: 120, column: 15 });
    });

    it('reads the repository and tag prefix from the link references', () => {
      expect(parseChangelog(text).repository()).toEqual({
        base: 'https://github.com/amaanx86/oci-prometheus-sd-proxy',
        tagPrefix: 'v',
        style: 'github',
      });
    });
  },
);

const EDGE = [
  '# Changelog',
  '',
  'See [kac] and [semver].',
  '',
  '## [Unreleased]',
  '',
  '### Added',
  '',
  '- item',
  '  - nested item',
  '    - deeper',
  '',
  '```md',
  '## [9.9.9] - 2030-01-01',
  '### Removed',
  '```',
  '',
  '~~~',
  '## inside tildes',
  '~~~',
  '',
  '<!--',
  '## [8.8.8] - commented out',
  '-->',
  '',
  '    ## indented code, not a heading',
  '',
  '### Performance',
  '',
  '- faster',
  '',
  '## 1.1.0 - 2024-02-01 [YANKED]',
  '',
  '### Fixed',
  '',
  '- a fix',
  '',
  '## [v1.0.0-rc.1](https://example.com) – 2024-01-01 ##',
  '',
  '- first',
  '',
  '## Notes',
  '',
  'Something.',
  '',
  '[kac]: https://keepachangelog.com/en/1.1.0/',
  '[semver]: <https://semver.org> "SemVer"',
  '[Unreleased]: https://github.com/o/r/compare/1.1.0...HEAD',
].join('\n');

describe('parser edge cases', () => {
  it('keeps every byte with LF, CRLF, mixed endings and no final newline', () => {
    for (const text of [
      EDGE,
      `${EDGE}\n`,
      EDGE.replaceAll('\n', '\r\n'),
      `${EDGE.replaceAll('\n', '\r\n')}\r\n`,
      EDGE.replace('\n', '\r\n'),
      '',
      '\n',
      '\r\n\r\n',
      '# only a title',
    ]) {
      expect(parseChangelog(text).toString()).toBe(text);
    }
  });

  it('sees through code blocks, comments and indented code, and keeps unknown headings', () => {
    const cl = parseChangelog(EDGE);
    expect(cl.sections.map((s) => [s.kind, s.label, s.heading.line])).toEqual([
      ['unreleased', 'Unreleased', 5],
      ['release', '1.1.0', 32],
      ['release', 'v1.0.0-rc.1', 38],
      ['unknown', 'Notes', 42],
    ]);
    expect(cl.unreleased!.subsections.map((s) => [s.heading.text, s.hasEntries])).toEqual([
      ['Added', true],
      ['Performance', true],
    ]);
  });

  it('reads yanked releases, versions without brackets, v prefixes, link titles and dash variants', () => {
    const cl = parseChangelog(EDGE);
    const yanked = cl.findRelease('1.1.0')!;
    expect(yanked).toMatchObject({
      yanked: true,
      bracketed: false,
      date: '2024-02-01',
      versionPosition: { line: 32, column: 4 },
    });
    const rc = cl.findRelease('v1.0.0-rc.1')!;
    expect(rc).toMatchObject({
      version: '1.0.0-rc.1',
      label: 'v1.0.0-rc.1',
      bracketed: true,
      yanked: false,
      date: '2024-01-01',
    });
    expect(rc.versionPosition).toEqual({ line: 38, column: 6 });
    expect(cl.link('SEMVER')).toMatchObject({
      url: 'https://semver.org',
      line: 47,
      urlPosition: { line: 47, column: 12 },
    });
  });

  it('ends a section body before the trailing link references', () => {
    const cl = parseChangelog(EDGE);
    const last = cl.sections.at(-1)!;
    expect(last.endLine).toBe(cl.lineCount);
    expect(cl.line(last.contentEndLine - 1)).toBe('Something.\n');
  });

  it('counts CRLF files as CRLF and positions as on the LF file', () => {
    const crlf = parseChangelog(EDGE.replaceAll('\n', '\r\n'));
    const lf = parseChangelog(EDGE);
    expect(crlf.eol).toBe('\r\n');
    expect(lf.eol).toBe('\n');
    expect(crlf.sections.map((s) => [s.heading, s.versionPosition, s.datePosition])).toEqual(
      lf.sections.map((s) => [s.heading, s.versionPosition, s.datePosition]),
    );
    expect(crlf.findRelease('1.1.0')!.date).toBe('2024-02-01');
  });

  it('does not take an unclosed fence or comment to end early, and never throws on junk', () => {
    expect(parseChangelog('## [Unreleased]\n```\n## [1.0.0] - 2020-01-01\n').sections).toHaveLength(
      1,
    );
    expect(
      parseChangelog('## [Unreleased]\n<!-- x\n## [1.0.0] - 2020-01-01\n').sections,
    ).toHaveLength(1);
    expect(
      parseChangelog('## [Unreleased]\n<!-- x -->\n## [1.0.0] - 2020-01-01\n').sections,
    ).toHaveLength(2);
    for (const junk of [
      '[',
      '#',
      '##',
      '## [',
      '## []',
      '```',
      '\r',
      '[a]:',
      '#######  x',
      '\u0000## x',
    ])
      expect(parseChangelog(junk).toString()).toBe(junk);
  });

  it('copes with pathological lines: long headings, endless fences and comments, many link-like lines', () => {
    const inputs = [
      `## 1 - ${'x'.repeat(1_000_000)} y`,
      `## [${'['.repeat(500_000)}`,
      `## a${' #'.repeat(500_000)}`,
      '```\n'.repeat(200_000),
      '<!--\n'.repeat(200_000),
      '[a]: b\n['.repeat(200_000),
      '## [1.0.0] - 2024-01-01\n'.repeat(100_000),
    ];
    for (const text of inputs) {
      const cl = parseChangelog(text);
      expect(cl.toString()).toBe(text);
      cl.validate();
    }
    expect(
      parseChangelog(inputs[6]!)
        .validate()
        .filter((p) => p.code === 'DUPLICATE_VERSION'),
    ).toHaveLength(99_999);
  });

  it('takes a 10 MB file in one pass', () => {
    const section = (i: number) =>
      `## [${1000 - Math.floor(i / 100)}.${99 - (i % 100)}.0] - 2024-01-01\n\n### Added\n\n${'- an entry with some words in it\n'.repeat(40)}\n`;
    const parts = ['# Changelog\n\n## [Unreleased]\n\n'];
    let size = 0;
    for (let i = 0; size < 10_000_000; i++) {
      parts.push(section(i));
      size += parts.at(-1)!.length;
    }
    const text = parts.join('');
    const cl = parseChangelog(text);
    expect(cl.releases.length).toBe(parts.length - 1);
    expect(cl.toString()).toBe(text);
  });
});
