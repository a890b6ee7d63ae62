import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChangelogError, parseChangelog } from '../src/index';

// Any text, however broken, gets a ChangelogError (code, line, column) from an operation that
// refuses it, never a TypeError from inside the parser; and parsing never changes a byte.
const piece = fc.constantFrom(
  '## [Unreleased]',
  '## [1.0.0] - 2020-01-01',
  '## [v2.0.0-rc.1] - 2021-02-03',
  '## 0.1.0',
  '  ## [3.0.0]',
  '## [1.0.0+b] - 2020-01-01 [YANKED]',
  '# T',
  '### Added',
  '- x',
  '```',
  '~~~',
  '<!--',
  '-->',
  '[1.0.0]: https://github.com/o/r/compare/v0.1.0...v1.0.0',
  '[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD',
  '[x]: y',
  '',
  '\r',
);
const text = fc
  .array(fc.oneof(piece, fc.string()), { maxLength: 30 })
  .map((lines) => lines.join('\n'));

describe('robustness', () => {
  it('operations on any text throw only ChangelogError', () => {
    fc.assert(
      fc.property(
        text,
        fc.constantFrom('1.0.0', '2.0.0-rc.1', '0.1.0', 'major', 'minor', '9.9.9', 'unreleased'),
        (source, version) => {
          const changelog = parseChangelog(source);
          const operations = [
            () => changelog.notes(version),
            () => changelog.promote(version, { date: '2026-01-01' }).text,
            () => changelog.validate(),
            () => changelog.nextVersion(),
            () => changelog.links,
            () =>
              changelog.sections.map((section) => [
                section.subsections,
                section.hasEntries,
                section.contentEndLine,
              ]),
          ];
          for (const operation of operations) {
            try {
              operation();
            } catch (error) {
              if (!(error instanceof ChangelogError)) throw error;
            }
          }
          expect(changelog.toString()).toBe(source);
        },
      ),
      { numRuns: 400 },
    );
  });
});
