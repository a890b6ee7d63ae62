import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TufError } from '../errors';
import { commitPaths, currentBranch, pushBranch, type PushOptions } from '../git';
import { canonicalize } from '../metadata/canonical';
import type { SignedMetadata } from '../crypto';
import { loadEvent, unmappedArtifactRole, type EventSnapshot } from './event';
import { layoutWarning, nestedTopLevelNames } from './layout';
import { bumpForEvent, delegatorOf, rolePeriods, signerKeyids, writeRole } from './repository';

export interface UpdateTargetsOptions {
  /** Branch the event forked from (default `main`). */
  base?: string;
  now?: Date;
  push?: PushOptions;
}

export interface UpdateTargetsResult {
  /** Roles whose targets map changed, each committed as "Update targets metadata for role <role>". */
  roles: Array<{ role: string; version: number; commit: string }>;
  /**
   * Nested names listed in top-level targets whose files exist: kept, where tuf-on-ci's own
   * update-targets (pattern `*` for role targets) would drop them from targets.json.
   */
  kept: string[];
  /** The layout warning when `kept` is not empty (see `layoutWarning`). */
  warnings: string[];
  pushed: boolean;
}

/**
 * The changed artifacts per role: tuf-on-ci's pattern mapping, plus changed files no pattern
 * matches, which stay with the role listing them (top-level targets for nested
 * release manifests, new ones included), so an edited or deleted manifest is never left stale.
 */
function artifactsByRole(event: EventSnapshot): Map<string, string[]> {
  const byRole = new Map([...event.changedArtifacts].map(([role, names]) => [role, [...names]]));
  for (const name of event.unmappedArtifacts) {
    const role = unmappedArtifactRole(event, name);
    byRole.set(role, [...(byRole.get(role) ?? []), name]);
  }
  return byRole;
}

async function keptNestedNames(
  repoDir: string,
  targets: SignedMetadata | undefined,
): Promise<string[]> {
  const kept: string[] = [];
  for (const name of nestedTopLevelNames(targets))
    if (await fileExists(join(repoDir, 'targets', name))) kept.push(name);
  return kept;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * The signing-event workflow's target step: artifacts under `targets/` that differ from the merge
 * base are listed in (or removed from) their role with sha256 and length; the role's version is
 * bumped once per event and its signatures reset to placeholders.
 */
export async function updateTargets(
  repoDir: string,
  options: UpdateTargetsOptions = {},
): Promise<UpdateTargetsResult> {
  const branch = await currentBranch(repoDir);
  if (!branch?.startsWith('sign/'))
    throw new TufError(
      'EVENT',
      `targets are updated on a signing event branch (sign/...), ${repoDir} is on ${branch ?? 'a detached HEAD'}`,
      { expected: 'sign/<name>', found: branch },
    );
  const event = await loadEvent(repoDir, options.base);
  const root = event.current.get('root');
  const result: UpdateTargetsResult = { roles: [], kept: [], warnings: [], pushed: false };
  for (const [role, names] of artifactsByRole(event)) {
    const metadata = event.current.get(role);
    const delegator = event.current.get(delegatorOf(role));
    if (!metadata || !root || !delegator)
      throw new TufError(
        'NOT_FOUND',
        `artifacts changed for role ${role}, but metadata/${role}.json or its delegator does not exist`,
        { expected: `metadata/${role}.json`, found: names },
      );
    const original = canonicalize(metadata.signed);
    const map = (metadata.signed.targets ?? {}) as Record<
      string,
      { hashes?: Record<string, string>; length?: number; custom?: unknown }
    >;
    for (const name of names) {
      let bytes: Buffer;
      try {
        bytes = await readFile(join(repoDir, 'targets', name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        delete map[name];
        continue;
      }
      const custom = map[name]?.custom;
      map[name] = {
        hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
        length: bytes.length,
        ...(custom === undefined ? {} : { custom }),
      };
    }
    metadata.signed.targets = map;
    if (canonicalize(metadata.signed).equals(original)) continue;
    const baseVersion = (event.base.get(role)?.signed.version as number | undefined) ?? null;
    bumpForEvent(
      metadata,
      baseVersion,
      rolePeriods(role, metadata, root),
      options.now ?? new Date(),
      signerKeyids(role, delegator, null),
    );
    const paths = await writeRole(repoDir, role, metadata);
    const commit = await commitPaths(
      repoDir,
      [...paths, ...names.map((name) => `targets/${name}`)],
      `Update targets metadata for role ${role}`,
    );
    if (commit) result.roles.push({ role, version: metadata.signed.version as number, commit });
  }
  // After the update: names listed before and still there, and the layout as it is now.
  const before = nestedTopLevelNames(event.base.get('targets'));
  result.kept = (await keptNestedNames(repoDir, event.current.get('targets'))).filter((name) =>
    before.includes(name),
  );
  const warning = layoutWarning(event.current.get('targets'));
  if (warning) result.warnings.push(warning);
  if (options.push && result.roles.length > 0) {
    await pushBranch(repoDir, branch, options.push);
    result.pushed = true;
  }
  return result;
}
