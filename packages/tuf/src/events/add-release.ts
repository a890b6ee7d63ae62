import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TufError } from '../errors';
import {
  commitPaths,
  defaultBase,
  mergeBase,
  pushBranch,
  resolveCommit,
  switchToBranch,
  syncBranch,
  type PushOptions,
} from '../git';
import { releaseManifest, type ReleaseManifestInput } from '../manifest';
import { signingBranchName } from '../naming';
import { writeFileAtomic } from '@oci-sd/core';
import {
  bumpForEvent,
  findDelegation,
  metadataFile,
  readRoleAt,
  requireRole,
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

/**
 * What the release workflow does in the TUF repository, in a real git checkout: write the
 * release manifest under `targets/`, list it in `metadata/targets.json` (sha256, length,
 * version bumped once for the event, signatures reset to placeholders, expiry renewed only
 * within the signing period, formatting kept), commit on the signing branch and push when
 * asked. Running it again with the same manifest changes nothing.
 */
export async function addReleaseTarget(
  repoDir: string,
  options: AddReleaseTargetOptions,
): Promise<AddReleaseTargetResult> {
  const { content, targetName, path } = releaseManifest(options.manifest);
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
  // A re-run of the release workflow starts from a fresh clone: continue the pushed branch.
  if (options.push) await syncBranch(repoDir, branch, options.push);
  await switchToBranch(repoDir, branch, baseCommit);
  const eventBase = await mergeBase(repoDir, baseCommit, 'HEAD');

  const bytes = Buffer.from(content, 'utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const entry: TargetEntry = { hashes: { sha256 }, length: bytes.length };

  const targets = await requireRole(repoDir, 'targets');
  const map = (targets.signed.targets ?? {}) as Record<string, TargetEntry>;
  const existing = map[targetName];
  const onDisk = await readIfExists(join(repoDir, path));
  const listed = existing?.hashes?.sha256 === sha256 && existing.length === bytes.length;
  if (listed && onDisk?.equals(bytes)) {
    return {
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
  }

  if (!onDisk?.equals(bytes)) await writeFileAtomic(join(repoDir, path), bytes);
  if (!listed) {
    map[targetName] =
      existing?.custom === undefined ? entry : { ...entry, custom: existing.custom };
    targets.signed.targets = map;
    const root = await requireRole(repoDir, 'root');
    if (!findDelegation('targets', root))
      throw new TufError('METADATA_INVALID', `${metadataFile('root')}: roles.targets is missing`, {
        expected: 'roles.targets',
        found: 'nothing',
      });
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
  };
}
