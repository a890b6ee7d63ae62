import type { ChangelogDocument, RepositoryInfo } from './document';
import { ChangelogError } from './errors';
import { normalizeLabel, parseRepositoryLink } from './links';
import type { RepositoryLink } from './links';
import { nextVersion } from './next';
import type { NextVersion, NextVersionOptions } from './next';
import { releaseNotes, unreleasedNotes } from './notes';
import type { NotesOptions, ReleaseNotes } from './notes';
import { LineKind, parseText, readLinkDefinitionAt, resolveLineKind } from './parse';
import type { Heading, LinkDefinition, ParsedChangelog, Section } from './parse';
import { promote } from './promote';
import type { PromoteOptions, PromoteResult } from './promote';
import { SectionTable } from './sections';
import { isUtf8 } from 'node:buffer';
import { parseSemVer } from '@oci-sd/core';
import type { SemVer } from '@oci-sd/core';
import { validate } from './validate';
import type { Problem, ValidateOptions } from './validate';

const CASELESS_LABEL = /^[0-9.+-]+$/;
const VERSION_LIKE_LABEL = /^[0-9A-Za-z.+-]+$/;

/**
 * False when no definition from offset `from` on can define `label` because the label is nowhere
 * there: one native search instead of reading every definition left (a new version's label is in
 * none). True when unsure. A definition may pad the label and change its case, never its characters.
 */
function mayBeDefinedAfter(text: string, from: number, label: string): boolean {
  if (CASELESS_LABEL.test(label)) return text.includes(label, from);
  if (!VERSION_LIKE_LABEL.test(label)) return true;
  // `u` folds case as CommonMark does (the Kelvin sign is a k); only `.` and `+` need escaping here.
  const search = new RegExp(label.replace(/[.+]/g, '\\$&'), 'giu');
  search.lastIndex = from;
  return search.test(text);
}

export interface ParseOptions {
  /** Shown in errors and problems as `file:line:col`. */
  file?: string;
  /**
   * Which of several versions in one heading is the release's (`## [1.41.0/0.63.0/0.17.0]`, Go
   * multi-module repositories): 0-based, the first by default.
   */
  versionIndex?: number;
}

/**
 * A parsed Keep a Changelog file. It keeps the source text and points into it, so printing it
 * gives back the same bytes, and edits change only the lines they touch.
 */
export class Changelog implements ChangelogDocument {
  readonly file?: string;
  readonly text: string;
  readonly eol: '\n' | '\r\n';
  readonly title?: Heading;
  /** Which of several versions in one heading is the release's; see {@link ParseOptions.versionIndex}. */
  readonly versionIndex: number;
  /** 0-based index of the first section's heading (the preamble is everything before it). */
  readonly preambleEndLine: number;
  private readonly parsed: ParsedChangelog;
  /** The bytes the text was decoded from, when parsed from bytes: edits are spliced into them. */
  private readonly source?: Uint8Array;
  /** Whether `source` is valid UTF-8, so string offsets map to byte offsets by encoding the text before them. */
  private sourceIsUtf8?: boolean;
  private readonly table: SectionTable;
  private releaseList?: Section[];
  /** Link definitions read so far, by their index in `parsed.bracketLines`: one object per definition whoever asks. */
  private readonly linkCache: LinkDefinition[] = [];
  private linkList?: LinkDefinition[];
  /** First definition of each normalized label among the candidate lines before `linkMapRead`. */
  private readonly linkMap = new Map<string, LinkDefinition>();
  private linkMapRead = 0;

  private constructor(
    parsed: ParsedChangelog,
    file: string | undefined,
    source: Uint8Array | undefined,
    versionIndex = 0,
  ) {
    if (file !== undefined) this.file = file;
    if (source !== undefined) this.source = source;
    this.parsed = parsed;
    this.text = parsed.text;
    this.eol = parsed.eol;
    if (parsed.title) this.title = parsed.title;
    this.preambleEndLine = parsed.preambleEndLine;
    this.versionIndex = versionIndex;
    this.table = new SectionTable(parsed, versionIndex);
  }

  /**
   * Parses any text, or any bytes (decoded as UTF-8, invalid sequences shown as U+FFFD), in time
   * linear in its length; never throws (problems are for `validate()`). Parsed from bytes, the
   * changelog keeps them: edits are spliced into the original bytes, so nothing outside the edited
   * lines changes, invalid UTF-8 included.
   */
  static parse(input: string | Uint8Array, options: ParseOptions = {}): Changelog {
    if (
      options.versionIndex !== undefined &&
      !(Number.isInteger(options.versionIndex) && options.versionIndex >= 0)
    )
      throw new ChangelogError(
        'INVALID_OPTION',
        `versionIndex ${options.versionIndex} is not a non-negative integer`,
        {
          expected: '0, 1, 2, ...',
          found: options.versionIndex,
        },
      );
    if (typeof input === 'string')
      return new Changelog(parseText(input), options.file, undefined, options.versionIndex);
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    // One decode of the whole input: decoding chunk by chunk costs more.
    return new Changelog(
      parseText(bytes.toString('utf8')),
      options.file,
      input,
      options.versionIndex,
    );
  }

  /** The bytes of the file: the ones parsed, or the text encoded as UTF-8. */
  get bytes(): Uint8Array {
    return this.source ?? Buffer.from(this.text, 'utf8');
  }

  /** Whether the changelog was parsed from bytes that are not valid UTF-8. */
  get invalidUtf8(): boolean {
    return this.source !== undefined && !this.#sourceUtf8();
  }

  #sourceUtf8(): boolean {
    this.sourceIsUtf8 ??= this.source === undefined || isUtf8(this.source);
    return this.sourceIsUtf8;
  }

  /**
   * Offset in {@link bytes} of a 0-based line's first byte. Decoding never joins or splits lines
   * (a line feed is never part of an invalid sequence), so line k starts after the k-th LF byte.
   */
  lineByteOffset(index: number): number {
    const source = this.source;
    if (!source) return Buffer.byteLength(this.text.slice(0, this.lineOffset(index)), 'utf8');
    if (index >= this.parsed.lineCount) return source.length;
    if (index === 0) return 0;
    if (this.#sourceUtf8())
      return Buffer.byteLength(this.text.slice(0, this.lineOffset(index)), 'utf8');
    // Invalid UTF-8: count line feeds from the nearer end of the file.
    const bytes = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    if (index <= this.parsed.lineCount - index) {
      let at = -1;
      for (let k = 0; k < index; k++) at = bytes.indexOf(0x0a, at + 1);
      return at + 1;
    }
    // The last line starts after the last line feed unless the file ends with one.
    let at = bytes.length;
    const endsWithNewline = bytes[bytes.length - 1] === 0x0a;
    const fromEnd = this.parsed.lineCount - index + (endsWithNewline ? 1 : 0);
    for (let k = 0; k < fromEnd; k++) at = bytes.lastIndexOf(0x0a, at - 1);
    return at + 1;
  }

  /** The 1-based line and column (UTF-16 code units) of an offset in {@link text}. */
  positionAt(offset: number): { line: number; column: number } {
    const { lineStarts, lineCount } = this.parsed;
    let lo = 0;
    let hi = lineCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
  }

  /** Lines in the file; a last line without a line ending counts. */
  get lineCount(): number {
    return this.parsed.lineCount;
  }

  /** Offset of a 0-based line's first character (the text length past the last line). */
  lineOffset(index: number): number {
    return index < this.parsed.lineCount ? this.parsed.lineStarts[index]! : this.text.length;
  }

  /** A 0-based line with its line ending. */
  line(index: number): string {
    return this.text.slice(this.lineOffset(index), this.lineOffset(index + 1));
  }

  /** The line ending of a 0-based line: `\r\n`, `\n`, or '' for a last line without one. */
  lineEnding(index: number): string {
    const line = this.line(index);
    return line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '';
  }

  /** What a 0-based line is: a {@link LineKind} value. */
  lineKind(index: number): number {
    return index < this.parsed.lineCount ? resolveLineKind(this.parsed, index) : LineKind.Blank;
  }

  /** The file again from its parts: preamble, then every section. Identical to the input. */
  toString(): string {
    const parts = [this.text.slice(0, this.lineOffset(this.preambleEndLine))];
    for (const section of this.sections)
      parts.push(
        this.text.slice(this.lineOffset(section.startLine), this.lineOffset(section.endLine)),
      );
    return parts.join('');
  }

  /** Every section in file order: one per `##` heading (and `#` heading after the title). */
  get sections(): readonly Section[] {
    return this.table.all();
  }

  get unreleased(): Section | undefined {
    return this.unreleasedSections()[0];
  }

  /** Every Unreleased section: one in a well-formed file. */
  unreleasedSections(): Section[] {
    return this.table.indicesOf('unreleased').map((i) => this.table.at(i));
  }

  /** Version sections in file order (newest first in a well-formed file), yanked ones included. */
  get releases(): readonly Section[] {
    this.releaseList ??= Array.from(this.table.releases(), (i) => this.table.at(i));
    return this.releaseList;
  }

  /** The first release in file order (the newest in a well-formed file), without building the others. */
  firstListedRelease(): Section | undefined {
    const releases = this.table.releases();
    return releases.length ? this.table.at(releases[0]!) : undefined;
  }

  /** The section of a version (`1.2.0` or `v1.2.0`), compared by semver precedence; the first one if it repeats. */
  findRelease(version: string | SemVer): Section | undefined {
    const wanted =
      typeof version === 'string' ? parseSemVer(version.replace(/^[vV](?=\d)/, '')) : version;
    if (!wanted) return undefined;
    const index = this.table.releaseAt(this.table.lowerBound(wanted), wanted);
    return index === undefined ? undefined : this.table.at(index);
  }

  /** The highest released version wherever it sits in the file. */
  latestRelease(): Section | undefined {
    const ascending = this.table.ascending();
    return ascending.length ? this.table.at(ascending[ascending.length - 1]!) : undefined;
  }

  /**
   * The release a version's notes compare against: the nearest lower released version. A final
   * release skips prereleases (its own and others) and compares with the previous final release
   * when there is one; a prerelease compares with the nearest lower version of any kind.
   */
  previousRelease(version: SemVer): Section | undefined {
    const index = this.table.previous(version);
    return index === undefined ? undefined : this.table.at(index);
  }

  /** Every link reference definition in file order; read on first use. */
  get links(): readonly LinkDefinition[] {
    if (!this.linkList) {
      const list: LinkDefinition[] = [];
      for (let k = 0; k < this.parsed.bracketLines.length; k++) {
        const def = this.linkAt(k);
        if (def) list.push(def);
      }
      this.linkList = list;
      // Every definition is read now: lookups need nothing but the map.
      while (this.linkMapRead < this.parsed.bracketLines.length) this.readLink(this.linkMapRead++);
    }
    return this.linkList;
  }

  /** The definition on the k-th line that can hold one, if it does. */
  private linkAt(k: number): LinkDefinition | undefined {
    const cached = this.linkCache[k];
    if (cached) return cached;
    const line = this.parsed.bracketLines[k]!;
    if (resolveLineKind(this.parsed, line) !== LineKind.LinkDefinition) return undefined;
    return (this.linkCache[k] = readLinkDefinitionAt(this.text, this.parsed.lineStarts, line));
  }

  /** Enters the k-th candidate line's definition, if any and the first of its label, in the map; returns its key. */
  private readLink(k: number): string | undefined {
    const def = this.linkAt(k);
    if (!def) return undefined;
    const key = normalizeLabel(def.label);
    if (this.linkMap.has(key)) return undefined;
    this.linkMap.set(key, def);
    return key;
  }

  /**
   * The first definition of a link label (`Unreleased`, `1.0.0`), matched as CommonMark does.
   * Definitions are read in file order only as far as a lookup needs: the labels asked for most
   * (Unreleased, the newest versions) usually come first.
   */
  link(label: string): LinkDefinition | undefined {
    const key = normalizeLabel(label);
    const known = this.linkMap.get(key);
    if (known) return known;
    const { bracketLines } = this.parsed;
    if (
      this.linkMapRead < bracketLines.length &&
      !mayBeDefinedAfter(this.text, this.lineOffset(bracketLines[this.linkMapRead]!), label)
    )
      return undefined;
    while (this.linkMapRead < bracketLines.length) {
      if (this.readLink(this.linkMapRead++) === key) return this.linkMap.get(key);
    }
    return undefined;
  }

  /**
   * The repository base URL and tag prefix, read from the version and Unreleased link references
   * (`[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0` gives `https://github.com/o/r` and `v`).
   */
  repository(): RepositoryInfo | undefined {
    let found: RepositoryLink | undefined;
    for (const index of this.table.releases()) {
      const section = this.table.at(index);
      // A heading that links its release (`## [1.2.0](compare-url) (date)`) says as much as a definition.
      const url = this.link(section.label!)?.url ?? section.url;
      const link = url !== undefined ? parseRepositoryLink(url) : undefined;
      if (!link) continue;
      found ??= link;
      if (link.to.endsWith(section.version!))
        return {
          base: link.base,
          style: link.style,
          tagPrefix: link.to.slice(0, link.to.length - section.version!.length),
        };
    }
    const unreleased = this.link('Unreleased');
    const link = unreleased && parseRepositoryLink(unreleased.url);
    if (link) {
      found ??= link;
      const latest = this.latestRelease();
      if (latest && link.from?.endsWith(latest.version!))
        return {
          base: found.base,
          style: found.style,
          tagPrefix: link.from.slice(0, link.from.length - latest.version!.length),
        };
    }
    return found && { base: found.base, style: found.style, tagPrefix: 'v' };
  }

  /** Turns Unreleased into `## [version] - date` under a fresh empty Unreleased; see {@link PromoteOptions}. */
  promote(target: string, options: PromoteOptions = {}): PromoteResult {
    return promote(this, target, options);
  }

  /** The GitHub release notes of a version: its section with `###` shown as `##`, then the Full Changelog link. */
  notes(version: string, options: NotesOptions = {}): ReleaseNotes {
    return releaseNotes(this, version, options);
  }

  /** Notes of the Unreleased section, comparing the latest release with HEAD. */
  unreleasedNotes(options: NotesOptions = {}): ReleaseNotes {
    return unreleasedNotes(this, options);
  }

  /** Every problem in the file, in line order, each with line and column. */
  validate(options: ValidateOptions = {}): Problem[] {
    return validate(this, options);
  }

  /** The version the Unreleased entries call for, from the latest release. */
  nextVersion(options: NextVersionOptions = {}): NextVersion {
    return nextVersion(this, options);
  }
}

/** Parses changelog text; see {@link Changelog.parse}. */
export function parseChangelog(input: string | Uint8Array, options: ParseOptions = {}): Changelog {
  return Changelog.parse(input, options);
}
