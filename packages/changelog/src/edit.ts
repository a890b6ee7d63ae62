import { isAbsolute } from 'node:path';
import type { ChangelogDocument } from './document';

/** Replace `remove` lines starting at 0-based line `line` with `insert` (whole lines, line endings included). */
export interface LineEdit {
  line: number;
  remove: number;
  insert: string[];
}

function sorted(edits: readonly LineEdit[]): LineEdit[] {
  const list = [...edits].sort((a, b) => a.line - b.line);
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.line < list[i - 1]!.line + list[i - 1]!.remove)
      throw new RangeError(
        `overlapping edits at lines ${list[i - 1]!.line + 1} and ${list[i]!.line + 1}`,
      );
  }
  return list;
}

/** The edited text as pieces: untouched runs of the file (slices, not copies) and the inserted lines. */
export function editedParts(changelog: ChangelogDocument, edits: readonly LineEdit[]): string[] {
  const parts: string[] = [];
  let copied = 0;
  for (const edit of sorted(edits)) {
    parts.push(changelog.text.slice(copied, changelog.lineOffset(edit.line)), ...edit.insert);
    copied = changelog.lineOffset(edit.line + edit.remove);
  }
  parts.push(changelog.text.slice(copied));
  return parts;
}

/**
 * The edited file as byte pieces: untouched runs of the original bytes (views, not copies) and the
 * inserted lines as UTF-8. Whatever lies outside the edited lines, invalid UTF-8, NUL, a lone CR
 * or a missing final newline, is written back exactly as it was read.
 */
export function editedByteParts(
  changelog: ChangelogDocument,
  edits: readonly LineEdit[],
): Uint8Array[] {
  const bytes = changelog.bytes;
  const parts: Uint8Array[] = [];
  let copied = 0;
  for (const edit of sorted(edits)) {
    parts.push(bytes.subarray(copied, changelog.lineByteOffset(edit.line)));
    if (edit.insert.length) parts.push(Buffer.from(edit.insert.join(''), 'utf8'));
    copied = changelog.lineByteOffset(edit.line + edit.remove);
  }
  parts.push(bytes.subarray(copied));
  return parts;
}

/** The bytes of the file with the edits applied (see {@link editedByteParts}). */
export function applyEditsToBytes(
  changelog: ChangelogDocument,
  edits: readonly LineEdit[],
): Uint8Array {
  return Buffer.concat(editedByteParts(changelog, edits));
}

/** The text with the edits applied; untouched lines are copied as they are, in one pass. */
export function applyEdits(changelog: ChangelogDocument, edits: readonly LineEdit[]): string {
  return editedParts(changelog, edits).join('');
}

const CONTEXT = 3;

function diffLine(prefix: string, line: string): string {
  // A CRLF line keeps its \r, as `diff -u` and git print it, so the patch applies to the file.
  return line.endsWith('\n')
    ? `${prefix}${line}`
    : `${prefix}${line}\n\\ No newline at end of file\n`;
}

function range(start: number, count: number): string {
  // Unified diff numbers an empty range by the line before it.
  return count === 1 ? String(start + 1) : `${count === 0 ? start : start + 1},${count}`;
}

/**
 * A unified diff (`diff -u`, 3 lines of context) of the edits, built from the edits themselves,
 * so its cost depends on the size of the change, not of the file.
 */
export function unifiedDiff(
  changelog: ChangelogDocument,
  edits: readonly LineEdit[],
  path = changelog.file ?? 'CHANGELOG.md',
): string {
  const list = sorted(edits).filter((e) => e.remove > 0 || e.insert.length > 0);
  if (!list.length) return '';
  // git-style a/ b/ prefixes for relative paths; an absolute path is printed as it is, as `diff -u` does.
  const [oldName, newName] = isAbsolute(path) ? [path, path] : [`a/${path}`, `b/${path}`];
  const out = [`--- ${oldName}\n`, `+++ ${newName}\n`];
  let delta = 0;
  let i = 0;
  while (i < list.length) {
    // Group edits whose context overlaps into one hunk.
    let j = i;
    while (
      j + 1 < list.length &&
      list[j + 1]!.line - (list[j]!.line + list[j]!.remove) <= 2 * CONTEXT
    )
      j++;
    const oldStart = Math.max(0, list[i]!.line - CONTEXT);
    const oldEnd = Math.min(changelog.lineCount, list[j]!.line + list[j]!.remove + CONTEXT);
    const body: string[] = [];
    let newCount = 0;
    let at = oldStart;
    for (let k = i; k <= j; k++) {
      const edit = list[k]!;
      for (; at < edit.line; at++, newCount++) body.push(diffLine(' ', changelog.line(at)));
      for (let r = 0; r < edit.remove; r++) body.push(diffLine('-', changelog.line(edit.line + r)));
      for (const line of edit.insert) body.push(diffLine('+', line));
      newCount += edit.insert.length;
      at = edit.line + edit.remove;
    }
    for (; at < oldEnd; at++, newCount++) body.push(diffLine(' ', changelog.line(at)));
    const oldCount = oldEnd - oldStart;
    out.push(
      `@@ -${range(oldStart, oldCount)} +${range(oldStart + delta, newCount)} @@\n`,
      ...body,
    );
    delta += newCount - oldCount;
    i = j + 1;
  }
  return out.join('');
}
