import type { ChangelogDocument } from './document';
import { readDate, utcDay } from './dates';
import { CONTROL_CHARACTER, invalidUtf8Offsets } from './encoding';
import { formatLocation } from './errors';
import { compareUrl, normalizeLabel, parseRepositoryLink } from './links';
import type { Heading, Position, Section } from './parse';
import { compareSemVer, formatSemVer } from '@oci-sd/core';

export type ProblemCode =
  | 'INVALID_HEADING'
  | 'DUPLICATE_UNRELEASED'
  | 'UNRELEASED_NOT_FIRST'
  | 'DUPLICATE_VERSION'
  | 'VERSION_ORDER'
  | 'MISSING_DATE'
  | 'INVALID_DATE'
  | 'EMPTY_SECTION'
  | 'EMPTY_SUBSECTION'
  | 'MISSING_LINK'
  | 'UNUSED_LINK'
  | 'DUPLICATE_LINK'
  | 'LINK_MISMATCH'
  | 'INVALID_UTF8'
  | 'NUL_BYTE'
  | 'BINARY_CONTENT'
  | 'NO_TITLE'
  | 'NO_UNRELEASED'
  | 'NO_RELEASE'
  | 'UNKNOWN_CHANGE_TYPE'
  | 'UNBRACKETED_VERSION'
  | 'UNRECOGNISED_VERSION'
  | 'FUTURE_DATE';

/** Keep a Changelog 1.1.0's types of change. */
export const KEEP_A_CHANGELOG_TYPES: readonly string[] = [
  'Added',
  'Changed',
  'Deprecated',
  'Removed',
  'Fixed',
  'Security',
];

export interface ValidateOptions {
  /** The `###` headings a section may use; Keep a Changelog's six by default. Others are warned about. */
  changeTypes?: readonly string[];
  /** Warnings count as errors (`--strict`). */
  strict?: boolean;
  /** The day a release date may not be after (UTC, `YYYY-MM-DD` or a Date); today by default. */
  today?: string | Date;
}

export interface Problem extends Position {
  code: ProblemCode;
  /** Errors make the file invalid; warnings are worth a look. */
  severity: 'error' | 'warning';
  message: string;
  expected?: string;
  found?: string;
}

/** `file:line:col: severity: message (expected ..., found ...)`, one line per problem. */
export function formatProblem(problem: Problem, file?: string): string {
  const detail =
    problem.expected !== undefined
      ? ` (expected ${problem.expected}, found ${problem.found ?? 'nothing'})`
      : '';
  return `${formatLocation(file, problem.line, problem.column)}: ${problem.severity}: ${problem.message}${detail} [${problem.code}]`;
}

const VERSION_LABEL = /^v?\d+\.\d+\.\d+/i;

/** Where a heading's text starts, after its `#` markers and spaces. */
function headingTextPosition(changelog: ChangelogDocument, heading: Heading): Position {
  const line = changelog.line(heading.lineIndex);
  const at = line.indexOf(heading.text, heading.column - 1 + heading.level);
  return { line: heading.line, column: (at === -1 ? heading.column - 1 : at) + 1 };
}

/** Encoding problems listed one by one up to this many per kind; the first says how many there are. */
const LISTED_PER_KIND = 10;

/** Show a control character as its escape, never as itself. */
function escapeControl(char: string): string {
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * Bytes a changelog cannot hold: invalid UTF-8 (from the bytes read; every other check sees it as
 * U+FFFD), NUL bytes and other control characters (binary content).
 */
function validateEncoding(changelog: ChangelogDocument, error: Report): void {
  if (changelog.invalidUtf8) {
    const bytes = Buffer.from(changelog.bytes);
    const { offsets, count } = invalidUtf8Offsets(bytes, LISTED_PER_KIND);
    let line = 0;
    let lineStart = 0;
    for (const offset of offsets) {
      for (let lf = bytes.indexOf(0x0a, lineStart); lf !== -1 && lf < offset;) {
        line++;
        lineStart = lf + 1;
        lf = bytes.indexOf(0x0a, lineStart);
      }
      const column = bytes.toString('utf8', lineStart, offset).length + 1;
      error(
        'INVALID_UTF8',
        { line: line + 1, column },
        `invalid UTF-8 (byte 0x${bytes[offset]!.toString(16).padStart(2, '0')} at offset ${offset}${count > 1 ? `; ${count} invalid sequences in the file` : ''})`,
        'UTF-8 text',
        `byte 0x${bytes[offset]!.toString(16).padStart(2, '0')}`,
      );
    }
  }
  const { text } = changelog;
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    let listed = 0;
    const total = text.split('\0').length - 1;
    for (
      let at = nul;
      at !== -1 && listed < LISTED_PER_KIND;
      at = text.indexOf('\0', at + 1), listed++
    )
      error(
        'NUL_BYTE',
        changelog.positionAt(at),
        `a NUL byte${total > 1 ? ` (${total} in the file)` : ''}: this is binary content, not a text changelog`,
        'text without NUL bytes',
        '\\x00',
      );
  }
  CONTROL_CHARACTER.lastIndex = 0;
  const controls = [...text.matchAll(CONTROL_CHARACTER)];
  controls
    .slice(0, LISTED_PER_KIND)
    .forEach((m) =>
      error(
        'BINARY_CONTENT',
        changelog.positionAt(m.index),
        `control character ${escapeControl(m[0])}${controls.length > 1 ? ` (${controls.length} in the file)` : ''}: binary content, not text`,
        'text: no control characters but tab, line feed, form feed and carriage return',
        escapeControl(m[0]),
      ),
    );
}

/** A title, an Unreleased section and releases: what makes the file a changelog at all. */
function validateShape(changelog: ChangelogDocument, error: Report, warning: WarningReport): void {
  const start = { line: 1, column: 1 };
  if (!changelog.title)
    error(
      'NO_TITLE',
      start,
      'the file has no "# " title',
      '# Changelog',
      changelog.sections[0]?.heading.text ?? 'no heading',
    );
  const hasUnreleased = changelog.unreleasedSections().length > 0;
  const hasRelease = changelog.releases.length > 0;
  const first = changelog.sections[0]?.heading ?? start;
  if (!hasUnreleased && !hasRelease) {
    error(
      'NO_UNRELEASED',
      first,
      'there is no "## [Unreleased]" section',
      '## [Unreleased]',
      'none',
    );
    error('NO_RELEASE', first, 'there is no release section', '## [X.Y.Z] - YYYY-MM-DD', 'none');
  } else if (!hasUnreleased) {
    warning('NO_UNRELEASED', first, 'there is no "## [Unreleased]" section: promote needs one');
  }
}

export function validate(changelog: ChangelogDocument, options: ValidateOptions = {}): Problem[] {
  const changeTypes = new Set(
    (options.changeTypes ?? KEEP_A_CHANGELOG_TYPES).map((t) => t.trim().toLowerCase()),
  );
  const today =
    options.today instanceof Date ? utcDay(options.today) : (options.today ?? utcDay(new Date()));
  // A release dated tomorrow (UTC) may be today somewhere; a later day is a mistake.
  const latestAllowed = utcDay(new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000));
  const problems: Problem[] = [];
  const at = (position: Position) => ({ line: position.line, column: position.column });
  const error = (
    code: ProblemCode,
    position: Position,
    message: string,
    expected?: string,
    found?: string,
  ) =>
    problems.push({
      code,
      severity: 'error',
      ...at(position),
      message,
      ...(expected !== undefined ? { expected, found: found ?? '' } : {}),
    });
  const warning = (code: ProblemCode, position: Position, message: string) =>
    problems.push({ code, severity: 'warning', ...at(position), message });

  const warnWith: Report = (code, position, message, expected, found) =>
    problems.push({
      code,
      severity: 'warning',
      ...at(position),
      message,
      ...(expected !== undefined ? { expected, found: found ?? '' } : {}),
    });
  // A file that dates no release (changesets writes `## 1.2.0`) is warned about, not failed.
  const anyDated = changelog.releases.some((r) => r.date !== undefined);
  validateEncoding(changelog, error);
  validateShape(changelog, error, warning);
  let firstUnreleased: Section | undefined;
  const firstOfVersion = new Map<string, Section>();
  let previousRelease: Section | undefined;
  for (const section of changelog.sections) {
    const { heading } = section;
    if (section.kind === 'unknown' && section.versionLike) {
      warnWith(
        'UNRECOGNISED_VERSION',
        section.versionPosition!,
        `"${section.version}" is not a semantic version, so this section is not read as a release`,
        'MAJOR.MINOR.PATCH',
        section.version,
      );
      continue;
    }
    if (section.kind === 'unknown') {
      error(
        'INVALID_HEADING',
        section.versionPosition ?? headingTextPosition(changelog, heading),
        heading.level === 1
          ? 'a second level-1 heading'
          : `"${heading.text}" is neither Unreleased nor a version`,
        heading.level === 1 ? 'one # title' : '## [Unreleased] or ## [X.Y.Z] - YYYY-MM-DD',
        section.version ?? heading.text,
      );
      continue;
    }
    if (section.kind === 'unreleased') {
      if (firstUnreleased)
        error(
          'DUPLICATE_UNRELEASED',
          heading,
          `a second Unreleased section (the first is at line ${firstUnreleased.heading.line})`,
          'one Unreleased section',
          'two',
        );
      else if (previousRelease)
        error(
          'UNRELEASED_NOT_FIRST',
          heading,
          `Unreleased comes after release ${previousRelease.version} (line ${previousRelease.heading.line})`,
          'Unreleased above every release',
          'below a release',
        );
      firstUnreleased ??= section;
    } else {
      const version = section.version!;
      // The first section of a version wins, as findRelease() picks it; later ones are duplicates.
      const key = formatSemVer(section.semver!);
      const duplicate = firstOfVersion.get(key);
      if (!duplicate) firstOfVersion.set(key, section);
      if (duplicate) {
        error(
          'DUPLICATE_VERSION',
          section.versionPosition!,
          `version ${version} already has a section at line ${duplicate.heading.line}`,
          'each version once',
          version,
        );
      } else {
        if (previousRelease && compareSemVer(section.semver!, previousRelease.semver!) > 0) {
          error(
            'VERSION_ORDER',
            section.versionPosition!,
            `version ${version} is listed below the lower version ${previousRelease.version} (line ${previousRelease.heading.line})`,
            'newest version first',
            `${version} after ${previousRelease.version}`,
          );
        }
        previousRelease = section;
      }
      if (section.date === undefined)
        (anyDated ? error : warnWith)(
          'MISSING_DATE',
          {
            line: heading.line,
            column: changelog.line(heading.lineIndex).replace(/\r?\n$/, '').length + 1,
          },
          `release ${version} has no date`,
          `## [${version}] - YYYY-MM-DD`,
          heading.text,
        );
      else {
        const day = readDate(section.date)?.day;
        if (day === undefined)
          error(
            'INVALID_DATE',
            section.datePosition!,
            `"${section.date}" is not a calendar date`,
            'YYYY-MM-DD',
            section.date,
          );
        else if (day > latestAllowed)
          error(
            'FUTURE_DATE',
            section.datePosition!,
            `release ${version} is dated ${section.date}, after today (${today})`,
            `a date up to ${today}`,
            section.date,
          );
      }
      if (!section.bracketed)
        warnWith(
          'UNBRACKETED_VERSION',
          section.versionPosition!,
          `version ${version} is not in brackets, as Keep a Changelog writes it`,
          `[${section.label}]`,
          section.label,
        );
      if (!section.hasEntries)
        error(
          'EMPTY_SECTION',
          heading,
          `release ${version} has no entries`,
          'at least one entry',
          'none',
        );
    }
    for (const sub of section.subsections) {
      if (!sub.hasEntries && section.kind === 'release')
        warning('EMPTY_SUBSECTION', sub.heading, `"### ${sub.heading.text}" has no entries`);
      if (!changeTypes.has(sub.heading.text.trim().toLowerCase()))
        warnWith(
          'UNKNOWN_CHANGE_TYPE',
          headingTextPosition(changelog, sub.heading),
          `"${sub.heading.text}" is not a known type of change`,
          [...(options.changeTypes ?? KEEP_A_CHANGELOG_TYPES)].join(', '),
          sub.heading.text,
        );
    }
  }
  validateLinks(changelog, error, warnWith);
  const sorted = problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return options.strict
    ? sorted.map((p) => (p.severity === 'warning' ? { ...p, severity: 'error' } : p))
    : sorted;
}

type Report = (
  code: ProblemCode,
  position: Position,
  message: string,
  expected?: string,
  found?: string,
) => void;
type WarningReport = (code: ProblemCode, position: Position, message: string) => void;

/**
 * How often each label appears as `[label]` in the file, definitions included, in one pass: a
 * label is used when it appears more often than it is defined.
 */
function bracketCounts(changelog: ChangelogDocument): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of changelog.text.matchAll(/\[([^\][\n]{1,999})\]/g)) {
    const key = normalizeLabel(m[1]!);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function validateLinks(changelog: ChangelogDocument, error: Report, warning: Report): void {
  // A definition no version owns must be used somewhere as `[label]` (or `[text][label]`).
  let counts: Map<string, number> | undefined;
  const defined = new Map<string, number>();
  for (const def of changelog.links) {
    const key = normalizeLabel(def.label);
    defined.set(key, (defined.get(key) ?? 0) + 1);
  }
  for (const def of changelog.links) {
    if (VERSION_LABEL.test(def.label) || normalizeLabel(def.label) === 'unreleased') continue;
    counts ??= bracketCounts(changelog);
    const key = normalizeLabel(def.label);
    if ((counts.get(key) ?? 0) > defined.get(key)!) continue;
    warning(
      'UNUSED_LINK',
      def,
      `[${def.label}] is defined but nothing refers to it`,
      `a [${def.label}] reference`,
      'none',
    );
  }
  const versionDefs = changelog.links.filter(
    (d) => VERSION_LABEL.test(d.label) || normalizeLabel(d.label) === 'unreleased',
  );
  const firstByLabel = new Map<string, (typeof versionDefs)[number]>();
  for (const def of versionDefs) {
    const key = normalizeLabel(def.label);
    const first = firstByLabel.get(key);
    if (first)
      error(
        'DUPLICATE_LINK',
        def,
        `a second definition of [${def.label}] (the first, at line ${first.line}, wins)`,
        'one definition per label',
        'two',
      );
    else firstByLabel.set(key, def);
  }
  if (!versionDefs.length) return; // a file without version links uses brackets as plain text

  const sectionsByLabel = new Map<string, Section>();
  for (const section of changelog.sections) {
    if (section.kind === 'unknown') continue;
    const label = section.label!;
    if (!sectionsByLabel.has(normalizeLabel(label)))
      sectionsByLabel.set(normalizeLabel(label), section);
    // `## [1.0.0](url) - date` links inline and needs no definition.
    const inlineLink = /^\[[^\]]*\]\(/.test(section.heading.text);
    if (section.bracketed && !inlineLink && !changelog.link(label)) {
      error(
        'MISSING_LINK',
        section.versionPosition ?? section.heading,
        `[${label}] has no link reference definition`,
        `[${label}]: <url>`,
        'no definition',
      );
    }
  }

  const repository = changelog.repository();
  const latest = changelog.latestRelease();
  for (const def of firstByLabel.values()) {
    const key = normalizeLabel(def.label);
    const section = sectionsByLabel.get(key);
    if (!section) {
      error(
        'UNUSED_LINK',
        def,
        `[${def.label}] is defined but no section has that version`,
        `a "## [${def.label}]" section`,
        'none',
      );
      continue;
    }
    const link = parseRepositoryLink(def.url);
    if (!link || !repository) continue;
    const tagOf = (version: string) => `${repository.tagPrefix}${version}`;
    if (key === 'unreleased') {
      if (latest && link.kind === 'compare' && link.from !== tagOf(latest.version!)) {
        error(
          'LINK_MISMATCH',
          def.urlPosition,
          `[${def.label}] should compare from the latest release`,
          compareUrl(link.base, tagOf(latest.version!), link.to, link),
          def.url,
        );
      }
      continue;
    }
    const tag = tagOf(section.version!);
    const previous = changelog.previousRelease(section.semver!);
    if (link.to !== tag) {
      error(
        'LINK_MISMATCH',
        def.urlPosition,
        `[${def.label}] points at ${link.to}, not at its own tag`,
        tag,
        link.to,
      );
    } else if (link.kind === 'compare' && previous && link.from !== tagOf(previous.version!)) {
      error(
        'LINK_MISMATCH',
        def.urlPosition,
        `[${def.label}] should compare from the previous release`,
        compareUrl(link.base, tagOf(previous.version!), tag, link),
        def.url,
      );
    }
  }
}
