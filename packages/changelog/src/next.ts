import type { ChangelogDocument } from './document';
import { ChangelogError } from './errors';
import { LineKind } from './parse';
import type { Position } from './parse';
import { requireUnreleased } from './promote';
import { formatSemVer, incrementSemVer, parseSemVer, sameCore } from '@oci-sd/core';
import type { Bump, SemVer } from '@oci-sd/core';

export interface NextVersionOptions {
  /** Suggest a prerelease with this identifier (`rc` gives `2.0.0-rc.0`, then `2.0.0-rc.1`). */
  preid?: string;
  /**
   * What a breaking change bumps below 1.0.0: `minor` by default (0.3.0 to 0.4.0, as changesets and
   * release-please do: semver 2.0.0 section 4 leaves 0.y.z open to change), or `major` (to 1.0.0).
   */
  breakingBelowOne?: 'minor' | 'major';
}

export interface BumpReason extends Position {
  bump: Bump;
  /** The heading or entry that calls for the bump. */
  reason: string;
}

export interface NextVersion {
  version: string;
  bump: Bump;
  /** The latest release the bump starts from; absent when nothing is released yet (0.0.0 is the base). */
  from?: string;
  reasons: BumpReason[];
}

const RANK: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };
const HEADING_BUMPS: Record<string, Bump> = {
  removed: 'major',
  added: 'minor',
  changed: 'minor',
  deprecated: 'minor',
  fixed: 'patch',
  security: 'patch',
};
const BREAKING = /\bBREAKING\b/;
const PREID = /^[0-9A-Za-z-]+$/;

function bumpBetween(from: SemVer, to: SemVer): Bump {
  return from.major !== to.major ? 'major' : from.minor !== to.minor ? 'minor' : 'patch';
}

/**
 * The bump the Unreleased entries call for: Removed or a BREAKING marker gives major, Added,
 * Changed or Deprecated minor, Fixed, Security and anything else patch. A release in progress
 * (the latest release is a prerelease) continues with `preid`, or is finished when its version
 * already carries the bump.
 */
export function nextVersion(
  changelog: ChangelogDocument,
  options: NextVersionOptions = {},
): NextVersion {
  if (options.preid !== undefined && !PREID.test(options.preid)) {
    throw new ChangelogError(
      'INVALID_OPTION',
      `prerelease identifier "${options.preid}" is not valid`,
      { expected: 'letters, digits and hyphens, e.g. rc', found: options.preid },
    );
  }
  const unreleased = requireUnreleased(changelog);
  if (!unreleased.hasEntries) {
    throw new ChangelogError(
      'EMPTY_UNRELEASED',
      'the Unreleased section has no entries, so there is nothing to release',
      {
        ...(changelog.file !== undefined ? { file: changelog.file } : {}),
        line: unreleased.heading.line,
        column: unreleased.heading.column,
        expected: 'at least one entry under ## [Unreleased]',
        found: 'no entries',
      },
    );
  }
  const reasons: BumpReason[] = [];
  for (const sub of unreleased.subsections) {
    if (!sub.hasEntries) continue;
    const title = sub.heading.text.toLowerCase();
    const bump = /breaking/.test(title) ? 'major' : (HEADING_BUMPS[title] ?? 'patch');
    reasons.push({
      bump,
      reason: `### ${sub.heading.text}`,
      line: sub.heading.line,
      column: sub.heading.column,
    });
  }
  if (!unreleased.subsections.some((s) => s.hasEntries))
    reasons.push({
      bump: 'patch',
      reason: 'entries without a ### heading',
      line: unreleased.heading.line,
      column: 1,
    });
  for (let i = unreleased.startLine + 1; i < unreleased.contentEndLine; i++) {
    if (changelog.lineKind(i) !== LineKind.Text) continue;
    const line = changelog.line(i);
    const m = BREAKING.exec(line);
    if (m) reasons.push({ bump: 'major', reason: line.trim(), line: i + 1, column: m.index + 1 });
  }
  if (
    options.breakingBelowOne !== undefined &&
    options.breakingBelowOne !== 'minor' &&
    options.breakingBelowOne !== 'major'
  ) {
    throw new ChangelogError(
      'INVALID_OPTION',
      `breaking changes below 1.0.0 bump "${String(options.breakingBelowOne)}"`,
      { expected: 'minor or major', found: options.breakingBelowOne },
    );
  }
  const latest = changelog.latestRelease();
  const base = latest?.semver ?? parseSemVer('0.0.0')!;
  const called = reasons.reduce<Bump>(
    (max, r) => (RANK[r.bump] > RANK[max] ? r.bump : max),
    'patch',
  );
  // Below 1.0.0 a breaking change is a minor bump unless configured otherwise; 1.0.0 is a decision.
  const bump: Bump =
    called === 'major' && base.major === 0 && (options.breakingBelowOne ?? 'minor') === 'minor'
      ? 'minor'
      : called;
  let version: string;
  if (base.prerelease.length) {
    // A release in progress: keep going while its version already carries the bump.
    const lastFinal = changelog.previousRelease(
      parseSemVer(formatSemVer({ ...base, prerelease: [] }))!,
    );
    const carried = lastFinal ? RANK[bumpBetween(lastFinal.semver!, base)] >= RANK[bump] : true;
    const core = carried
      ? formatSemVer({ ...base, prerelease: [] })
      : incrementSemVer(parseSemVer(formatSemVer({ ...base, prerelease: [] }))!, bump);
    version = options.preid === undefined ? core : nextPrerelease(changelog, core, options.preid);
  } else {
    const core = incrementSemVer(base, bump);
    version = options.preid === undefined ? core : nextPrerelease(changelog, core, options.preid);
  }
  return { version, bump, ...(latest ? { from: latest.version! } : {}), reasons };
}

/** `core-preid.N` with N one past the highest released `core-preid.*` (0 when there is none). */
function nextPrerelease(changelog: ChangelogDocument, core: string, preid: string): string {
  const coreVersion = parseSemVer(core)!;
  let next = 0;
  for (const s of changelog.releases) {
    const v = s.semver!;
    if (!sameCore(v, coreVersion) || v.prerelease[0] !== preid) continue;
    const n = Number(v.prerelease[1] ?? -1);
    if (Number.isInteger(n) && n + 1 > next) next = n + 1;
  }
  return `${core}-${preid}.${next}`;
}
