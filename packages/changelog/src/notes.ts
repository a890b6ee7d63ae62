import type { ChangelogDocument } from './document';
import { ChangelogError } from './errors';
import { compareUrl, tagUrl } from './links';
import type { LinkStyle } from './links';
import { LineKind } from './parse';
import type { Section } from './parse';
import { requireUnreleased } from './promote';
import { parseSemVer } from '@oci-sd/core';

export interface NotesOptions {
  /** `OWNER/REPO`; read from the link references when absent. */
  repo?: string;
  /** `https://github.com` or a GitHub Enterprise URL (`GITHUB_SERVER_URL` in Actions); read from the links when absent. */
  serverUrl?: string;
  /** Prefix that turns a version into its tag (`v`, or `''` for bare versions); read from the links when absent, else `v`. */
  tagPrefix?: string;
}

export interface ReleaseNotes {
  version: string;
  tag: string;
  /** Absent for the first release. */
  previousTag?: string;
  /** The Full Changelog link: a compare view, or the tag's commits for the first release. */
  fullChangelogUrl: string;
  body: string;
  date?: string;
  yanked: boolean;
  prerelease: boolean;
}

/** GitHub refuses a release body longer than this (HTTP 422). */
export const MAX_RELEASE_BODY = 125_000;

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** Where the Full Changelog link points: the options' repository, else the one the file's links show (in their style). */
function repositoryBase(
  changelog: ChangelogDocument,
  options: NotesOptions,
): { base: string; style: LinkStyle } {
  const repository = changelog.repository();
  if (options.repo !== undefined && !REPO.test(options.repo)) {
    throw new ChangelogError('INVALID_OPTION', `repo "${options.repo}" is not OWNER/REPO`, {
      expected: 'OWNER/REPO',
      found: options.repo,
    });
  }
  let server = options.serverUrl;
  if (server !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(server);
    } catch {
      url = undefined;
    }
    if (
      !url ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.search ||
      url.hash ||
      url.username ||
      url.password
    ) {
      // Never echo credentials someone put in the URL.
      const shown = server.replace(/\/\/[^/@]*@/, '//***@');
      throw new ChangelogError(
        'INVALID_OPTION',
        `server URL "${shown}" is not an http(s) URL without credentials, query or fragment`,
        { expected: 'https://HOST[/PATH]', found: shown },
      );
    }
    server = server.replace(/\/+$/, '');
  }
  if (options.repo !== undefined) {
    if (server !== undefined || !repository)
      return { base: `${server ?? 'https://github.com'}/${options.repo}`, style: 'github' };
    return { base: `${new URL(repository.base).origin}/${options.repo}`, style: repository.style };
  }
  if (repository)
    return server
      ? { base: `${server}${new URL(repository.base).pathname}`, style: 'github' }
      : { base: repository.base, style: repository.style };
  throw new ChangelogError(
    'NO_REPOSITORY',
    'cannot build the Full Changelog link: no repository given and no link references to read it from',
    {
      ...(changelog.file !== undefined ? { file: changelog.file } : {}),
      expected:
        'the repo option (OWNER/REPO) or link references such as [Unreleased]: https://github.com/OWNER/REPO/compare/v1.0.0...HEAD',
      found: 'neither',
    },
  );
}

/**
 * A section without its heading, `###` shown as `##` (deeper headings one level up, code
 * untouched, CRLF as LF), a blank line and the Full Changelog link; refused over GitHub's limit.
 */
function notesBody(
  changelog: ChangelogDocument,
  section: Section,
  url: string,
  what: string,
): string {
  const lines: string[] = [];
  let first = section.startLine + 1;
  while (first < section.contentEndLine && changelog.lineKind(first) === LineKind.Blank) first++;
  for (let i = first; i < section.contentEndLine; i++) {
    const line = changelog.line(i).replace(/\r?\n$/, '');
    // The section's `###` headings become `##` (and deeper ones one level up) under the release title.
    lines.push(
      changelog.lineKind(i) === LineKind.Heading ? line.replace(/^( {0,3})#(?=##)/, '$1') : line,
    );
  }
  const body = `${lines.length ? `${lines.join('\n')}\n\n` : ''}**Full Changelog**: ${url}`;
  const length = codePoints(body);
  if (length > MAX_RELEASE_BODY) {
    throw new ChangelogError(
      'BODY_TOO_LONG',
      `the release notes of ${what} are ${length} characters; GitHub accepts at most ${MAX_RELEASE_BODY}`,
      {
        ...(changelog.file !== undefined ? { file: changelog.file } : {}),
        line: section.heading.line,
        column: section.heading.column,
        expected: `at most ${MAX_RELEASE_BODY} characters`,
        found: length,
      },
    );
  }
  return body;
}

/**
 * Notes of the Unreleased section, for a preview (a pull request comment, a draft release): its
 * entries, then the Full Changelog comparing the latest release's tag with HEAD (or HEAD's
 * commits when nothing is released yet).
 */
export function unreleasedNotes(
  changelog: ChangelogDocument,
  options: NotesOptions = {},
): ReleaseNotes {
  const section = requireUnreleased(changelog);
  const { base, style } = repositoryBase(changelog, options);
  const prefix = options.tagPrefix ?? changelog.repository()?.tagPrefix ?? 'v';
  const latest = changelog.latestRelease();
  const previousTag = latest && `${prefix}${latest.version}`;
  const fullChangelogUrl = previousTag
    ? compareUrl(base, previousTag, 'HEAD', { style })
    : style === 'bitbucket'
      ? tagUrl(base, 'HEAD', style)
      : `${base}/commits/HEAD`;
  return {
    version: 'Unreleased',
    tag: 'HEAD',
    ...(previousTag ? { previousTag } : {}),
    fullChangelogUrl,
    body: notesBody(changelog, section, fullChangelogUrl, 'Unreleased'),
    yanked: false,
    prerelease: false,
  };
}

/** A version section as GitHub release notes, ending with the Full Changelog link. */
export function releaseNotes(
  changelog: ChangelogDocument,
  version: string,
  options: NotesOptions = {},
): ReleaseNotes {
  // A tag is fine too: `v1.5.0`, or `release-1.5.0` with that prefix.
  const bare =
    options.tagPrefix && version.startsWith(options.tagPrefix)
      ? version.slice(options.tagPrefix.length)
      : version;
  const semver = parseSemVer(bare.replace(/^[vV](?=\d)/, ''));
  if (!semver)
    throw new ChangelogError('INVALID_VERSION', `"${version}" is not a semantic version`, {
      expected: 'MAJOR.MINOR.PATCH[-PRERELEASE]',
      found: version,
    });
  const section = changelog.findRelease(semver);
  if (!section) {
    const versions = changelog.releases.slice(0, 5).map((s) => s.version!);
    throw new ChangelogError('NOT_FOUND', `there is no section for version ${semver.raw}`, {
      ...(changelog.file !== undefined ? { file: changelog.file } : {}),
      expected: `a "## [${semver.raw}] - YYYY-MM-DD" section`,
      found: versions.length
        ? `versions ${versions.join(', ')}${changelog.releases.length > 5 ? ', ...' : ''}`
        : 'no released versions',
    });
  }
  const { base, style } = repositoryBase(changelog, options);
  const prefix = options.tagPrefix ?? changelog.repository()?.tagPrefix ?? 'v';
  const tag = `${prefix}${section.version}`;
  const previous = changelog.previousRelease(section.semver!);
  const previousTag = previous && `${prefix}${previous.version}`;
  const fullChangelogUrl = previousTag
    ? compareUrl(base, previousTag, tag, { style })
    : style === 'bitbucket'
      ? tagUrl(base, tag, style)
      : `${base}/commits/${tag}`;

  const body = notesBody(changelog, section, fullChangelogUrl, section.version!);
  return {
    version: section.version!,
    tag,
    ...(previousTag ? { previousTag } : {}),
    fullChangelogUrl,
    body,
    ...(section.date !== undefined ? { date: section.date } : {}),
    yanked: section.yanked,
    prerelease: section.semver!.prerelease.length > 0,
  };
}
