import { LineKind, readHeadingAt, resolveLineKind } from './parse';
import type { Heading, ParsedChangelog, Position, Section, SectionKind, Subsection } from './parse';
import { compareSemVer, parseSemVer, PRERELEASE_AND_BUILD, sameCore } from '@oci-sd/core';
import { readVersionHeading } from './heading';
import type { HeadingStyle, VersionHeading } from './heading';
import type { SemVer } from '@oci-sd/core';

const KIND_CODES: readonly SectionKind[] = ['unknown', 'unreleased', 'release'];
const RELEASE = 2;

/** A section heading read as a release or Unreleased heading, or undefined for another heading. */
function matchVersionHeading(heading: Heading, versionIndex: number): VersionHeading | undefined {
  return heading.level <= 2 ? readVersionHeading(heading.text, versionIndex) : undefined;
}

/**
 * The common release heading, `## [1.2.0] - 2026-01-31` (`v`, prerelease, build and date
 * optional), read in place. Narrow on purpose: whatever it matches, {@link readVersionHeading} reads
 * as the same release (no closing `#`, no other separator, no YANKED, numbers of at most 15 digits);
 * every other heading goes that longer way. Groups: version, major, minor, patch, prerelease, build.
 */
const RELEASE_HEADING = new RegExp(
  ` {0,3}## +\\[[vV]?((0|[1-9]\\d{0,14})\\.(0|[1-9]\\d{0,14})\\.(0|[1-9]\\d{0,14})${PRERELEASE_AND_BUILD})\\](?: +- +\\d{4}-\\d\\d-\\d\\d)?[ \\t]*\\r?(?:\\n|$)`,
  'y',
);

/** Versions equal in precedence share a key: semver forbids leading zeros, so the text without build metadata is canonical. */
function versionKey(v: SemVer): string {
  const plus = v.raw.indexOf('+');
  return plus === -1 ? v.raw : v.raw.slice(0, plus);
}

/**
 * Kinds and versions of all sections in flat arrays, read in one tight pass (a cold process runs
 * it once, so one loop rather than several): a plain X.Y.Z release keeps three numbers and gets a
 * SemVer object only when someone asks for it.
 */
class VersionTable {
  readonly kinds: Uint8Array;
  /** Indices of the release sections in file order. */
  readonly releases: Int32Array;
  /** Every release strictly lower than the one listed above it: a well-kept file, newest first. */
  readonly descending: boolean;
  /** 1 where the version is a plain MAJOR.MINOR.PATCH held in `major`, `minor` and `patch`. */
  readonly #plain: Uint8Array;
  readonly #major: Float64Array;
  readonly #minor: Float64Array;
  readonly #patch: Float64Array;
  readonly #semvers: (SemVer | undefined)[];

  constructor(doc: ParsedChangelog, versionIndex: number) {
    const count = doc.sectionLines.length;
    const { text, lineStarts, sectionLines, sectionLevels } = doc;
    const kinds = (this.kinds = new Uint8Array(count));
    const plain = (this.#plain = new Uint8Array(count));
    const major = (this.#major = new Float64Array(count));
    const minor = (this.#minor = new Float64Array(count));
    const patch = (this.#patch = new Float64Array(count));
    const semvers: (SemVer | undefined)[] = (this.#semvers = new Array(count));
    const releases = new Int32Array(count);
    let releaseCount = 0;
    let descending = true;
    for (let i = 0; i < count; i++) {
      RELEASE_HEADING.lastIndex = lineStarts[sectionLines[i]!]!;
      const m = sectionLevels[i] === 2 ? RELEASE_HEADING.exec(text) : null;
      if (m && m[5] === undefined && m[6] === undefined) {
        plain[i] = 1;
        major[i] = +m[2]!;
        minor[i] = +m[3]!;
        patch[i] = +m[4]!;
      } else if (m) {
        semvers[i] = parseSemVer(m[1]!);
      } else {
        const read = matchVersionHeading(readHeadingAt(doc, sectionLines[i]!), versionIndex);
        if (!read) continue;
        kinds[i] = KIND_CODES.indexOf(read.kind);
        semvers[i] = read.semver;
        if (kinds[i] !== RELEASE) continue;
      }
      kinds[i] = RELEASE;
      if (descending && releaseCount > 0)
        descending = this.compare(releases[releaseCount - 1]!, i) > 0;
      releases[releaseCount++] = i;
    }
    this.releases = releases.slice(0, releaseCount);
    this.descending = descending;
  }

  semver(index: number): SemVer | undefined {
    if (this.#plain[index] && !this.#semvers[index]) {
      const [major, minor, patch] = [this.#major[index]!, this.#minor[index]!, this.#patch[index]!];
      this.#semvers[index] = {
        major,
        minor,
        patch,
        prerelease: [],
        build: [],
        raw: `${major}.${minor}.${patch}`,
      };
    }
    return this.#semvers[index];
  }

  /** Semver precedence of two releases. */
  compare(a: number, b: number): number {
    if (this.#plain[a] && this.#plain[b])
      return Math.sign(
        this.#major[a]! - this.#major[b]! ||
          this.#minor[a]! - this.#minor[b]! ||
          this.#patch[a]! - this.#patch[b]!,
      );
    return compareSemVer(this.semver(a)!, this.semver(b)!);
  }

  /** The release's {@link versionKey}, without building a SemVer for a plain version. */
  key(index: number): string {
    return this.#plain[index]
      ? `${this.#major[index]}.${this.#minor[index]}.${this.#patch[index]}`
      : versionKey(this.semver(index)!);
  }

  /** The same MAJOR.MINOR.PATCH as `version`. */
  sameCore(index: number, version: SemVer): boolean {
    if (!this.#plain[index]) return sameCore(this.semver(index)!, version);
    return (
      this.#major[index] === version.major &&
      this.#minor[index] === version.minor &&
      this.#patch[index] === version.patch
    );
  }

  isPrerelease(index: number): boolean {
    return !this.#plain[index] && this.semver(index)!.prerelease.length > 0;
  }

  /** Semver precedence of a release against a version. */
  compareTo(index: number, version: SemVer): number {
    if (!this.#plain[index]) return compareSemVer(this.semver(index)!, version);
    const core =
      this.#major[index]! - version.major ||
      this.#minor[index]! - version.minor ||
      this.#patch[index]! - version.patch;
    // A final release is above the prereleases of its own version.
    return core ? Math.sign(core) : version.prerelease.length ? 1 : 0;
  }
}

/** Lookups by binary search before a map from version to position pays for itself. */
const MAP_AFTER_LOOKUPS = 32;

/**
 * The sections of a parsed changelog. Their kinds and versions are read into flat arrays when
 * first asked for; a Section object is built only for a section someone looks at, so finding one
 * release among thousands builds a handful.
 */
export class SectionTable {
  readonly count: number;
  readonly #doc: ParsedChangelog;
  #table?: VersionTable;
  readonly #built: Section[] = [];
  #all?: Section[];
  #ascending?: Int32Array;
  #lookups = 0;
  #positions?: Map<string, number>;

  readonly #versionIndex: number;

  constructor(doc: ParsedChangelog, versionIndex = 0) {
    this.#doc = doc;
    this.count = doc.sectionLines.length;
    this.#versionIndex = versionIndex;
  }

  get #versions(): VersionTable {
    this.#table ??= new VersionTable(this.#doc, this.#versionIndex);
    return this.#table;
  }

  /** Indices of the sections of a kind, in file order, without building them. */
  indicesOf(kind: SectionKind): number[] {
    const code = KIND_CODES.indexOf(kind);
    const { kinds } = this.#versions;
    const found: number[] = [];
    for (let i = 0; i < kinds.length; i++) if (kinds[i] === code) found.push(i);
    return found;
  }

  /** The section at an index, built on first use and the same object ever after. */
  at(index: number): Section {
    let section = this.#built[index];
    if (!section) {
      const { sectionLines, lineCount } = this.#doc;
      const heading = readHeadingAt(this.#doc, sectionLines[index]!);
      const versions = this.#versions;
      // Kind and semver come from the table: the heading is not classified a second time.
      section = new LazySection(
        this.#doc,
        heading,
        index + 1 < this.count ? sectionLines[index + 1]! : lineCount,
        KIND_CODES[versions.kinds[index]!]!,
        versions.semver(index),
        this.#versionIndex,
      );
      this.#built[index] = section;
    }
    return section;
  }

  all(): Section[] {
    this.#all ??= Array.from({ length: this.count }, (_, i) => this.at(i));
    return this.#all;
  }

  /** Indices of the release sections in file order. */
  releases(): Int32Array {
    return this.#versions.releases;
  }

  /**
   * Release indices in ascending semver order, one per version (the first in the file when a version
   * repeats; build metadata does not count). A well-kept file is newest first, so this is usually
   * the file order reversed.
   */
  ascending(): Int32Array {
    if (!this.#ascending) {
      const versions = this.#versions;
      const { releases } = versions;
      if (versions.descending) {
        this.#ascending = releases.slice().reverse();
      } else {
        const sorted = Array.from(releases).sort((a, b) => versions.compare(a, b) || a - b);
        this.#ascending = Int32Array.from(
          sorted.filter((index, k) => k === 0 || versions.compare(sorted[k - 1]!, index) !== 0),
        );
      }
    }
    return this.#ascending;
  }

  /** Position in {@link ascending} of the first release not lower than `version`. */
  lowerBound(version: SemVer): number {
    // Many lookups (validate asks for every version) go through a map; a few search the sorted list.
    if (++this.#lookups > MAP_AFTER_LOOKUPS) {
      this.#positions ??= this.#positionMap();
      const known = this.#positions.get(versionKey(version));
      if (known !== undefined) return known;
    }
    const ascending = this.ascending();
    const versions = this.#versions;
    let lo = 0;
    let hi = ascending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (versions.compareTo(ascending[mid]!, version) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index of the release {@link Changelog.previousRelease} returns. */
  previous(version: SemVer): number | undefined {
    const ascending = this.ascending();
    const versions = this.#versions;
    const final = version.prerelease.length === 0;
    let nearest: number | undefined;
    for (let k = this.lowerBound(version) - 1; k >= 0; k--) {
      const candidate = ascending[k]!;
      if (final && versions.sameCore(candidate, version)) continue;
      if (!final || !versions.isPrerelease(candidate)) return candidate;
      nearest ??= candidate;
    }
    return nearest;
  }

  /** The release at a position of {@link ascending} when its version equals `version`. */
  releaseAt(position: number, version: SemVer): number | undefined {
    const ascending = this.ascending();
    return position < ascending.length &&
      this.#versions.compareTo(ascending[position]!, version) === 0
      ? ascending[position]
      : undefined;
  }

  #positionMap(): Map<string, number> {
    const ascending = this.ascending();
    const positions = new Map<string, number>();
    for (let k = 0; k < ascending.length; k++) positions.set(this.#versions.key(ascending[k]!), k);
    return positions;
  }
}

class LazySection implements Section {
  kind: SectionKind = 'unknown';
  readonly heading: Heading;
  readonly startLine: number;
  readonly endLine: number;
  label?: string;
  versions?: string[];
  version?: string;
  semver?: SemVer;
  versionPosition?: Position;
  versionLike = false;
  date?: string;
  datePosition?: Position;
  yanked = false;
  bracketed = false;
  style?: HeadingStyle;
  url?: string;
  readonly #doc: ParsedChangelog;
  #contentEndLine?: number;
  #subsections?: Subsection[];
  #hasEntries?: boolean;

  constructor(
    doc: ParsedChangelog,
    heading: Heading,
    endLine: number,
    kind: SectionKind,
    semver: SemVer | undefined,
    versionIndex: number,
  ) {
    this.#doc = doc;
    this.heading = heading;
    this.startLine = heading.lineIndex;
    this.endLine = endLine;
    const read = matchVersionHeading(heading, versionIndex);
    if (!read) return;
    const { text, lineStarts } = doc;
    const lineStart = lineStarts[heading.lineIndex]!;
    // Columns are counted from the heading text's first character on its line.
    const textColumn =
      text.indexOf(heading.text, lineStart + heading.column - 1 + heading.level) - lineStart + 1;
    this.label = read.label;
    this.bracketed = read.style.bracketed;
    this.style = read.style;
    this.yanked = read.yanked;
    this.kind = kind;
    this.versionLike = read.versionLike;
    if (read.url !== undefined) this.url = read.url;
    if (kind !== 'unreleased') {
      this.versions = read.versions;
      this.version = read.version!;
      this.versionPosition = {
        line: heading.line,
        column: textColumn + read.labelOffset + read.versionOffset,
      };
    }
    if (semver) this.semver = semver;
    if (read.date !== undefined) {
      this.date = read.date;
      this.datePosition = { line: heading.line, column: textColumn + read.dateOffset! };
    }
  }

  #kindOf(index: number): number {
    return resolveLineKind(this.#doc, index);
  }

  get contentEndLine(): number {
    if (this.#contentEndLine === undefined) {
      let end = this.endLine;
      while (
        end > this.startLine + 1 &&
        (this.#kindOf(end - 1) === LineKind.Blank ||
          this.#kindOf(end - 1) === LineKind.LinkDefinition)
      )
        end--;
      this.#contentEndLine = end;
    }
    return this.#contentEndLine;
  }

  get subsections(): Subsection[] {
    if (!this.#subsections) {
      const { lineKinds } = this.#doc;
      const end = this.contentEndLine;
      const level3: Heading[] = [];
      for (let i = this.startLine + 1; i < end; i++) {
        if (lineKinds[i] !== LineKind.Heading) continue;
        const heading = readHeadingAt(this.#doc, i);
        if (heading.level === 3) level3.push(heading);
      }
      this.#subsections = level3.map((h, i) => {
        const subEnd = i + 1 < level3.length ? level3[i + 1]!.lineIndex : end;
        return {
          heading: h,
          startLine: h.lineIndex,
          endLine: subEnd,
          hasEntries: this.#hasEntriesIn(h.lineIndex + 1, subEnd),
        };
      });
    }
    return this.#subsections;
  }

  get hasEntries(): boolean {
    this.#hasEntries ??= this.#hasEntriesIn(this.startLine + 1, this.contentEndLine);
    return this.#hasEntries;
  }

  /** A list item, paragraph, code block or heading below level 3 in [from, to). */
  #hasEntriesIn(from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const kind = this.#kindOf(i);
      if (kind === LineKind.Text || kind === LineKind.Code) return true;
      if (kind === LineKind.Heading && readHeadingAt(this.#doc, i).level > 3) return true;
    }
    return false;
  }
}
