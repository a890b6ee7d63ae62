import { normalizeLabel, parseRepositoryLink } from './links';
import type { LinkStyle, RepositoryLink } from './links';
import { nextVersion } from './next';
import type { NextVersion, NextVersionOptions } from './next';
import { releaseNotes } from './notes';
import type { NotesOptions, ReleaseNotes } from './notes';
import { LineKind, parseText, readLinkDefinitionAt, resolveLineKind } from './parse';
import type { Heading, LinkDefinition, ParsedChangelog, Section } from './parse';
import { promote } from './promote';
import type { PromoteOptions, PromoteResult } from './promote';
import { compareSemVer, parseSemVer, sameCore } from './semver';
import type { SemVer } from './semver';
import { validate } from './validate';
import type { Problem } from './validate';

/** Versions equal in precedence share a key (build metadata does not count). */
function versionKey(v: SemVer): string {
  // Semver forbids leading zeros, so the text without build metadata is canonical.
  const plus = v.raw.indexOf('+');
  return plus === -1 ? v.raw : v.raw.slice(0, plus);
}

export interface ParseOptions {
  /** Shown in errors and problems as `file:line:col`. */
  file?: string;
}

/** What the link references say about the repository: its base URL and how versions become tags. */
export interface RepositoryInfo {
  base: string;
  tagPrefix: string;
  /** How the file's links write a comparison. */
  style: LinkStyle;
}

/**
 * A parsed Keep a Changelog file. It keeps the source text and points into it, so printing it
 * gives back the same bytes, and edits change only the lines they touch.
 */
export class Changelog {
  readonly file?: string;
  readonly text: string;
  readonly eol: '\n' | '\r\n';
  readonly title?: Heading;
  readonly sections: readonly Section[];
  /** 0-based index of the first section's heading (the preamble is everything before it). */
  readonly preambleEndLine: number;
  private readonly lineStarts: Int32Array;
  private readonly lines: number;
  private releaseList?: Section[];
  private readonly lineKinds: Uint8Array;
  private readonly linkLines: number[];
  /** Link definitions read so far, by their index in `linkLines`: one object per definition whoever asks. */
  private readonly linkCache: LinkDefinition[] = [];
  private linkList?: LinkDefinition[];
  /** First definition of each normalized label among the first `linkMapRead` definitions. */
  private readonly linkMap = new Map<string, LinkDefinition>();
  private linkMapRead = 0;
  private releaseIndex?: { byVersion: Map<string, Section>; ascending: Section[] };

  private constructor(parsed: ParsedChangelog, file: string | undefined) {
    if (file !== undefined) this.file = file;
    this.text = parsed.text;
    this.eol = parsed.eol;
    if (parsed.title) this.title = parsed.title;
    this.sections = parsed.sections;
    this.linkLines = parsed.linkLines;
    this.preambleEndLine = parsed.preambleEndLine;
    this.lineStarts = parsed.lineStarts;
    this.lines = parsed.lineCount;
    this.lineKinds = parsed.lineKinds;
  }

  /** Parses any text in time linear in its length; never throws (problems are for `validate()`). */
  static parse(text: string, options: ParseOptions = {}): Changelog {
    return new Changelog(parseText(text), options.file);
  }

  /** Lines in the file; a last line without a line ending counts. */
  get lineCount(): number {
    return this.lines;
  }

  /** Offset of a 0-based line's first character (the text length past the last line). */
  lineOffset(index: number): number {
    return index < this.lines ? this.lineStarts[index]! : this.text.length;
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
    return index < this.lines ? resolveLineKind(this.text, this.lineStarts, this.lineKinds, this.lines, index) : LineKind.Blank;
  }

  /** The file again from its parts: preamble, then every section. Identical to the input. */
  toString(): string {
    const parts = [this.text.slice(0, this.lineOffset(this.preambleEndLine))];
    for (const section of this.sections) parts.push(this.text.slice(this.lineOffset(section.startLine), this.lineOffset(section.endLine)));
    return parts.join('');
  }

  get unreleased(): Section | undefined {
    return this.sections.find((s) => s.kind === 'unreleased');
  }

  /** Version sections in file order (newest first in a well-formed file), yanked ones included. */
  get releases(): readonly Section[] {
    this.releaseList ??= this.sections.filter((s) => s.kind === 'release');
    return this.releaseList;
  }

  /** Releases by version and in ascending semver order, built once so lookups stay cheap on thousands of versions. */
  private index(): { byVersion: Map<string, Section>; ascending: Section[] } {
    if (!this.releaseIndex) {
      const releases = this.releases;
      const byVersion = new Map<string, Section>();
      for (const s of releases) if (!byVersion.has(versionKey(s.semver!))) byVersion.set(versionKey(s.semver!), s);
      const ascending = [...byVersion.values()].reverse();
      // A well-kept file is newest first, so this is usually sorted already.
      for (let i = 1; i < ascending.length; i++) {
        if (compareSemVer(ascending[i - 1]!.semver!, ascending[i]!.semver!) > 0) {
          ascending.sort((a, b) => compareSemVer(a.semver!, b.semver!));
          break;
        }
      }
      this.releaseIndex = { byVersion, ascending };
    }
    return this.releaseIndex;
  }

  /** The section of a version (`1.2.0` or `v1.2.0`), compared by semver precedence; the first one if it repeats. */
  findRelease(version: string | SemVer): Section | undefined {
    const wanted = typeof version === 'string' ? parseSemVer(version.replace(/^[vV](?=\d)/, '')) : version;
    return wanted && this.index().byVersion.get(versionKey(wanted));
  }

  /** The highest released version wherever it sits in the file. */
  latestRelease(): Section | undefined {
    return this.index().ascending.at(-1);
  }

  /**
   * The release a version's notes compare against: the nearest lower released version. A final
   * release skips prereleases (its own and others) and compares with the previous final release
   * when there is one; a prerelease compares with the nearest lower version of any kind.
   */
  previousRelease(version: SemVer): Section | undefined {
    const { ascending } = this.index();
    // Binary search: the first release not lower than `version`.
    let lo = 0;
    let hi = ascending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareSemVer(ascending[mid]!.semver!, version) < 0) lo = mid + 1;
      else hi = mid;
    }
    const final = version.prerelease.length === 0;
    let nearest: Section | undefined;
    for (let i = lo - 1; i >= 0; i--) {
      const candidate = ascending[i]!;
      if (final && sameCore(candidate.semver!, version)) continue;
      if (!final) return candidate;
      nearest ??= candidate;
      if (candidate.semver!.prerelease.length === 0) return candidate;
    }
    return nearest;
  }

  /** Every link reference definition in file order; read on first use. */
  get links(): readonly LinkDefinition[] {
    this.linkList ??= this.linkLines.map((_, index) => this.linkAt(index));
    return this.linkList;
  }

  private linkAt(index: number): LinkDefinition {
    return (this.linkCache[index] ??= readLinkDefinitionAt(this.text, this.lineStarts, this.linkLines[index]!));
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
    while (this.linkMapRead < this.linkLines.length) {
      const index = this.linkMapRead++;
      const def = this.linkAt(index);
      const defKey = normalizeLabel(def.label);
      if (this.linkMap.has(defKey)) continue;
      this.linkMap.set(defKey, def);
      if (defKey === key) return def;
    }
    return undefined;
  }

  /**
   * The repository base URL and tag prefix, read from the version and Unreleased link references
   * (`[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0` gives `https://github.com/o/r` and `v`).
   */
  repository(): RepositoryInfo | undefined {
    let found: RepositoryLink | undefined;
    for (const section of this.releases) {
      const def = this.link(section.label!);
      const link = def && parseRepositoryLink(def.url);
      if (!link) continue;
      found ??= link;
      if (link.to.endsWith(section.version!)) return { base: link.base, style: link.style, tagPrefix: link.to.slice(0, link.to.length - section.version!.length) };
    }
    const unreleased = this.link('Unreleased');
    const link = unreleased && parseRepositoryLink(unreleased.url);
    if (link) {
      found ??= link;
      const latest = this.latestRelease();
      if (latest && link.from?.endsWith(latest.version!)) return { base: found.base, style: found.style, tagPrefix: link.from.slice(0, link.from.length - latest.version!.length) };
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

  /** Every problem in the file, in line order, each with line and column. */
  validate(): Problem[] {
    return validate(this);
  }

  /** The version the Unreleased entries call for, from the latest release. */
  nextVersion(options: NextVersionOptions = {}): NextVersion {
    return nextVersion(this, options);
  }
}

/** Parses changelog text; see {@link Changelog.parse}. */
export function parseChangelog(text: string, options: ParseOptions = {}): Changelog {
  return Changelog.parse(text, options);
}
