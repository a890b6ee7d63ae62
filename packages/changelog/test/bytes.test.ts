import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangelogError, parseChangelog, promoteFile } from '../src/index';
import { changelogDirs } from '@oci-sd/test-support';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
  );

/** The lines of a byte string, each with its LF (the last one may have none). */
function lines(data: Uint8Array): Buffer[] {
  const buffer = Buffer.from(data);
  const out: Buffer[] = [];
  let start = 0;
  for (let lf = buffer.indexOf(0x0a); lf !== -1; lf = buffer.indexOf(0x0a, start)) {
    out.push(buffer.subarray(start, lf + 1));
    start = lf + 1;
  }
  if (start < buffer.length) out.push(buffer.subarray(start));
  return out;
}

/**
 * Checks, without the library's edit list, that `after` is `before` with lines added and at most
 * one line replaced (the Unreleased link definition): every other line of `before`, byte for byte
 * and in order, is a line of `after`.
 */
function expectOnlyLinesAdded(before: Uint8Array, after: Uint8Array, maxAdded: number): void {
  const old = lines(before);
  const out = lines(after);
  let k = 0;
  const missing: Buffer[] = [];
  for (const line of old) {
    const at = out.findIndex((candidate, i) => i >= k && candidate.equals(line));
    if (at === -1) missing.push(line);
    else k = at + 1;
  }
  expect(missing.length).toBeLessThanOrEqual(1);
  for (const line of missing) expect(line.toString('latin1')).toMatch(/^ {0,3}\[unreleased\]:/i);
  expect(out.length - old.length + missing.length).toBeLessThanOrEqual(maxAdded);
}

const INVALID = [0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80];
const MESSY = bytes(
  '# Changelog\r\n\r\nBad bytes: ',
  INVALID,
  ' and a NUL ',
  [0],
  ' and a lone CR\rhere\n\n## [Unreleased]\n\n### Added\n\n- caf',
  [0xe9],
  ' (Latin-1)\n\n## [1.0.0] - 2024-01-01\n\n- first ',
  [0xf0, 0x9f, 0x98],
  '\n\n[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD\n[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0',
);

describe('bytes are bytes', () => {
  const { fresh, remove } = changelogDirs('changelog-bytes-', '');
  afterAll(remove);

  it('promote splices the edits into the original bytes: invalid UTF-8, NUL, lone CR, CRLF and no final newline survive', () => {
    const cl = parseChangelog(MESSY, { file: 'CHANGELOG.md' });
    const result = cl.promote('1.1.0', { date: '2024-02-01' });
    const expected = bytes(
      '# Changelog\r\n\r\nBad bytes: ',
      INVALID,
      ' and a NUL ',
      [0],
      ' and a lone CR\rhere\n\n## [Unreleased]\n\n## [1.1.0] - 2024-02-01\n\n### Added\n\n- caf',
      [0xe9],
      ' (Latin-1)\n\n## [1.0.0] - 2024-01-01\n\n- first ',
      [0xf0, 0x9f, 0x98],
      '\n\n[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD\n[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0\n[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0',
    );
    expect(Buffer.from(result.bytes).equals(expected)).toBe(true);
    // The text view shows the invalid bytes as U+FFFD; the bytes keep them.
    expect(result.text).toContain('caf\uFFFD');
  });

  it('promoteFile writes those bytes to the file', async () => {
    const { file } = fresh();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, MESSY);
    const result = await promoteFile(file, 'patch', { date: '2024-02-01' });
    expect(readFileSync(file).equals(Buffer.from(result.bytes))).toBe(true);
    expectOnlyLinesAdded(MESSY, readFileSync(file), 4);
    expect(readFileSync(file).includes(Buffer.from(INVALID))).toBe(true);
  });

  it('a text parsed from a string gives the same bytes as its UTF-8 encoding', () => {
    const text =
      '# Changelog\n\n## [Unreleased]\n- caf\u00e9 \ud83d\ude00\n\n## [1.0.0] - 2024-01-01\n- a\n';
    const fromString = parseChangelog(text).promote('2.0.0', { date: '2024-02-01' });
    const fromBytes = parseChangelog(Buffer.from(text)).promote('2.0.0', { date: '2024-02-01' });
    expect(Buffer.from(fromString.bytes).equals(Buffer.from(fromBytes.bytes))).toBe(true);
    expect(Buffer.from(fromBytes.bytes).toString('utf8')).toBe(fromString.text);
  });
});

describe('validate: encoding and shape', () => {
  const brief = (data: Uint8Array | string) =>
    parseChangelog(data)
      .validate()
      .map((p) => `${p.line}:${p.column} ${p.severity} ${p.code}`);

  it('reports invalid UTF-8, NUL bytes and control characters with their line and column', () => {
    expect(brief(MESSY)).toEqual([
      // ff, fe, c3 cut short by "(", then ed a0 80 (a surrogate): one U+FFFD each, as decoders show them.
      '3:12 error INVALID_UTF8',
      '3:13 error INVALID_UTF8',
      '3:14 error INVALID_UTF8',
      '3:16 error INVALID_UTF8',
      '3:17 error INVALID_UTF8',
      '3:18 error INVALID_UTF8',
      '3:30 error NUL_BYTE',
      '9:6 error INVALID_UTF8',
      '13:9 error INVALID_UTF8',
    ]);
    const problems = parseChangelog(MESSY).validate();
    expect(problems[0]).toMatchObject({ found: 'byte 0xff', expected: 'UTF-8 text' });
    expect(problems.find((p) => p.code === 'NUL_BYTE')).toMatchObject({ found: '\\x00' });
    expect(brief('# Changelog\n\n## [Unreleased]\n- bell \x07 and escape \x1b[31m\n')).toEqual([
      '4:8 error BINARY_CONTENT',
      '4:21 error BINARY_CONTENT',
    ]);
    // Tab, form feed and CRLF are text.
    expect(brief('# Changelog\r\n\r\n## [Unreleased]\r\n-\ta\f\r\n')).toEqual([]);
  });

  it('reports a file without a title, an Unreleased section or any release', () => {
    expect(brief('Just some notes.\n')).toEqual([
      '1:1 error NO_TITLE',
      '1:1 error NO_UNRELEASED',
      '1:1 error NO_RELEASE',
    ]);
    expect(brief('# Changelog\n\n## [1.0.0] - 2024-01-01\n- a\n')).toEqual([
      '3:1 warning NO_UNRELEASED',
    ]);
    expect(brief('# Changelog\n\n## [Unreleased]\n\n- a\n')).toEqual([]);
  });

  it('never calls random bytes a valid changelog', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), (data) => {
        const errors = parseChangelog(data)
          .validate()
          .filter((p) => p.severity === 'error');
        expect(errors.length).toBeGreaterThan(0);
        for (const p of errors) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('property: promote never changes a byte outside the edited lines', () => {
  // Arbitrary bytes (any of the 256 values, CR and LF included) as preamble, entries and release
  // bodies of a changelog; whatever they do to its structure, promote either refuses with a
  // ChangelogError or keeps every other line byte for byte.
  const chunk = fc.uint8Array({ maxLength: 120 });
  const skeleton = fc.record({
    preamble: chunk,
    unreleased: chunk,
    release: chunk,
    tail: chunk,
    eol: fc.constantFrom('\n', '\r\n'),
    links: fc.boolean(),
    finalNewline: fc.boolean(),
  });

  it('on arbitrary bytes inside a changelog', () => {
    fc.assert(
      fc.property(skeleton, (s) => {
        const e = s.eol;
        const input = bytes(
          `# Changelog${e}${e}`,
          [...s.preamble],
          `${e}${e}## [Unreleased]${e}${e}- entry `,
          [...s.unreleased],
          `${e}${e}## [1.0.0] - 2024-01-01${e}${e}- `,
          [...s.release],
          e,
          [...s.tail],
          s.links
            ? `${e}[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD${e}[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0`
            : '',
          s.finalNewline ? e : '',
        );
        let after: Uint8Array;
        try {
          after = parseChangelog(input).promote('1.1.0', { date: '2024-02-01' }).bytes;
        } catch (error) {
          expect(error).toBeInstanceOf(ChangelogError);
          return;
        }
        expectOnlyLinesAdded(input, after, 4);
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary bytes alone', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (input) => {
        const cl = parseChangelog(input);
        expect(Buffer.from(cl.bytes).equals(Buffer.from(input))).toBe(true);
        let after: Uint8Array;
        try {
          after = cl.promote('99.0.0', { date: '2024-02-01' }).bytes;
        } catch (error) {
          expect(error).toBeInstanceOf(ChangelogError);
          return;
        }
        expectOnlyLinesAdded(input, after, 4);
      }),
      { numRuns: 500 },
    );
  });
});
