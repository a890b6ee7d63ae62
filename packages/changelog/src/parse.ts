import type { SemVer } from './semver';

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
export const LineKind = { Blank: 1, Text: 2, Heading: 3, LinkDefinition: 4, Code: 5, Comment: 6 } as const;

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
  return level <= 6 && (after === contentEnd || text.charCodeAt(after) === SPACE || text.charCodeAt(after) === TAB) ? level : 0;
}

/** Offset of the end of a line's content: before its `\n` or `\r\n`. */
function contentEndOf(text: string, lineStart: number, nextLineStart: number): number {
  let end = nextLineStart;
  if (end > lineStart && text.charCodeAt(end - 1) === LF) end--;
  if (end > lineStart && text.charCodeAt(end - 1) === CR) end--;
  return end;
}

function lineEnd(parsed: Pick<ParsedChangelog, 'text' | 'lineStarts' | 'lineCount'>, index: number): number {
  return index + 1 < parsed.lineCount ? parsed.lineStarts[index + 1]! : parsed.text.length;
}

/** The heading on a line the scan marked as one. */
export function readHeadingAt(parsed: Pick<ParsedChangelog, 'text' | 'lineStarts' | 'lineCount'>, lineIndex: number): Heading {
  const { text } = parsed;
  const lineStart = parsed.lineStarts[lineIndex]!;
  const contentEnd = contentEndOf(text, lineStart, lineEnd(parsed, lineIndex));
  const first = afterIndent(text, lineStart);
  const level = headingLevel(text, first, contentEnd);
  return { level, text: headingText(text.slice(first + level, contentEnd)), line: lineIndex + 1, column: first - lineStart + 1, lineIndex };
}

/** Whether a link reference definition starts the line; `test` builds no match, so checking a line allocates nothing. */
function isLinkDefinition(text: string, lineStart: number, contentEnd: number): boolean {
  LINK_DEFINITION.lastIndex = lineStart;
  return LINK_DEFINITION.test(text) && LINK_DEFINITION.lastIndex <= contentEnd;
}

/** The link reference definition on a line {@link resolveLineKind} told one. */
export function readLinkDefinitionAt(text: string, lineStarts: Int32Array, lineIndex: number): LinkDefinition {
  const lineStart = lineStarts[lineIndex]!;
  LINK_DEFINITION.lastIndex = lineStart;
  const m = LINK_DEFINITION.exec(text)!;
  let indent = 0;
  while (text.charCodeAt(lineStart + indent) === SPACE) indent++;
  const url = m[2] ?? m[3] ?? '';
  const urlStart = m[0].length - url.length - (m[2] !== undefined ? 1 : 0);
  return { label: m[1]!, url, line: lineIndex + 1, column: indent + 1, urlPosition: { line: lineIndex + 1, column: urlStart + 1 }, lineIndex };
}

/** Blank, text or a link definition, for a line the scan left unmarked; remembered in `lineKinds`. */
export function resolveLineKind(parsed: Pick<ParsedChangelog, 'text' | 'lineStarts' | 'lineCount' | 'lineKinds'>, index: number): number {
  const { text, lineKinds } = parsed;
  const kind = lineKinds[index]!;
  if (kind !== PLAIN) return kind;
  const start = parsed.lineStarts[index]!;
  const contentEnd = contentEndOf(text, start, lineEnd(parsed, index));
  let resolved: number = LineKind.Text;
  if (isBlankRange(text, start, contentEnd)) resolved = LineKind.Blank;
  else if (text.charCodeAt(afterIndent(text, start)) === BRACKET && isLinkDefinition(text, start, contentEnd)) resolved = LineKind.LinkDefinition;
  lineKinds[index] = resolved;
  return resolved;
}

/** The index of the line starting at `offset`, searching forward from line `from`. */
function lineAt(lineStarts: Int32Array, from: number, offset: number): number {
  let line = from;
  while (lineStarts[line] !== offset) line++;
  return line;
}

function grown(list: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(list.length * 2);
  bigger.set(list);
  return bigger;
}

interface LineTable {
  lineStarts: Int32Array;
  lineCount: number;
  /** Lines that start with `#`, a space, `[`, a backtick, `~` or `<`: the only ones that can open a heading, a fence, a comment or a link definition. */
  candidates: Int32Array;
  candidateCount: number;
  crlf: number;
  lf: number;
}

// A small function of its own that does a few compares per line: V8 optimizes the hot loop at once.
function lineTable(text: string): LineTable {
  // Sized for lines of 32 characters on average, so a typical file never grows them (a first growth
  // in the optimized loop sends V8 back to the interpreter).
  let lineStarts: Int32Array<ArrayBuffer> = new Int32Array((text.length >> 5) + 16);
  let candidates: Int32Array<ArrayBuffer> = new Int32Array(lineStarts.length);
  let lineCount = 0;
  let candidateCount = 0;
  let crlf = 0;
  let lf = 0;
  const length = text.length;
  for (let pos = 0; pos < length; ) {
    if (lineCount === lineStarts.length) lineStarts = grown(lineStarts);
    const c = text.charCodeAt(pos);
    if (c === HASH || c === SPACE || c === BRACKET || c === BACKTICK || c === TILDE || c === LT) {
      if (candidateCount === candidates.length) candidates = grown(candidates);
      candidates[candidateCount++] = lineCount;
    }
    lineStarts[lineCount++] = pos;
    const newline = text.indexOf('\n', pos);
    if (newline === -1) break;
    if (newline > pos && text.charCodeAt(newline - 1) === CR) crlf++;
    else lf++;
    pos = newline + 1;
  }
  return { lineStarts, lineCount, candidates, candidateCount, crlf, lf };
}

/**
 * Parses a changelog; never throws, whatever the input. One pass records where every line starts
 * and which lines can open something (a heading, a fence, a comment, a link definition); a second
 * looks only at those. What a line holds beyond that is read when someone asks.
 */
export function parseText(text: string): ParsedChangelog {
  const { lineStarts, lineCount, candidates, candidateCount, crlf, lf } = lineTable(text);
  const lines = { text, lineStarts, lineCount, lineKinds: new Uint8Array(lineCount) };
  const { sectionLines, sectionLevels, bracketLines } = markBlocks(lines, candidates, candidateCount);
  let first = 0;
  const title = sectionLines.length && sectionLevels[0] === 1 ? readHeadingAt(lines, sectionLines[first++]!) : undefined;
  const sections = sectionLines.subarray(first);
  return {
    ...lines,
    eol: crlf > lf ? '\r\n' : '\n',
    ...(title ? { title } : {}),
    preambleEndLine: sections.length ? sections[0]! : lineCount,
    sectionLines: sections,
    sectionLevels: new Uint8Array(sectionLevels.subarray(first)),
    bracketLines,
  };
}

/** Headings, code blocks and comments among the candidate lines; code blocks and comments hide what is in them. */
function markBlocks(lines: Pick<ParsedChangelog, 'text' | 'lineStarts' | 'lineCount' | 'lineKinds'>, candidates: Int32Array, candidateCount: number) {
  const { text, lineStarts, lineCount, lineKinds } = lines;
  // Plain arrays: their push is a builtin, cheap even before V8 optimizes this loop.
  const sectionLines: number[] = [];
  const levels: number[] = [];
  const bracketLines: number[] = [];
  // The last line of the latest code block or comment.
  let hiddenUntil = -1;
  for (let k = 0; k < candidateCount; k++) {
    const line = candidates[k]!;
    if (line <= hiddenUntil) continue;
    const lineStart = lineStarts[line]!;
    const first = afterIndent(text, lineStart);
    const c = text.charCodeAt(first);
    if (c === HASH) {
      const level = headingLevel(text, first, contentEndOf(text, lineStart, lineEnd(lines, line)));
      if (!level) continue;
      lineKinds[line] = LineKind.Heading;
      if (level <= 2) {
        sectionLines.push(line);
        levels.push(level);
      }
    } else if (c === BRACKET) {
      bracketLines.push(line);
    } else if (c === LT && text.startsWith('<!--', first)) {
      // An HTML comment runs to the line holding `-->`; what is inside is not markdown.
      const close = text.indexOf('-->', first + 4);
      let last = line;
      if (close === -1) last = lineCount - 1;
      else while (last + 1 < lineCount && lineStarts[last + 1]! <= close) last++;
      lineKinds.fill(LineKind.Comment, line, last + 1);
      hiddenUntil = last;
    } else if ((c === BACKTICK || c === TILDE) && text.charCodeAt(first + 1) === c && text.charCodeAt(first + 2) === c) {
      const contentEnd = contentEndOf(text, lineStart, lineEnd(lines, line));
      const run = runLength(text, first, contentEnd, c);
      // A backtick fence's info string cannot hold a backtick (that is inline code).
      if (c === BACKTICK && text.slice(first + run, contentEnd).includes('`')) continue;
      const last = fenceEnd(text, c === BACKTICK ? BACKTICK_FENCE_CLOSE : TILDE_FENCE_CLOSE, run, lineEnd(lines, line), lineStarts, line, lineCount);
      lineKinds.fill(LineKind.Code, line, last + 1);
      hiddenUntil = last;
    }
  }
  return { sectionLines: Int32Array.from(sectionLines), sectionLevels: Uint8Array.from(levels), bracketLines: Int32Array.from(bracketLines) };
}

/** The line that closes a fence opened with `length` marks (the last line when nothing does). */
function fenceEnd(text: string, close: RegExp, length: number, from: number, lineStarts: Int32Array, openLine: number, lineCount: number): number {
  close.lastIndex = from;
  for (let m = close.exec(text); m; m = close.exec(text)) {
    const end = m.index + m[0].length;
    const atLineStart = m.index === 0 || text.charCodeAt(m.index - 1) === LF;
    const atLineEnd = end === text.length || text.charCodeAt(end) === LF || (text.charCodeAt(end) === CR && (end + 1 === text.length || text.charCodeAt(end + 1) === LF));
    if (atLineStart && atLineEnd && m[1]!.length >= length) {
      return lineAt(lineStarts, openLine, m.index);
    }
  }
  return lineCount - 1;
}
