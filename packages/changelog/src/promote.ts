import type { ChangelogDocument } from './document';
import { isValidDate, utcDay } from './dates';
import { applyEdits, applyEditsToBytes, unifiedDiff } from './edit';
import type { LineEdit } from './edit';
import { ChangelogError } from './errors';
import { compareUrl, parseRepositoryLink, tagUrl } from './links';
import { formatDate } from './dates';
import { formatVersionHeading, KEEP_A_CHANGELOG_STYLE, withoutV } from './heading';
import type { HeadingStyle } from './heading';
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

function resolveDate(changelog: ChangelogDocument, date: string | Date | undefined): string {
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

function located(changelog: ChangelogDocument, section: Section, column = section.heading.column) {
  return {
    ...(changelog.file !== undefined ? { file: changelog.file } : {}),
    line: section.heading.line,
    column,
  };
}

/** The single Unreleased section, refusing a file with none or with two. */
export function requireUnreleased(changelog: ChangelogDocument): Section {
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

/** The version to release and the heading label naming it (several versions for a monorepo heading). */
function resolveVersion(
  changelog: ChangelogDocument,
  target: string,
): { semver: SemVer; versions: string[] } {
  if (isBump(target)) {
    const latest = changelog.latestRelease();
    const version = latest
      ? incrementSemVer(latest.semver!, target)
      : incrementSemVer(parseSemVer('0.0.0')!, target);
    return { semver: parseSemVer(version)!, versions: [version] };
  }
  // `1.42.0/0.64.0/0.18.0`: every version a multi-module heading names; the configured one is released.
  const versions = target.split(/[ \t]*[/,][ \t]*/).map(withoutV);
  const chosen = versions[Math.min(changelog.versionIndex, versions.length - 1)]!;
  const semver = versions.every((v) => parseSemVer(v)) ? parseSemVer(chosen) : undefined;
  if (!semver) {
    throw new ChangelogError(
      'INVALID_VERSION',
      `"${target}" is neither a semantic version nor major, minor or patch`,
      {
        expected: 'MAJOR.MINOR.PATCH[-PRERELEASE] (or several, A/B/C), major, minor or patch',
        found: target,
      },
    );
  }
  return { semver, versions };
}

/** The heading style promote writes: the newest release's; Keep a Changelog's when nothing is released yet. */
function newHeadingStyle(changelog: ChangelogDocument, unreleased: Section): HeadingStyle {
  const style = changelog.firstListedRelease()?.style;
  if (style) return style;
  return { ...KEEP_A_CHANGELOG_STYLE, bracketed: unreleased.bracketed };
}

/** The new heading's label, its versions written as the newest release writes them: `1.2.0` or `v1.2.0`. */
function headingLabel(style: HeadingStyle, versions: readonly string[]): string {
  return versions.map((v) => `${style.versionPrefix}${v}`).join('/');
}

/** The level marker (`##`, or `#` where releases are level 1 headings) of the new release heading. */
function headingMarker(changelog: ChangelogDocument, unreleased: Section): string {
  const newest = changelog.firstListedRelease() ?? unreleased;
  return changelog
    .line(newest.startLine)
    .match(/^ {0,3}#+/)![0]
    .trimStart();
}

function linkEdits(
  changelog: ChangelogDocument,
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
  const previousTag = previous && `${prefix}${previous.version}`;
  // Unreleased compares from the latest release; a final release after release candidates
  // compares with the previous final release (spec: Release notes body), so either agrees.
  const latest = changelog.latestRelease();
  const latestTag = latest && `${prefix}${latest.version}`;
  if (
    anchor === unreleasedDef &&
    link.kind === 'compare' &&
    previousTag &&
    link.from !== previousTag &&
    link.from !== latestTag
  ) {
    // The file says Unreleased starts elsewhere than the previous release by semver: which one
    // the new compare link should start from is for the maintainer to say, not for us to guess.
    throw new ChangelogError(
      'LINK_MISMATCH',
      `[${anchor.label}] compares from ${link.from}, but the release below ${version} is ${previous.version} (line ${previous.heading.line}, tag ${previousTag})`,
      {
        ...location(anchor.urlPosition.line, anchor.urlPosition.column),
        expected: compareUrl(link.base, previousTag, link.to, link),
        found: anchor.url,
      },
    );
  }
  const newDef = `[${label}]: ${previousTag ? compareUrl(link.base, previousTag, tag, link) : tagUrl(link.base, tag, link.style)}`;
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

/** The compare (or tag) page a heading that links its release shows, built like the newest release's link. */
function inlineUrl(
  changelog: ChangelogDocument,
  version: string,
  previous: Section | undefined,
  tagPrefix: string | undefined,
): string | undefined {
  const newest = changelog.firstListedRelease();
  const link = newest?.url !== undefined ? parseRepositoryLink(newest.url) : undefined;
  if (!link) return undefined;
  const prefix =
    tagPrefix ??
    (link.to.endsWith(newest!.version!)
      ? link.to.slice(0, link.to.length - newest!.version!.length)
      : (changelog.repository()?.tagPrefix ?? 'v'));
  const tag = `${prefix}${version}`;
  return previous
    ? compareUrl(link.base, `${prefix}${previous.version}`, tag, link)
    : tagUrl(link.base, tag, link.style);
}

export function promote(
  changelog: ChangelogDocument,
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
  const { semver, versions } = resolveVersion(changelog, target);
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
  const style = newHeadingStyle(changelog, unreleased);
  const label = headingLabel(style, versions);
  // A file whose releases carry no date (changesets writes `## 1.2.0`) gets none either.
  const dated = changelog.firstListedRelease()?.date !== undefined || !changelog.releases.length;
  const heading = formatVersionHeading(
    style,
    label,
    dated ? formatDate(date, style.dateFormat ?? 'YYYY-MM-DD') : undefined,
    style.inlineLink ? inlineUrl(changelog, version, previous, options.tagPrefix) : undefined,
  );
  const edits: LineEdit[] = [
    {
      line: unreleased.startLine + 1,
      remove: 0,
      insert: [eol, `${headingMarker(changelog, unreleased)} ${heading}${eol}`],
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
