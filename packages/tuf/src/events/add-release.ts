import { createHash } from 'node:crypto';
import { readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TufError } from '../errors';
import {
  branchExists,
  commitPaths,
  currentBranch,
  defaultBase,
  git,
  gitMaybe,
  mergeBase,
  pushBranch,
  resolveCommit,
  showFile,
  switchToBranch,
  syncBranch,
  type PushOptions,
} from '../git';
import { parseReleaseManifest, releaseManifest, type ReleaseManifestInput } from '../manifest';
import { signingBranchName } from '../naming';
import { writeFileAtomic } from '@oci-sd/core';
import { layoutWarning } from './layout';
import {
  bumpForEvent,
  findDelegation,
  metadataFile,
  parseMetadata,
  readRoleAt,
  rolePeriods,
  signerKeyids,
  writeRole,
} from './repository';

export interface AddReleaseTargetOptions {
  manifest: ReleaseManifestInput;
  /** The signing branch; `sign/release-<SAFE_VERSION>-<runId>` by default. */
  branch?: string;
  /** Where a new signing branch starts and what the version bump is relative to (default `main`, else HEAD). */
  base?: string;
  /** Push the branch after committing (nothing is pushed when nothing changed). */
  push?: PushOptions;
  /** The clock for the new expiry (default now). */
  now?: Date;
  /** Re-point a tag already listed with another image digest (refused otherwise). */
  replace?: boolean;
}

export interface AddReleaseTargetResult {
  branch: string;
  targetName: string;
  /** Repository-relative path of the manifest, `targets/<target name>`. */
  path: string;
  sha256: string;
  length: number;
  /** targets.json version after the update. */
  version: number;
  /** False when the manifest and its entry were already there: no commit, no push. */
  changed: boolean;
  commit: string | null;
  pushed: boolean;
  /** The layout warning when top-level targets list nested names (see `layoutWarning`). */
  warnings?: string[];
}

interface TargetEntry {
  hashes: Record<string, string>;
  length: number;
  custom?: unknown;
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Where the checkout stood before add-release touched it, to put it back on any failure. */
interface CheckoutState {
  /** The checked-out branch, or null on a detached HEAD. */
  branch: string | null;
  head: string;
  /** The event branch's tip, or null when it did not exist. */
  eventTip: string | null;
  /** The manifest file in the work tree, null when there was none. */
  manifest: Buffer | null;
}

async function branchTip(repoDir: string, branch: string): Promise<string | null> {
  return (
    (
      await gitMaybe(repoDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])
    )?.trim() ?? null
  );
}

/**
 * Puts the checkout back where it was (branch, index, work tree): the event branch back to its
 * old tip (deleted when add-release created it), the original branch checked out again, tracked
 * files as committed (they were clean before), the manifest file removed when it was new.
 */
async function restoreCheckout(
  repoDir: string,
  eventBranch: string,
  before: CheckoutState,
  manifestPath: string,
): Promise<void> {
  const onEvent = (await currentBranch(repoDir)) === eventBranch;
  if (onEvent && before.branch !== eventBranch)
    await git(repoDir, [
      'checkout',
      '--quiet',
      '--force',
      ...(before.branch ? [before.branch] : ['--detach', before.head]),
    ]);
  if (before.eventTip)
    await git(repoDir, ['update-ref', `refs/heads/${eventBranch}`, before.eventTip]);
  else if (await branchExists(repoDir, eventBranch))
    await git(repoDir, ['branch', '--quiet', '--delete', '--force', eventBranch]);
  await git(repoDir, ['reset', '--quiet', '--hard']);
  const file = join(repoDir, manifestPath);
  if (before.manifest) {
    if (!(await readIfExists(file))?.equals(before.manifest))
      await writeFileAtomic(file, before.manifest);
    return;
  }
  await rm(file, { force: true });
  // Directories the manifest needed go again; rmdir refuses one that holds anything else.
  for (let dir = dirname(file); dir.startsWith(join(repoDir, 'targets', '')); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      break;
    }
  }
}

/** The digest the listed manifest records, or null when its file is missing, unreadable or not what the entry lists. */
async function listedDigest(
  repoDir: string,
  commit: string,
  path: string,
  entry: TargetEntry,
): Promise<string | null> {
  const bytes = await showFile(repoDir, commit, path);
  if (!bytes || createHash('sha256').update(bytes).digest('hex') !== entry.hashes?.sha256)
    return null;
  try {
    return parseReleaseManifest(bytes, `${commit}:${path}`).digest;
  } catch {
    return null;
  }
}

/**
 * What the release workflow does in the TUF repository, in a real git checkout: write the
 * release manifest under `targets/`, list it in `metadata/targets.json` (sha256, length,
 * version bumped once for the event, signatures reset to placeholders, expiry renewed only
 * within the signing period, formatting kept), commit on the signing branch and push when
 * asked. A tag already listed with the same image digest changes nothing (no branch, no
 * commit, no push); one listed with another digest is refused (INVALID_INPUT, naming both)
 * unless `replace` is set. Every check runs before a branch is created or a file written, and
 * any failure leaves the checkout as it was: branch, index and work tree.
 */
export async function addReleaseTarget(
  repoDir: string,
  options: AddReleaseTargetOptions,
): Promise<AddReleaseTargetResult> {
  const { manifest, content, targetName, path } = releaseManifest(options.manifest);
  const branch =
    options.branch ??
    signingBranchName(
      options.manifest.version ?? options.manifest.tag.replace(/^v/, ''),
      options.manifest.runId,
    );
  if (!branch.startsWith('sign/')) {
    throw new TufError(
      'INVALID_INPUT',
      `signing event branches start with "sign/", found ${JSON.stringify(branch)}`,
      { expected: 'sign/<name>', found: branch },
    );
  }
  const baseCommit = await resolveCommit(repoDir, options.base ?? (await defaultBase(repoDir)));
  const dirty = (await git(repoDir, ['status', '--porcelain', '--untracked-files=no'])).trim();
  if (dirty)
    throw new TufError(
      'GIT',
      `${repoDir} has uncommitted changes; commit or discard them before adding a release`,
      { expected: 'clean work tree', found: dirty },
    );
  const before: CheckoutState = {
    branch: await currentBranch(repoDir),
    head: (await git(repoDir, ['rev-parse', 'HEAD'])).trim(),
    eventTip: await branchTip(repoDir, branch),
    manifest: await readIfExists(join(repoDir, path)),
  };
  const bytes = Buffer.from(content, 'utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const entry: TargetEntry = { hashes: { sha256 }, length: bytes.length };
  try {
    // A re-run of the release workflow starts from a fresh clone: continue the pushed branch.
    if (options.push) await syncBranch(repoDir, branch, options.push);
    const start = (await branchTip(repoDir, branch)) ?? baseCommit;
    const eventBase = await mergeBase(repoDir, baseCommit, start);

    // Every check on the state the event will start from, before anything is written.
    const targetsBytes = await showFile(repoDir, start, metadataFile('targets'));
    const rootBytes = await showFile(repoDir, start, metadataFile('root'));
    if (!targetsBytes || !rootBytes)
      throw new TufError(
        'NOT_FOUND',
        `${join(repoDir, metadataFile(targetsBytes ? 'root' : 'targets'))} does not exist at ${start.slice(0, 12)}: not a TUF-on-CI repository`,
        { expected: metadataFile(targetsBytes ? 'root' : 'targets'), found: 'no file' },
      );
    const targets = parseMetadata(targetsBytes, join(repoDir, metadataFile('targets')));
    const root = parseMetadata(rootBytes, join(repoDir, metadataFile('root')));
    if (!findDelegation('targets', root))
      throw new TufError('METADATA_INVALID', `${metadataFile('root')}: roles.targets is missing`, {
        expected: 'roles.targets',
        found: 'nothing',
      });
    const map = (targets.signed.targets ?? {}) as Record<string, TargetEntry>;
    const existing = map[targetName];
    const same = existing?.hashes?.sha256 === sha256 && existing.length === bytes.length;
    const unchanged: AddReleaseTargetResult = {
      branch,
      targetName,
      path,
      sha256,
      length: bytes.length,
      version: targets.signed.version as number,
      changed: false,
      commit: null,
      pushed: false,
    };
    // Nothing to do: the checkout goes back exactly as it was (a branch synced from the remote too).
    const noChange = async () => {
      await restoreCheckout(repoDir, branch, before, path);
      return unchanged;
    };
    if (existing && !same) {
      const listed = await listedDigest(repoDir, start, path, existing);
      if (listed === manifest.digest && !options.replace) return await noChange();
      if (!options.replace) {
        throw new TufError(
          'INVALID_INPUT',
          `${options.manifest.tag} is already listed in ${metadataFile('targets')} as ${targetName} with digest ${listed ?? `unknown (targets/${targetName} does not match its entry, sha256 ${existing.hashes?.sha256 ?? 'missing'})`}; refusing to re-point it to ${manifest.digest} (pass replace to do so)`,
          { expected: listed ?? existing.hashes?.sha256, found: manifest.digest },
        );
      }
    }
    const onDiskAtStart = await showFile(repoDir, start, path);
    if (same && onDiskAtStart?.equals(bytes)) return await noChange();

    await switchToBranch(repoDir, branch, baseCommit);
    if (!(await readIfExists(join(repoDir, path)))?.equals(bytes))
      await writeFileAtomic(join(repoDir, path), bytes);
    if (!same) {
      map[targetName] =
        existing?.custom === undefined ? entry : { ...entry, custom: existing.custom };
      targets.signed.targets = map;
      const baseVersion = (await readRoleAt(repoDir, eventBase, 'targets'))?.signed.version as
        number | undefined;
      bumpForEvent(
        targets,
        baseVersion ?? null,
        rolePeriods('targets', targets, root),
        options.now ?? new Date(),
        signerKeyids('targets', root, null),
      );
      await writeRole(repoDir, 'targets', targets);
    }
    const commit = await commitPaths(
      repoDir,
      [path, metadataFile('targets')],
      `Add release verification manifest for ${options.manifest.tag}`,
    );
    if (options.push && commit) await pushBranch(repoDir, branch, options.push);
    const warning = layoutWarning(targets);
    return {
      branch,
      targetName,
      path,
      sha256,
      length: bytes.length,
      version: targets.signed.version as number,
      changed: true,
      commit,
      pushed: Boolean(options.push && commit),
      ...(warning ? { warnings: [warning] } : {}),
    };
  } catch (error) {
    await restoreCheckout(repoDir, branch, before, path);
    throw error;
  }
}
