import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChangelogError, formatProblem, parseChangelog } from '../src/index';
import type { ParseOptions } from '../src/index';

// Changelog shapes modelled on real public projects (test/corpus/shapes.json says which), each
// promoted, noted and validated, against outputs written down beside it: NAME.promote.md (the
// promoted bytes) or NAME.promote.error.txt, NAME.notes.md or NAME.notes.error.txt, and
// NAME.validate.txt. A shape the engine does not handle must be reported with its location.
// `UPDATE_CORPUS=1 npx vitest run test/corpus.test.ts` rewrites the outputs, to be read before committing.

interface Shape {
  name: string;
  modelledOn: string;
  promote: string;
  notes: string;
  options?: { repo?: string; versionIndex?: number };
}

const dir = join(import.meta.dirname, 'corpus');
const shapes = JSON.parse(readFileSync(join(dir, 'shapes.json'), 'utf8')) as Shape[];
const DATE = '2026-06-01';
const update = process.env.UPDATE_CORPUS === '1';

function refusal(error: unknown): string {
  if (!(error instanceof ChangelogError)) throw error;
  return `${error.code} ${error.message}\nexpected: ${JSON.stringify(error.expected)}\nfound: ${JSON.stringify(error.found)}\n`;
}

/** The output, or the refusal, compared with (or written to) exactly one of the two files. */
function check(name: string, ext: string, produce: () => string | Uint8Array): void {
  const ok = join(dir, `${name}.${ext}`);
  const refused = join(dir, `${name}.${ext.replace(/\.md$/, '')}.error.txt`);
  let actual: string | Uint8Array;
  let file: string;
  try {
    actual = produce();
    file = ok;
  } catch (error) {
    actual = refusal(error);
    file = refused;
  }
  if (update) {
    rmSync(ok, { force: true });
    rmSync(refused, { force: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `${file} is the expected outcome`).toBe(true);
  expect(Buffer.from(actual).equals(readFileSync(file))).toBe(true);
}

describe('corpus: changelog shapes from real projects', () => {
  it('has at least 30 shapes, each with its outputs', () => {
    expect(shapes.length).toBeGreaterThanOrEqual(30);
    expect(new Set(shapes.map((s) => s.name)).size).toBe(shapes.length);
  });

  describe.each(shapes)('$name ($modelledOn)', (shape) => {
    const input = readFileSync(join(dir, `${shape.name}.md`));
    const parseOptions: ParseOptions = {
      file: 'CHANGELOG.md',
      ...(shape.options?.versionIndex !== undefined
        ? { versionIndex: shape.options.versionIndex }
        : {}),
    };
    const notesOptions = shape.options?.repo !== undefined ? { repo: shape.options.repo } : {};
    const changelog = () => parseChangelog(input, parseOptions);

    it('parses back to the same bytes', () => {
      expect(Buffer.from(changelog().bytes).equals(input)).toBe(true);
      expect(changelog().toString()).toBe(input.toString('utf8'));
    });

    it('promotes as written down', () =>
      check(
        shape.name,
        'promote.md',
        () => changelog().promote(shape.promote, { date: DATE }).bytes,
      ));

    it('gives the notes written down', () =>
      check(shape.name, 'notes.md', () =>
        shape.notes === 'Unreleased'
          ? changelog().unreleasedNotes(notesOptions).body
          : changelog().notes(shape.notes, notesOptions).body,
      ));

    it('validates as written down', () =>
      check(shape.name, 'validate.txt', () => {
        const problems = changelog().validate({ today: DATE });
        return problems.length
          ? `${problems.map((p) => formatProblem(p, 'CHANGELOG.md')).join('\n')}\n`
          : 'valid\n';
      }));

    it('leaves every byte outside the edited lines as it was', () => {
      let promoted: Uint8Array;
      try {
        promoted = changelog().promote(shape.promote, { date: DATE }).bytes;
      } catch (error) {
        // A refusal names where: the file, a line and a column.
        expect(error).toBeInstanceOf(ChangelogError);
        expect((error as ChangelogError).message).toMatch(/^CHANGELOG\.md(:\d+:\d+)?: /);
        return;
      }
      const after = Buffer.from(promoted);
      // What precedes the new heading is the input's own prefix, byte for byte.
      const unreleased = changelog().unreleased!;
      const cut = changelog().lineByteOffset(unreleased.startLine + 1);
      expect(after.subarray(0, cut).equals(input.subarray(0, cut))).toBe(true);
      // Every input line is still there, in order.
      const lines = input.toString('latin1').split('\n');
      let at = 0;
      const text = after.toString('latin1');
      let missing = 0;
      for (const line of lines) {
        const found = text.indexOf(line, at);
        if (found === -1) missing++;
        else at = found + line.length;
      }
      expect(missing).toBeLessThanOrEqual(1);
    });
  });
});
