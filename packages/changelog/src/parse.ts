import { parseSemVer } from './semver';
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

/** A line the scan did not mark: text or blank, told apart when someone asks (see `resolveLineKind`). */
const PLAIN = 0;

export interface ParsedChangelog {
  text: string;
  /** Start offset of every line (a final line without a line ending included); `lineCount` entries are used. */
  lineStarts: Int32Array;
  lineCount: number;
  /** One entry per line: a {@link LineKind}, or 0 for a line not yet told text or blank. */
  lineKinds: Uint8Array;
  /** The line ending used by most lines, for lines an edit adds. */
  eol: '\n' | '\r\n';
  title?: Heading;
  /** Lines before the first section: title and preamble. */
  preambleEndLine: number;
  sections: Section[];
  /** Lines of the link reference definitions, ascending; {@link readLinkDefinitionAt} reads one. */
  linkLines: number[];
}

const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const HASH = 0x23;
const BACKTICK = 0x60;
const BRACKET = 0x5b;
const LT = 0x3c;

// Sticky and matched in place (no copy of the line); `\n` is excluded so a match stays on its line.
const LINK_DEFINITION = / {0,3}\[((?:[^\][\\\n]|\\.){1,999})\]:[ \t]*(?:<([^>\n]*)>|(\S+))/y;
// `[1.0.0] - 2020-01-01`, `1.0.0 - 2020-01-01 [YANKED]`, `[1.0.0](url) - 2020-01-01`, `[Unreleased]`
const UNRELEASED = /^\s*unreleased\s*$/i;
const VERSION_HEADING = /^(?:\[([^\]]+)\](?:\([^)]*\))?|([^\s[\]]+))(?:[ \t]+[-–—][ \t]+(\S+))?(?:[ \t]+(\[YANKED\]|YANKED))?$/i;

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

function readHeading(text: string, first: number, contentEnd: number, indent: number, lineIndex: number, level: number): Heading {
  return { level, text: headingText(text.slice(first + level, contentEnd)), line: lineIndex + 1, column: indent + 1, lineIndex };
}

/** Whether a link reference definition starts the line; `test` builds no match, so the scan allocates nothing per link. */
function isLinkDefinition(text: string, lineStart: number, contentEnd: number): boolean {
  LINK_DEFINITION.lastIndex = lineStart;
  return LINK_DEFINITION.test(text) && LINK_DEFINITION.lastIndex <= contentEnd;
}

/** The link reference definition on a line the scan marked as one (see `linkLines`). */
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

/** Parses a changelog in one pass over its lines; never throws, whatever the input. */
interface ScannedLines {
  lineStarts: Int32Array;
  lineKinds: Uint8Array;
  lineCount: number;
  /** Level 1 and 2 headings. */
  headings: Heading[];
  /** Lines of the level 3 to 6 headings, ascending. */
  minorHeadings: number[];
  linkLines: number[];
  crlf: number;
  lf: number;
}

/** Parses a changelog in one pass over its lines; never throws, whatever the input. */
export function parseText(text: string): ParsedChangelog {
  const lines = scanLines(text);
  const { sections, title } = groupSections(text, lines);
  return {
    text,
    lineStarts: lines.lineStarts,
    lineCount: lines.lineCount,
    lineKinds: lines.lineKinds,
    eol: lines.crlf > lines.lf ? '\r\n' : '\n',
    ...(title ? { title } : {}),
    preambleEndLine: sections.length ? sections[0]!.startLine : lines.lineCount,
    sections,
    linkLines: lines.linkLines,
  };
}

/** Offset of the end of a line's content: before its `\n` or `\r\n`. */
function contentEndOf(text: string, lineStart: number, nextLineStart: number): number {
  let end = nextLineStart;
  if (end > lineStart && text.charCodeAt(end - 1) === LF) end--;
  if (end > lineStart && text.charCodeAt(end - 1) === CR) end--;
  return end;
}

/** Text or blank, for a line the scan left unmarked; remembered in `lineKinds`. */
export function resolveLineKind(text: string, lineStarts: Int32Array, lineKinds: Uint8Array, lineCount: number, index: number): number {
  const kind = lineKinds[index]!;
  if (kind !== PLAIN) return kind;
  const start = lineStarts[index]!;
  const resolved = isBlankRange(text, start, contentEndOf(text, start, index + 1 < lineCount ? lineStarts[index + 1]! : text.length)) ? LineKind.Blank : LineKind.Text;
  lineKinds[index] = resolved;
  return resolved;
}

const TILDE = 0x7e;

/**
 * A line that can be something other than text: up to 3 spaces, then `#`, `[`, a fence or `<!--`.
 * A few char tests per line start; a multiline regex would try every offset of the file.
 */
function isSpecialLine(text: string, lineStart: number): boolean {
  let i = lineStart;
  while (i < lineStart + 3 && text.charCodeAt(i) === SPACE) i++;
  const c = text.charCodeAt(i);
  if (c === HASH || c === BRACKET) return true;
  if (c === BACKTICK || c === TILDE) return text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c;
  return c === LT && text.startsWith('<!--', i);
}
const BACKTICK_FENCE_CLOSE = /^ {0,3}(`{3,})[ \t]*$/gm;
const TILDE_FENCE_CLOSE = /^ {0,3}(~{3,})[ \t]*$/gm;

interface LineTable {
  lineStarts: Int32Array;
  lineCount: number;
  crlf: number;
  lf: number;
}

// The per-line loops are small functions of their own: V8 optimizes a small hot loop at once.
function lineTable(text: string): LineTable {
  let lineStarts = new Int32Array((text.length >> 5) + 16);
  let lineCount = 0;
  let crlf = 0;
  let lf = 0;
  for (let pos = 0; pos < text.length; ) {
    if (lineCount === lineStarts.length) {
      const bigger = new Int32Array(lineStarts.length * 2);
      bigger.set(lineStarts);
      lineStarts = bigger;
    }
    lineStarts[lineCount++] = pos;
    const newline = text.indexOf('\n', pos);
    if (newline === -1) break;
    if (newline > pos && text.charCodeAt(newline - 1) === CR) crlf++;
    else lf++;
    pos = newline + 1;
  }
  return { lineStarts, lineCount, crlf, lf };
}

/** The index of the line starting at `offset`, searching forward from line `from`. */
function lineAt(lineStarts: Int32Array, from: number, offset: number): number {
  let line = from;
  while (lineStarts[line] !== offset) line++;
  return line;
}

/** Line starts, line kinds, headings and link definitions; code blocks and comments hide what is in them. */
function scanLines(text: string): ScannedLines {
  const { lineStarts, lineCount, crlf, lf } = lineTable(text);

  const kinds = new Uint8Array(lineCount);
  const headings: Heading[] = [];
  const minorHeadings: number[] = [];
  const linkLines: number[] = [];
  const nextStart = (index: number) => (index + 1 < lineCount ? lineStarts[index + 1]! : text.length);
  for (let line = 0; line < lineCount; line++) {
    const lineStart = lineStarts[line]!;
    if (!isSpecialLine(text, lineStart)) continue;
    const contentEnd = contentEndOf(text, lineStart, nextStart(line));
    let indent = 0;
    while (text.charCodeAt(lineStart + indent) === SPACE) indent++;
    const first = lineStart + indent;
    const c = text.charCodeAt(first);
    if (c === HASH) {
      const level = headingLevel(text, first, contentEnd);
      if (level > 2) {
        // Subsection headings become objects only when someone reads a section's subsections.
        minorHeadings.push(line);
        kinds[line] = LineKind.Heading;
      } else if (level) {
        headings.push(readHeading(text, first, contentEnd, indent, line, level));
        kinds[line] = LineKind.Heading;
      }
    } else if (c === BRACKET) {
      if (isLinkDefinition(text, lineStart, contentEnd)) {
        linkLines.push(line);
        kinds[line] = LineKind.LinkDefinition;
      }
    } else if (c === LT) {
      // An HTML comment runs to the line holding `-->`; what is inside is not markdown.
      const close = text.indexOf('-->', first + 4);
      let last = line;
      while (last + 1 < lineCount && close !== -1 && lineStarts[last + 1]! <= close) last++;
      if (close === -1) last = lineCount - 1;
      kinds.fill(LineKind.Comment, line, last + 1);
      line = last;
    } else {
      const run = runLength(text, first, contentEnd, c);
      // A backtick fence's info string cannot hold a backtick (that is inline code).
      if (c === BACKTICK && text.slice(first + run, contentEnd).includes('`')) continue;
      const last = fenceEnd(text, c === BACKTICK ? BACKTICK_FENCE_CLOSE : TILDE_FENCE_CLOSE, run, nextStart(line), lineStarts, line, lineCount);
      kinds.fill(LineKind.Code, line, last + 1);
      line = last;
    }
  }
  return { lineStarts, lineKinds: kinds, lineCount, headings, minorHeadings, linkLines, crlf, lf };
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

/** Sections from the level 1 and 2 headings; what only some callers need is worked out on first use. */
function groupSections(text: string, lines: ScannedLines): { sections: Section[]; title?: Heading } {
  const { headings, lineCount } = lines;
  let title: Heading | undefined;
  let first = 0;
  if (headings[0]?.level === 1) title = headings[first++];
  const doc: SectionSource = { text, lines, kindOf: (index) => resolveLineKind(text, lines.lineStarts, lines.lineKinds, lineCount, index) };
  const sections: Section[] = [];
  for (let i = first; i < headings.length; i++) {
    sections.push(new LazySection(doc, headings[i]!, i + 1 < headings.length ? headings[i + 1]!.lineIndex : lineCount));
  }
  return title ? { sections, title } : { sections };
}

interface SectionSource {
  text: string;
  lines: ScannedLines;
  kindOf: (index: number) => number;
}

/** First index in an ascending list that is >= `value`. */
function lowerBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class LazySection implements Section {
  kind: SectionKind = 'unknown';
  readonly heading: Heading;
  readonly startLine: number;
  readonly endLine: number;
  label?: string;
  version?: string;
  semver?: SemVer;
  versionPosition?: Position;
  date?: string;
  datePosition?: Position;
  yanked = false;
  bracketed = false;
  readonly #doc: SectionSource;
  #contentEndLine?: number;
  #subsections?: Subsection[];
  #hasEntries?: boolean;

  constructor(doc: SectionSource, heading: Heading, endLine: number) {
    this.#doc = doc;
    this.heading = heading;
    this.startLine = heading.lineIndex;
    this.endLine = endLine;
    const m = heading.level === 2 ? VERSION_HEADING.exec(heading.text) : null;
    if (m) this.readVersionHeading(m);
  }

  private readVersionHeading(m: RegExpExecArray): void {
    const { heading } = this;
    const label = (m[1] ?? m[2])!;
    const { text, lines } = this.#doc;
    const lineStart = lines.lineStarts[heading.lineIndex]!;
    const labelColumn = text.indexOf(label, lineStart) - lineStart + 1;
    this.label = label;
    this.bracketed = m[1] !== undefined;
    this.yanked = m[4] !== undefined;
    if (UNRELEASED.test(label)) {
      this.kind = 'unreleased';
    } else {
      const version = label.replace(/^[vV](?=\d)/, '');
      const semver = parseSemVer(version);
      this.version = version;
      this.versionPosition = { line: heading.line, column: labelColumn + (label.length - version.length) };
      if (semver) {
        this.kind = 'release';
        this.semver = semver;
      }
    }
    if (m[3] !== undefined) {
      this.date = m[3];
      this.datePosition = { line: heading.line, column: text.indexOf(m[3], lineStart + labelColumn + label.length - 1) - lineStart + 1 };
    }
  }

  get contentEndLine(): number {
    if (this.#contentEndLine === undefined) {
      const { kindOf } = this.#doc;
      let end = this.endLine;
      while (end > this.startLine + 1 && (kindOf(end - 1) === LineKind.Blank || kindOf(end - 1) === LineKind.LinkDefinition)) end--;
      this.#contentEndLine = end;
    }
    return this.#contentEndLine;
  }

  get subsections(): Subsection[] {
    if (!this.#subsections) {
      const { text, lines } = this.#doc;
      const end = this.contentEndLine;
      const level3: Heading[] = [];
      for (let i = lowerBound(lines.minorHeadings, this.startLine + 1); i < lines.minorHeadings.length && lines.minorHeadings[i]! < end; i++) {
        const heading = minorHeading(text, lines, lines.minorHeadings[i]!);
        if (heading.level === 3) level3.push(heading);
      }
      this.#subsections = level3.map((h, i) => {
        const subEnd = i + 1 < level3.length ? level3[i + 1]!.lineIndex : end;
        return { heading: h, startLine: h.lineIndex, endLine: subEnd, hasEntries: this.hasEntriesIn(h.lineIndex + 1, subEnd) };
      });
    }
    return this.#subsections;
  }

  get hasEntries(): boolean {
    this.#hasEntries ??= this.hasEntriesIn(this.startLine + 1, this.contentEndLine);
    return this.#hasEntries;
  }

  /** A list item, paragraph, code block or heading below level 3 in [from, to). */
  private hasEntriesIn(from: number, to: number): boolean {
    const { text, lines, kindOf } = this.#doc;
    for (let i = from; i < to; i++) {
      const kind = kindOf(i);
      if (kind === LineKind.Text || kind === LineKind.Code) return true;
      if (kind === LineKind.Heading && minorHeading(text, lines, i).level > 3) return true;
    }
    return false;
  }
}

function minorHeading(text: string, lines: ScannedLines, lineIndex: number): Heading {
  const lineStart = lines.lineStarts[lineIndex]!;
  const contentEnd = contentEndOf(text, lineStart, lineIndex + 1 < lines.lineCount ? lines.lineStarts[lineIndex + 1]! : text.length);
  let indent = 0;
  while (text.charCodeAt(lineStart + indent) === SPACE) indent++;
  return readHeading(text, lineStart + indent, contentEnd, indent, lineIndex, headingLevel(text, lineStart + indent, contentEnd));
}
