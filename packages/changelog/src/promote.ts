import type { Changelog } from './changelog';
import { isValidDate, utcDay } from './dates';
import { applyEdits, applyEditsToBytes, unifiedDiff } from './edit';
import type { LineEdit } from './edit';
import { ChangelogError } from './errors';
import { compareUrl, parseRepositoryLink, tagUrl } from './links';
import type { Section } from './parse';
import { compareSemVer, incrementSemVer, parseSemVer } from '@oci-sd/core';
import type { Bump, SemVer } from '@oci-sd/core';

export interface PromoteOptions {
  /** The release date, `YYYY-MM-DD` or a Date (its UTC day); today (UTC) by default. */
  date?: string | Date;
  /** Tag prefix for new link references; read from the existing links by default (else `v`). */
  tagPrefix?: string;
}

export interface PromoteResult {
  version: string;
  date: string;
  /** The release the new version's compare link starts from, if any. */
  previousVersion?: string;
  /** The whole new file; built on first read, so a dry run that shows only the diff never copies a large file. */
  readonly text: string;
  /** The whole new file as bytes: the original bytes with the edits spliced in; built on first read. */
  readonly bytes: Uint8Array;
  /** The change as a unified diff against the file. */
  diff: string;
  edits: LineEdit[];
}

const BUMPS: readonly string[] = ['major', 'minor', 'patch'];

export function isBump(target: string): target is Bump {
  return BUMPS.includes(target);
}

function resolveDate(changelog: Changelog, date: string | Date | undefined): string {
  if (date instanceof Date) {
    if (Number.isNaN(date.getTime()))
      throw new ChangelogError('INVALID_DATE', 'the release date is not a valid date', {
        expected: 'a valid date',
        found: String(date),
      });
    return utcDay(date);
  }
  const text = date ?? utcDay(new Date());
  if (!isValidDate(text)) {
    throw new ChangelogError(
      'INVALID_DATE',
      `release date "${text}" is not a calendar date written YYYY-MM-DD`,
      {
        ...(changelog.file !== undefined ? { file: changelog.file } : {}),
        expected: 'YYYY-MM-DD',
        found: text,
      },
    );
  }
  return text;
}

function located(changelog: Changelog, section: Section, column = section.heading.column) {
  return {
    ...(changelog.file !== undefined ? { file: changelog.file } : {}),
    line: section.heading.line,
    column,
  };
}

/** The single Unreleased section, refusing a file with none or with two. */
export function requireUnreleased(changelog: Changelog): Section {
  const all = changelog.unreleasedSections();
  if (!all.length) {
    throw new ChangelogError('NO_UNRELEASED', 'there is no "## [Unreleased]" section to promote', {
      ...(changelog.file !== undefined ? { file: changelog.file } : {}),
      line:
        changelog.preambleEndLine + 1 > changelog.lineCount
          ? Math.max(changelog.lineCount, 1)
          : changelog.preambleEndLine + 1,
      column: 1,
      expected: '## [Unreleased]',
      found: changelog.sections[0]?.heading.text ?? 'no sections',
    });
  }
  if (all.length > 1) {
    throw new ChangelogError(
      'DUPLICATE_UNRELEASED',
      `a second Unreleased section (the first is at line ${all[0]!.heading.line})`,
      {
        ...located(changelog, all[1]!),
        expected: 'one Unreleased section',
        found: `${all.length} Unreleased sections`,
      },
    );
  }
  return all[0]!;
}

function resolveVersion(changelog: Changelog, target: string): SemVer {
  if (isBump(target)) {
    const latest = changelog.latestRelease();
    return parseSemVer(
      latest
        ? incrementSemVer(latest.semver!, target)
        : incrementSemVer(parseSemVer('0.0.0')!, target),
    )!;
  }
  const semver = parseSemVer(target.replace(/^[vV](?=\d)/, ''));
  if (!semver) {
    throw new ChangelogError(
      'INVALID_VERSION',
      `"${target}" is neither a semantic version nor major, minor or patch`,
      {
        expected: 'MAJOR.MINOR.PATCH[-PRERELEASE], major, minor or patch',
        found: target,
      },
    );
  }
  return semver;
}

/** The new version's heading label, written as the file writes its newest release: `1.2.0` or `v1.2.0`. */
function headingLabel(changelog: Changelog, version: string): string {
  const newest = changelog.firstListedRelease()?.label;
  return newest && /^[vV]\d/.test(newest) ? `${newest[0]}${version}` : version;
}

function releaseHeading(
  unreleased: Section,
  changelog: Changelog,
  label: string,
  date: string,
): string {
  // Brackets or not, as the newest release (or the Unreleased heading) has them.
  const bracketed = changelog.firstListedRelease()?.bracketed ?? unreleased.bracketed;
  const marker = changelog.line(unreleased.startLine).match(/^ {0,3}#+/)![0];
  return `${marker} ${bracketed ? `[${label}]` : label} - ${date}`;
}

function linkEdits(
  changelog: Changelog,
  version: string,
  label: string,
  previous: Section | undefined,
  tagPrefix: string | undefined,
): LineEdit[] {
  const location = (line: number, column: number) => ({
    ...(changelog.file !== undefined ? { file: changelog.file } : {}),
    line,
    column,
  });
  const existing = changelog.link(label);
  if (existing) {
    throw new ChangelogError('VERSION_EXISTS', `a link reference for ${label} already exists`, {
      ...location(existing.line, existing.column),
      expected: `no [${label}] link reference`,
      found: existing.url,
    });
  }
  const unreleasedDef = changelog.link('Unreleased');
  let anchor = unreleasedDef;
  if (!anchor) {
    for (const section of changelog.releases) {
      anchor = changelog.link(section.label!);
      if (anchor) break;
    }
  }
  if (!anchor) return [];
  const link = parseRepositoryLink(anchor.url);
  if (!link) {
    throw new ChangelogError(
      'UNSUPPORTED_LINK',
      `cannot update the [${anchor.label}] link reference: its URL is not a compare or tag link of a repository`,
      {
        ...location(anchor.urlPosition.line, anchor.urlPosition.column),
        expected: '<server>/<owner>/<repo>/compare/<tag>...HEAD',
        found: anchor.url,
      },
    );
  }
  const prefix = tagPrefix ?? changelog.repository()?.tagPrefix ?? 'v';
  const tag = `${prefix}${version}`;
  const newDef = `[${label}]: ${previous ? compareUrl(link.base, `${prefix}${previous.version}`, tag, link) : tagUrl(link.base, tag, link.style)}`;
  const anchorLine = changelog.line(anchor.lineIndex);
  const eol = changelog.lineEnding(anchor.lineIndex);
  if (anchor === unreleasedDef) {
    const urlStart = anchor.urlPosition.column - 1;
    // Before the first release the link may show a branch (`/commits/main`); from now on it compares with HEAD.
    const head = link.kind === 'compare' ? link.to : 'HEAD';
    const updated =
      anchorLine.slice(0, urlStart) +
      compareUrl(link.base, tag, head, link) +
      anchorLine.slice(urlStart + anchor.url.length).replace(/\r?\n$/, '');
    return [
      {
        line: anchor.lineIndex,
        remove: 1,
        insert: [updated + (eol || changelog.eol), newDef + eol],
      },
    ];
  }
  return [{ line: anchor.lineIndex, remove: 0, insert: [newDef + (eol || changelog.eol)] }];
}

export function promote(
  changelog: Changelog,
  target: string,
  options: PromoteOptions = {},
): PromoteResult {
  const unreleased = requireUnreleased(changelog);
  if (!unreleased.hasEntries) {
    throw new ChangelogError(
      'EMPTY_UNRELEASED',
      'the Unreleased section has no entries to release',
      {
        ...located(changelog, unreleased),
        expected: 'at least one entry under ## [Unreleased]',
        found: 'no entries',
      },
    );
  }
  const above = changelog.firstListedRelease();
  if (above && above.startLine < unreleased.startLine) {
    // The new version would land below an older release and break the order.
    throw new ChangelogError(
      'UNRELEASED_NOT_FIRST',
      `Unreleased is below release ${above.version} (line ${above.heading.line})`,
      {
        ...located(changelog, unreleased),
        expected: 'the Unreleased section above every release',
        found: `below ${above.version}`,
      },
    );
  }
  const semver = resolveVersion(changelog, target);
  const version = semver.raw;
  const date = resolveDate(changelog, options.date);
  const existing = changelog.findRelease(semver);
  if (existing) {
    throw new ChangelogError('VERSION_EXISTS', `version ${version} is already released here`, {
      ...located(changelog, existing, existing.versionPosition?.column),
      expected: `a version not in the changelog`,
      found: existing.heading.text,
    });
  }
  const latest = changelog.latestRelease();
  if (latest && compareSemVer(semver, latest.semver!) <= 0) {
    throw new ChangelogError(
      'VERSION_NOT_GREATER',
      `version ${version} is not greater than the latest release ${latest.version}`,
      {
        ...located(changelog, latest, latest.versionPosition?.column),
        expected: `a version greater than ${latest.version}`,
        found: version,
      },
    );
  }
  const previous = changelog.previousRelease(semver);
  const eol = changelog.lineEnding(unreleased.startLine) || changelog.eol;
  const label = headingLabel(changelog, version);
  const edits: LineEdit[] = [
    {
      line: unreleased.startLine + 1,
      remove: 0,
      insert: [eol, releaseHeading(unreleased, changelog, label, date) + eol],
    },
    ...linkEdits(changelog, version, label, previous, options.tagPrefix),
  ];
  let text: string | undefined;
  let bytes: Uint8Array | undefined;
  return {
    version,
    date,
    ...(previous ? { previousVersion: previous.version! } : {}),
    get text() {
      text ??= applyEdits(changelog, edits);
      return text;
    },
    get bytes() {
      bytes ??= applyEditsToBytes(changelog, edits);
      return bytes;
    },
    diff: unifiedDiff(changelog, edits),
    edits,
  };
}
