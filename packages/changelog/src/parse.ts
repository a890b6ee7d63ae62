import type { SemVer } from '@oci-sd/core';
import type { HeadingStyle } from './heading';

/** 1-based line and column (UTF-16 code units), as editors and compilers count them. */
export interface Position {
  line: number;
  column: number;
}

/** An ATX heading (`## text`) outside code blocks and HTML comments. */
export interface Heading extends Position {
  level: number;
  /** The heading text without the `#` markers, the closing sequence and surrounding spaces. */
  text: string;
  /** 0-based index of the heading's line. */
  lineIndex: number;
}

/** A `###` heading inside a version section and the lines up to the next heading of level <= 3. */
export interface Subsection {
  heading: Heading;
  /** 0-based line range [startLine, endLine) from the heading up to the next subsection or section. */
  startLine: number;
  endLine: number;
  /** True when a list item, paragraph, code block or deeper heading follows (blank lines, comments and link definitions do not count). */
  hasEntries: boolean;
}

export type SectionKind = 'unreleased' | 'release' | 'unknown';

/** A `##` (or later `#`) heading and everything up to the next one. `contentEndLine`, `subsections` and `hasEntries` are worked out on first read. */
export interface Section {
  kind: SectionKind;
  heading: Heading;
  /** 0-based line range [startLine, endLine): the heading line up to the next top-level heading or the end of the file. */
  startLine: number;
  endLine: number;
  /** End of the section's own content: trailing blank lines and link reference definitions excluded. */
  contentEndLine: number;
  /** The heading's label as written, without brackets: `Unreleased`, `1.0.0`, `v1.0.0`; what a link reference is named. */
  label?: string;
  /** Every version the heading names (several in a monorepo heading: `[1.41.0/0.63.0/0.17.0]`). */
  versions?: string[];
  /** The version without a `v`; absent for Unreleased. Set for a one-word heading that is no semver (kind `unknown`) too, for errors. */
  version?: string;
  semver?: SemVer;
  versionPosition?: Position;
  /** The date as written after the separator, valid or not. */
  date?: string;
  datePosition?: Position;
  yanked: boolean;
  /** `## [1.0.0]` rather than `## 1.0.0`. */
  bracketed: boolean;
  /** A version that looks like one but is no semantic version (`1.0`, `2024.1`): not read as a release. */
  versionLike: boolean;
  /** How the heading is written, for a new heading written the same way. */
  style?: HeadingStyle;
  /** The URL of a heading that links its release: `## [1.2.0](url) (2026-01-31)`. */
  url?: string;
  subsections: Subsection[];
  hasEntries: boolean;
}

/** A link reference definition: `[label]: url "title"`. */
export interface LinkDefinition extends Position {
  label: string;
  url: string;
  urlPosition: Position;
  lineIndex: number;
}

/** What each line is, for the walks that skip blank lines, code and definitions. */
export const LineKind = {
  Blank: 1,
  Text: 2,
  Heading: 3,
  LinkDefinition: 4,
  Code: 5,
  Comment: 6,
} as const;

/** A line the scan did not mark: blank, text or a link definition, told apart when someone asks (see `resolveLineKind`). */
const PLAIN = 0;

export interface ParsedChangelog {
  text: string;
  /** Start offset of every line (a final line without a line ending included); `lineCount` entries are used. */
  lineStarts: Int32Array;
  lineCount: number;
  /** One entry per line: a {@link LineKind}, or 0 for a line not yet told blank, text or link definition. */
  lineKinds: Uint8Array;
  /** The line ending used by most lines, for lines an edit adds. */
  eol: '\n' | '\r\n';
  title?: Heading;
  /** Lines before the first section: title and preamble. */
  preambleEndLine: number;
  /** 0-based lines of the section headings, ascending: every level 2 heading, and level 1 headings after the title. */
  sectionLines: Int32Array;
  /** The level (1 or 2) of each section heading. */
  sectionLevels: Uint8Array;
  /** Lines outside code and comments that start with `[` after at most 3 spaces: where link reference definitions can be. */
  bracketLines: Int32Array;
}

const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const HASH = 0x23;
const BACKTICK = 0x60;
const TILDE = 0x7e;
const BRACKET = 0x5b;
const LT = 0x3c;

// Sticky and matched in place (no copy of the line); `\n` is excluded so a match stays on its line.
const LINK_DEFINITION = / {0,3}\[((?:[^\][\\\n]|\\.){1,999})\]:[ \t]*(?:<([^>\n]*)>|(\S+))/y;
const VERSION_TITLE = /^\[?[ \t]*(?:[vV]?\d+\.\d|unreleased\b)/i;
const BACKTICK_FENCE_CLOSE = /^ {0,3}(`{3,})[ \t]*$/gm;
const TILDE_FENCE_CLOSE = /^ {0,3}(~{3,})[ \t]*$/gm;

function isBlankRange(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}

/** Length of the run of `code` starting at `at`. */
function runLength(text: string, at: number, end: number, code: number): number {
  let i = at;
  while (i < end && text.charCodeAt(i) === code) i++;
  return i - at;
}

/** Offset of the first character after at most 3 spaces of indentation. */
function afterIndent(text: string, lineStart: number): number {
  let i = lineStart;
  while (i < lineStart + 3 && text.charCodeAt(i) === SPACE) i++;
  return i;
}

function headingText(raw: string): string {
  let text = raw.trim();
  // An optional closing sequence: `## 1.0.0 ##`.
  if (text.charCodeAt(text.length - 1) === HASH) {
    const closing = /(?:^|[ \t])#+$/.exec(text);
    if (closing) text = text.slice(0, closing.index).trimEnd();
  }
  return text;
}

/** The level of an ATX heading starting at `first` (`#` to `######` then a space, a tab or the end), else 0. */
function headingLevel(text: string, first: number, contentEnd: number): number {
  const level = runLength(text, first, contentEnd, HASH);
  const after = first + level;
  return level <= 6 &&
    (after === contentEnd || text.charCodeAt(after) === SPACE || text.charCodeAt(after) === TAB)
    ? level
    : 0;
}

/** Offset of the end of a line's content: before its `\n` or `\r\n`. */
function contentEndOf(text: string, lineStart: number, nextLineStart: number): number {
  let end = nextLineStart;
  if (end > lineStart && text.charCodeAt(end - 1) === LF) end--;
  if (end > lineStart && text.charCodeAt(end - 1) === CR) end--;
  return end;
}

function lineEnd(
  parsed: Pick<ParsedChangelog, 'text' | 'lineStarts' | 'lineCount'>,
  index: number,
): number {
  return index + 1 < parsed.lineCount ? parsed.lineStarts[index + 1]! : parsed.text.length;
}

/** The heading on a line the scan marked as one. */
export function readHeadingAt(
  parsed: Pick<ParsedChangelog, 'text' | 'lineStarts' | 'lineCount'>,
  lineIndex: number,
): Heading {
  const { text } = parsed;
  const lineStart = parsed.lineStarts[lineIndex]!;
  const contentEnd = contentEndOf(text, lineStart, lineEnd(parsed, lineIndex));
  const first = afterIndent(text, lineStart);
  const level = headingLevel(text, first, contentEnd);
  return {
    level,
    text: headingText(text.slice(first + level, contentEnd)),
    line: lineIndex + 1,
    column: first - lineStart + 1,
    lineIndex,
  };
}

/** Whether a link reference definition starts the line; `test` builds no match, so checking a line allocates nothing. */
function isLinkDefinition(text: string, lineStart: number, contentEnd: number): boolean {
  LINK_DEFINITION.lastIndex = lineStart;
  return LINK_DEFINITION.test(text) && LINK_DEFINITION.lastIndex <= contentEnd;
}

/** The link reference definition on a line {@link resolveLineKind} told one. */
export function readLinkDefinitionAt(
  text: string,
  lineStarts: Int32Array,
  lineIndex: number,
): LinkDefinition {
  const lineStart = lineStarts[lineIndex]!;
  LINK_DEFINITION.lastIndex = lineStart;
  const m = LINK_DEFINITION.exec(text)!;
  let indent = 0;
  while (text.charCodeAt(lineStart + indent) === SPACE) indent++;
  const url = m[2] ?? m[3] ?? '';
  const urlStart = m[0].length - url.length - (m[2] !== undefined ? 1 : 0);
  return {
    label: m[1]!,
    url,
    line: lineIndex + 1,
    column: indent + 1,
    urlPosition: { line: lineIndex + 1, column: urlStart + 1 },
    lineIndex,
  };
}

/** Blank, text or a link definition, for a line the scan left unmarked; remembered in `lineKinds`. */
export function resolveLineKind(
  parsed: Pick<ParsedChangelog, 'text' | 'lineStarts' | 'lineCount' | 'lineKinds'>,
  index: number,
): number {
  const { text, lineKinds } = parsed;
  const kind = lineKinds[index]!;
  if (kind !== PLAIN) return kind;
  const start = parsed.lineStarts[index]!;
  const contentEnd = contentEndOf(text, start, lineEnd(parsed, index));
  let resolved: number = LineKind.Text;
  if (isBlankRange(text, start, contentEnd)) resolved = LineKind.Blank;
  else if (
    text.charCodeAt(afterIndent(text, start)) === BRACKET &&
    isLinkDefinition(text, start, contentEnd)
  )
    resolved = LineKind.LinkDefinition;
  lineKinds[index] = resolved;
  return resolved;
}

function grown<T extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(list: T): T {
  const bigger = new (list.constructor as new (length: number) => T)(list.length * 2);
  bigger.set(list);
  return bigger;
}

/** Offset of the start of the line after the one holding `offset` (the text length on the last line). */
function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/**
 * Where a code block or comment opening on this line ends (the start of the line after its last
 * line), or -1 when the line opens none. `c` is the line's first character after its indentation.
 */
function hiddenBlockEnd(
  text: string,
  lineStart: number,
  first: number,
  c: number,
  next: number,
): number {
  if (c === LT) {
    if (!text.startsWith('<!--', first)) return -1;
    // An HTML comment runs to the line holding `-->`; what is inside is not markdown.
    const close = text.indexOf('-->', first + 4);
    return close === -1 ? text.length : nextLineStart(text, close);
  }
  if (text.charCodeAt(first + 1) !== c || text.charCodeAt(first + 2) !== c) return -1;
  const contentEnd = contentEndOf(text, lineStart, next);
  const run = runLength(text, first, contentEnd, c);
  // A backtick fence's info string cannot hold a backtick (that is inline code).
  if (c === BACKTICK && text.slice(first + run, contentEnd).includes('`')) return -1;
  return fenceEnd(text, c === BACKTICK ? BACKTICK_FENCE_CLOSE : TILDE_FENCE_CLOSE, run, next);
}

/** The end of the line that closes a fence opened with `length` marks (the text length when nothing does). */
function fenceEnd(text: string, close: RegExp, length: number, from: number): number {
  close.lastIndex = from;
  for (let m = close.exec(text); m; m = close.exec(text)) {
    const end = m.index + m[0].length;
    const atLineStart = m.index === 0 || text.charCodeAt(m.index - 1) === LF;
    const atLineEnd =
      end === text.length ||
      text.charCodeAt(end) === LF ||
      (text.charCodeAt(end) === CR && (end + 1 === text.length || text.charCodeAt(end + 1) === LF));
    if (atLineStart && atLineEnd && m[1]!.length >= length) return nextLineStart(text, m.index);
  }
  return text.length;
}

/**
 * Parses a changelog in one pass over its lines; never throws, whatever the input. The pass records
 * where every line starts, marks headings, code blocks and comments, and notes the section headings
 * and the lines that can hold a link definition; what a line holds beyond that is read when someone
 * asks. One loop, not several: a cold process pays V8's warm-up once (a second pass cost ~5 ms on 6 MB).
 */
export function parseText(text: string): ParsedChangelog {
  // Sized for lines of 32 characters on average, so a typical file never grows them (a first growth
  // in the optimized loop sends V8 back to the interpreter).
  let lineStarts: Int32Array<ArrayBuffer> = new Int32Array((text.length >> 5) + 16);
  let lineKinds: Uint8Array<ArrayBuffer> = new Uint8Array(lineStarts.length);
  // Plain arrays: their push is a builtin, cheap even before V8 optimizes the loop.
  const sectionLines: number[] = [];
  const levels: number[] = [];
  const bracketLines: number[] = [];
  let lineCount = 0;
  let crlf = 0;
  let lf = 0;
  // Lines starting before `hiddenEnd` are inside a code block or comment, of kind `hiddenKind`.
  let hiddenEnd = -1;
  let hiddenKind = 0;
  const length = text.length;
  for (let pos = 0; pos < length;) {
    if (lineCount === lineStarts.length) {
      lineStarts = grown(lineStarts);
      lineKinds = grown(lineKinds);
    }
    lineStarts[lineCount] = pos;
    const newline = text.indexOf('\n', pos);
    const next = newline === -1 ? length : newline + 1;
    if (pos < hiddenEnd) {
      lineKinds[lineCount] = hiddenKind;
    } else {
      let first = pos;
      let c = text.charCodeAt(pos);
      // An indented line counts by what follows its (at most 3) spaces.
      if (c === SPACE) c = text.charCodeAt((first = afterIndent(text, pos)));
      if (c === HASH) {
        const level = headingLevel(text, first, contentEndOf(text, pos, next));
        if (level) {
          lineKinds[lineCount] = LineKind.Heading;
          if (level <= 2) {
            sectionLines.push(lineCount);
            levels.push(level);
          }
        }
      } else if (c === BRACKET) {
        bracketLines.push(lineCount);
      } else if (c === LT || c === BACKTICK || c === TILDE) {
        const end = hiddenBlockEnd(text, pos, first, c, next);
        if (end !== -1) {
          hiddenEnd = end;
          hiddenKind = c === LT ? LineKind.Comment : LineKind.Code;
          lineKinds[lineCount] = hiddenKind;
        }
      }
    }
    lineCount++;
    if (newline === -1) break;
    if (newline > pos && text.charCodeAt(newline - 1) === CR) crlf++;
    else lf++;
    pos = next;
  }
  const lines = { text, lineStarts, lineCount, lineKinds: lineKinds.subarray(0, lineCount) };
  let firstSection = 0;
  // conventional-changelog writes major and minor releases as `# [2.0.0](url) (date)`: a level 1
  // heading that names a version or Unreleased is a section, not the title.
  const firstHeading = levels[0] === 1 ? readHeadingAt(lines, sectionLines[0]!) : undefined;
  const title =
    firstHeading && !VERSION_TITLE.test(firstHeading.text)
      ? (firstSection++, firstHeading)
      : undefined;
  const sections = Int32Array.from(sectionLines.slice(firstSection));
  return {
    ...lines,
    eol: crlf > lf ? '\r\n' : '\n',
    ...(title ? { title } : {}),
    preambleEndLine: sections.length ? sections[0]! : lineCount,
    sectionLines: sections,
    sectionLevels: Uint8Array.from(levels.slice(firstSection)),
    bracketLines: Int32Array.from(bracketLines),
  };
}
