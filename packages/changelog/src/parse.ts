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
  /** True when a list item, paragraph or code block follows (blank lines, comments and link definitions do not count). */
  hasEntries: boolean;
}

export type SectionKind = 'unreleased' | 'release' | 'unknown';

/** A `##` (or later `#`) heading and everything up to the next one. */
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
  /** The version (no `v`); absent for Unreleased and headings that are not versions. */
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
export const LineKind = { Blank: 0, Text: 1, Heading: 2, LinkDefinition: 3, Code: 4, Comment: 5 } as const;

export interface ParsedChangelog {
  text: string;
  /** Start offset of every line (a final line without a line ending included); `lineCount` entries are used. */
  lineStarts: Int32Array;
  lineCount: number;
  lineKinds: Uint8Array;
  /** The line ending used by most lines, for lines an edit adds. */
  eol: '\n' | '\r\n';
  title?: Heading;
  /** Lines before the first section: title and preamble. */
  preambleEndLine: number;
  sections: Section[];
  links: LinkDefinition[];
}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const HASH = 0x23;
const BACKTICK = 0x60;
const TILDE = 0x7e;
const BRACKET = 0x5b;
const LT = 0x3c;

const LINK_DEFINITION = /^ {0,3}\[((?:[^\][\\]|\\.){1,999})\]:[ \t]*(?:<([^>]*)>|(\S+))/;
// `[1.0.0] - 2020-01-01`, `1.0.0 - 2020-01-01 [YANKED]`, `[1.0.0](url) - 2020-01-01`, `[Unreleased]`
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

/** Parses a changelog in one pass over its lines; never throws, whatever the input. */
/** Typed arrays that grow by doubling: two bytes or four per line instead of a boxed array and a copy. */
function grow<T extends Int32Array | Uint8Array>(array: T, make: (length: number) => T): T {
  const bigger = make(array.length * 2);
  bigger.set(array);
  return bigger;
}

export function parseText(text: string): ParsedChangelog {
  const headings: Heading[] = [];
  const links: LinkDefinition[] = [];
  const estimate = (text.length >> 5) + 16;
  let lineStarts = new Int32Array(estimate);
  let kinds = new Uint8Array(estimate);
  let lineCount = 0;
  let crlf = 0;
  let lf = 0;
  let fenceChar = 0;
  let fenceLength = 0;
  let inComment = false;

  let pos = 0;
  while (pos < text.length) {
    const lineIndex = lineCount++;
    if (lineIndex === lineStarts.length) {
      lineStarts = grow(lineStarts, (n) => new Int32Array(n));
      kinds = grow(kinds, (n) => new Uint8Array(n));
    }
    const lineStart = pos;
    lineStarts[lineIndex] = lineStart;
    const newline = text.indexOf('\n', pos);
    const lineEnd = newline === -1 ? text.length : newline;
    let contentEnd = lineEnd;
    if (newline !== -1) {
      if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === CR) {
        contentEnd--;
        crlf++;
      } else {
        lf++;
      }
    } else if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === CR) {
      contentEnd--;
    }
    pos = newline === -1 ? text.length : newline + 1;

    let indent = 0;
    while (indent < 4 && text.charCodeAt(lineStart + indent) === SPACE) indent++;
    const first = lineStart + indent;
    const c = first < contentEnd ? text.charCodeAt(first) : -1;

    if (fenceChar) {
      const run = c === fenceChar && indent < 4 ? runLength(text, first, contentEnd, c) : 0;
      if (run >= fenceLength && isBlankRange(text, first + run, contentEnd)) fenceChar = 0;
      kinds[lineIndex] = LineKind.Code;
      continue;
    }
    if (inComment) {
      if (text.slice(lineStart, contentEnd).includes('-->')) inComment = false;
      kinds[lineIndex] = LineKind.Comment;
      continue;
    }
    if (isBlankRange(text, lineStart, contentEnd)) {
      kinds[lineIndex] = LineKind.Blank;
      continue;
    }
    if (indent >= 4 || c === TAB) {
      kinds[lineIndex] = LineKind.Text;
      continue;
    }
    if (c === BACKTICK || c === TILDE) {
      const run = runLength(text, first, contentEnd, c);
      // A backtick fence's info string cannot hold a backtick (that is inline code).
      if (run >= 3 && (c === TILDE || !text.slice(first + run, contentEnd).includes('`'))) {
        fenceChar = c;
        fenceLength = run;
        kinds[lineIndex] = LineKind.Code;
        continue;
      }
    } else if (c === LT && text.startsWith('<!--', first)) {
      inComment = !text.slice(first + 4, contentEnd).includes('-->');
      kinds[lineIndex] = LineKind.Comment;
      continue;
    } else if (c === HASH) {
      const level = runLength(text, first, contentEnd, HASH);
      const after = first + level;
      if (level <= 6 && (after === contentEnd || text.charCodeAt(after) === SPACE || text.charCodeAt(after) === TAB)) {
        headings.push({ level, text: headingText(text.slice(after, contentEnd)), line: lineIndex + 1, column: indent + 1, lineIndex });
        kinds[lineIndex] = LineKind.Heading;
        continue;
      }
    } else if (c === BRACKET) {
      const m = LINK_DEFINITION.exec(text.slice(lineStart, contentEnd));
      if (m) {
        const url = m[2] ?? m[3] ?? '';
        const urlStart = m[0].length - url.length - (m[2] !== undefined ? 1 : 0);
        links.push({ label: m[1]!, url, line: lineIndex + 1, column: indent + 1, urlPosition: { line: lineIndex + 1, column: urlStart + 1 }, lineIndex });
        kinds[lineIndex] = LineKind.LinkDefinition;
        continue;
      }
    }
    kinds[lineIndex] = LineKind.Text;
  }

  const lineKinds = kinds;
  const sectionHeadings: Heading[] = [];
  let title: Heading | undefined;
  for (const h of headings) {
    if (h.level === 1 && !title && !sectionHeadings.length) title = h;
    else if (h.level <= 2) sectionHeadings.push(h);
  }
  const sections: Section[] = [];
  let next = 0;
  for (let i = 0; i < sectionHeadings.length; i++) {
    const heading = sectionHeadings[i]!;
    const endLine = sectionHeadings[i + 1]?.lineIndex ?? lineCount;
    while (next < headings.length && headings[next]!.lineIndex <= heading.lineIndex) next++;
    const subHeadings: Heading[] = [];
    while (next < headings.length && headings[next]!.lineIndex < endLine) {
      if (headings[next]!.level === 3) subHeadings.push(headings[next]!);
      next++;
    }
    sections.push(buildSection(text, lineStarts, lineKinds, heading, endLine, subHeadings));
  }

  return {
    text,
    lineStarts,
    lineCount,
    lineKinds,
    eol: crlf > lf ? '\r\n' : '\n',
    ...(title ? { title } : {}),
    preambleEndLine: sections[0]?.startLine ?? lineCount,
    sections,
    links,
  };
}

function hasContent(lineKinds: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const kind = lineKinds[i];
    if (kind === LineKind.Text || kind === LineKind.Code || kind === LineKind.Heading) return true;
  }
  return false;
}

function buildSection(text: string, lineStarts: Int32Array, lineKinds: Uint8Array, heading: Heading, endLine: number, subHeadings: Heading[]): Section {
  let contentEndLine = endLine;
  while (contentEndLine > heading.lineIndex + 1 && (lineKinds[contentEndLine - 1] === LineKind.Blank || lineKinds[contentEndLine - 1] === LineKind.LinkDefinition)) {
    contentEndLine--;
  }
  const subsections: Subsection[] = subHeadings.map((h, i) => {
    const subEnd = subHeadings[i + 1]?.lineIndex ?? contentEndLine;
    return { heading: h, startLine: h.lineIndex, endLine: subEnd, hasEntries: hasContent(lineKinds, h.lineIndex + 1, subEnd) };
  });
  const section: Section = {
    kind: 'unknown',
    heading,
    startLine: heading.lineIndex,
    endLine,
    contentEndLine,
    yanked: false,
    bracketed: false,
    subsections,
    hasEntries: subsections.some((s) => s.hasEntries) || hasContent(lineKinds, heading.lineIndex + 1, subHeadings[0]?.lineIndex ?? contentEndLine),
  };
  const m = heading.level === 2 ? VERSION_HEADING.exec(heading.text) : null;
  if (!m) return section;
  const label = (m[1] ?? m[2])!;
  const lineText = text.slice(lineStarts[heading.lineIndex], text.indexOf('\n', lineStarts[heading.lineIndex]) + 1 || text.length);
  const column = (needle: string, from = 0): number => lineText.indexOf(needle, from) + 1;
  section.label = label;
  section.bracketed = m[1] !== undefined;
  section.yanked = m[4] !== undefined;
  if (/^unreleased$/i.test(label.trim())) {
    section.kind = 'unreleased';
  } else {
    const version = label.replace(/^[vV](?=\d)/, '');
    const semver = parseSemVer(version);
    section.version = version;
    section.versionPosition = { line: heading.line, column: column(label) + (label.length - version.length) };
    if (semver) {
      section.kind = 'release';
      section.semver = semver;
    }
  }
  if (m[3] !== undefined) {
    section.date = m[3];
    section.datePosition = { line: heading.line, column: column(m[3], column(label) + label.length - 1) };
  }
  return section;
}
