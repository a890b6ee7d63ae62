import { parseSemVer } from '@oci-sd/core';
import type { SemVer } from '@oci-sd/core';
import { readDate } from './dates';
import type { DateFormat } from './dates';

/**
 * How a release heading is written, so a new one can be written the same way (`promote`). Seen in
 * the wild: `[1.2.0] - 2026-01-31` (Keep a Changelog), `v1.2.0 (2026-01-31)`, `1.2.0 – 2026-01-31`,
 * `[1.2.0](compare-url) (2026-01-31)` (release-please, conventional-changelog), `1.2.0` (changesets),
 * `[1.41.0/0.63.0/0.17.0] 2026-03-02` (Go multi-module), `Version 1.2.0 - January 31, 2026`,
 * `2026-01-31 - 1.2.0`.
 */
export interface HeadingStyle {
  /** `[1.2.0]` rather than `1.2.0`. */
  bracketed: boolean;
  /** `v`, `V` or '' before the version number. */
  versionPrefix: string;
  /** A word before the version: `Version `, `Release `, or ''. */
  word: string;
  /** Between version and date: ` - `, ` – `, ` — `, ` `, `: `; '' when there is no date. */
  separator: string;
  /** The date in parentheses: `(2026-01-31)`. */
  parenthesized: boolean;
  dateFormat?: DateFormat;
  /** The date comes before the version. */
  dateFirst: boolean;
  /** `[1.2.0](url)`: the heading links the release's compare or tag page itself. */
  inlineLink: boolean;
}

export interface VersionHeading {
  kind: 'unreleased' | 'release' | 'unknown';
  /** The label as written inside the brackets (or the bare token): what a link reference is named. */
  label: string;
  /** Every version the label names without a `v`: one, or several in a monorepo heading. */
  versions: string[];
  /** The version of the release: `versions[versionIndex]` (the first unless configured). */
  version?: string;
  /** Offset of `version` inside `label`. */
  versionOffset: number;
  semver?: SemVer;
  /** The version looks like one (digits and dots) but is no semantic version: `1.0`, `2024.1`. */
  versionLike: boolean;
  /** The date as written, valid or not, without parentheses. */
  date?: string;
  /** Offset of the date in the heading text. */
  dateOffset?: number;
  /** Offset of the label in the heading text. */
  labelOffset: number;
  yanked: boolean;
  /** The inline link's URL: `[1.2.0](url)`. */
  url?: string;
  style: HeadingStyle;
}

const COMMON = /^\[([vV]?)(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)\](?: - (\d{4}-\d{2}-\d{2}))?$/;
const YANKED = /[ \t]+(?:\[YANKED\]|\(YANKED\)|YANKED)[ \t]*$/i;
const UNRELEASED =
  /^(?:\[[ \t]*(unreleased)[ \t]*\](?:\([^)\s]*\))?|(unreleased))(?=$|[ \t:(]|[ \t]+[-–—])/i;
const WORD = /^(version|release)[ \t]+(?=[vV]?\d|\[)/i;
const BRACKETED = /^\[([^\]\n]+)\](?:\(([^)\s]*)\))?/;
const BARE = /^[vV]?\d[^\s()[\]]*(?:[ \t]*\/[ \t]*[vV]?\d[^\s()[\],]*)*/;
const SEPARATOR = /^(?:[ \t]+[-–—:][ \t]+|:[ \t]+|[ \t]+)/;
/** A date written first: `2026-01-31 - 1.2.0`, `2026-01-31 (1.2.0)`. */
const DATE_FIRST = /^(\d{4}-\d{2}-\d{2}|\d{4}\/\d{2}\/\d{2})((?:[ \t]+[-–—:][ \t]+|[ \t]+))(\(?)/;
/** Text meant as a date even when it is not a valid one: `2026-1-1`, `2026-02-30`, `(2026-01-31)`. */
const DATE_LIKE = /^\(?\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\)?$/;
const VERSION_LIKE = /^\d+(?:\.\d+)*(?:[-+.][0-9A-Za-z.+-]*)?$/;
/** Several versions in one label: `1.41.0/0.63.0/0.17.0`, `1.2.0, 0.4.0`, `v1.2.0 / v0.4.0`. */
const VERSION_LIST = /[ \t]*[/,][ \t]*/g;

/** The version a label part names: without a `v` before a digit. */
export function withoutV(text: string): string {
  return text.replace(/^[vV](?=\d)/, '');
}

function splitVersions(label: string): { versions: string[]; offsets: number[] } {
  if (!label.includes('/') && !label.includes(',')) {
    const bare = withoutV(label);
    return { versions: [bare], offsets: [label.length - bare.length] };
  }
  const versions: string[] = [];
  const offsets: number[] = [];
  const list = VERSION_LIST;
  list.lastIndex = 0;
  let start = 0;
  for (let m = list.exec(label); ; m = list.exec(label)) {
    const end = m ? m.index : label.length;
    const part = label.slice(start, end);
    const bare = withoutV(part);
    versions.push(bare);
    offsets.push(start + part.length - bare.length);
    if (!m) break;
    start = m.index + m[0].length;
  }
  return { versions, offsets };
}

/**
 * Reads a release or Unreleased heading (the text after the `#` markers), or returns undefined
 * for a heading that names neither. `versionIndex` picks which of several versions in one heading
 * is the release's (0, the first, by default).
 */
export function readVersionHeading(text: string, versionIndex = 0): VersionHeading | undefined {
  const common = COMMON.exec(text);
  if (common) {
    // `[1.2.0] - 2026-01-31`, most headings of most files: read without the general walk below.
    const [, v, version, date] = common as unknown as [string, string, string, string | undefined];
    const semver = parseSemVer(version);
    if (semver) {
      const heading: VersionHeading = {
        kind: 'release',
        label: `${v}${version}`,
        versions: [version],
        version,
        versionOffset: v.length,
        semver,
        versionLike: false,
        labelOffset: 1,
        yanked: false,
        style: { ...KEEP_A_CHANGELOG_STYLE, versionPrefix: v, separator: date ? ' - ' : '' },
      };
      if (date !== undefined) {
        heading.date = date;
        heading.dateOffset = text.length - date.length;
      } else delete heading.style.dateFormat;
      return heading;
    }
  }
  let body = text;
  let yanked = false;
  // Tested first so a long run of spaces is not searched for a marker that is not there.
  const yank = /yanked/i.test(body) ? YANKED.exec(body) : null;
  if (yank) {
    yanked = true;
    body = body.slice(0, yank.index);
  }
  const style: HeadingStyle = {
    bracketed: false,
    versionPrefix: '',
    word: '',
    separator: '',
    parenthesized: false,
    dateFirst: false,
    inlineLink: false,
  };
  const unreleased = UNRELEASED.exec(body);
  if (unreleased) {
    const label = (unreleased[1] ?? unreleased[2])!;
    style.bracketed = unreleased[1] !== undefined;
    return {
      kind: 'unreleased',
      label,
      versions: [],
      versionOffset: 0,
      versionLike: false,
      labelOffset: body.indexOf(label),
      yanked,
      style,
    };
  }
  let at = 0;
  let date: string | undefined;
  let dateOffset: number | undefined;
  const first = DATE_FIRST.exec(body);
  let closeParen = false;
  if (first) {
    date = first[1]!;
    dateOffset = 0;
    style.dateFirst = true;
    style.separator = first[2]!;
    closeParen = first[3] === '(';
    at = first[0].length;
  }
  const word = WORD.exec(body.slice(at));
  if (word) {
    style.word = body.slice(at, at + word[0].length);
    at += word[0].length;
  }
  let label: string;
  let labelOffset: number;
  let rest: string;
  const rest0 = body.slice(at);
  const bracketed = BRACKETED.exec(rest0);
  if (bracketed) {
    label = bracketed[1]!.trim();
    labelOffset = at + 1 + bracketed[1]!.indexOf(label);
    style.bracketed = true;
    if (bracketed[2] !== undefined) {
      style.inlineLink = true;
    }
    rest = rest0.slice(bracketed[0].length);
    if (bracketed[2] !== undefined) return finish(bracketed[2]);
    return finish(undefined);
  }
  const bare = BARE.exec(rest0);
  if (!bare) return undefined;
  // A bare version may end with the separator's colon or a comma: `1.2.0:`.
  label = bare[0].replace(/[:,]$/, '');
  labelOffset = at;
  rest = rest0.slice(label.length);
  return finish(undefined);

  function finish(url: string | undefined): VersionHeading | undefined {
    if (closeParen) rest = rest.replace(/^\)/, '');
    const { versions, offsets } = splitVersions(label);
    const index = Math.min(Math.max(versionIndex, 0), versions.length - 1);
    const version = versions[index]!;
    const part = label.slice(offsets[index]! - 1, offsets[index]!);
    style.versionPrefix = part === 'v' || part === 'V' ? part : '';
    if (!style.dateFirst) {
      const sep = SEPARATOR.exec(rest);
      if (sep && rest.length > sep[0].length) {
        style.separator = sep[0];
        let dateText = rest.slice(sep[0].length).trimEnd();
        let offset = body.length - rest.length + sep[0].length;
        const paren = /^\((.*)\)$/.exec(dateText);
        // After a bare space only a date makes this a release heading: `1.2.0 is out` is prose.
        if (
          !sep[0].trim() &&
          !readDate(paren ? paren[1]!.trim() : dateText) &&
          !DATE_LIKE.test(dateText)
        )
          return undefined;
        if (paren) {
          style.parenthesized = true;
          dateText = paren[1]!.trim();
          offset += rest.slice(sep[0].length).indexOf(dateText);
        }
        date = dateText;
        dateOffset = offset;
      } else if (rest.startsWith('(') && /^\((.*)\)\s*$/.test(rest)) {
        // `[1.2.0](url)(2026-01-31)` is rare but `1.2.0(2026-01-31)` does not occur: a heading
        // glued to a parenthesis has no separator.
        style.parenthesized = true;
        date = rest.slice(1, rest.lastIndexOf(')')).trim();
        dateOffset = body.length - rest.length + 1;
      } else if (rest.trim() !== '') {
        return undefined;
      }
    } else if (rest.trim() !== '') {
      return undefined;
    }
    if (date !== undefined) {
      const read = readDate(date);
      if (read) style.dateFormat = read.format;
    }
    const semver = parseSemVer(version);
    const heading: VersionHeading = {
      kind: semver ? 'release' : 'unknown',
      label,
      versions,
      version,
      versionOffset: offsets[index]!,
      versionLike: !semver && VERSION_LIKE.test(version),
      labelOffset,
      yanked,
      style,
    };
    if (semver) heading.semver = semver;
    if (date !== undefined) heading.date = date;
    if (dateOffset !== undefined) heading.dateOffset = dateOffset;
    if (url !== undefined) heading.url = url;
    return heading;
  }
}

/** A release heading written in `style`; `url` for a heading that links its release. */
export function formatVersionHeading(
  style: HeadingStyle,
  label: string,
  date: string | undefined,
  url?: string,
): string {
  const version = style.bracketed
    ? `[${label}]${style.inlineLink && url !== undefined ? `(${url})` : ''}`
    : label;
  if (date === undefined) return `${style.word}${version}`;
  const shownDate = style.parenthesized ? `(${date})` : date;
  const separator = style.separator || ' - ';
  return style.dateFirst
    ? `${shownDate}${separator}${style.word}${version}`
    : `${style.word}${version}${separator}${shownDate}`;
}

/** Keep a Changelog's own heading style: `[1.2.0] - 2026-01-31`. */
export const KEEP_A_CHANGELOG_STYLE: HeadingStyle = {
  bracketed: true,
  versionPrefix: '',
  word: '',
  separator: ' - ',
  parenthesized: false,
  dateFormat: 'YYYY-MM-DD',
  dateFirst: false,
  inlineLink: false,
};
