import {
  branchExists,
  commitPaths,
  currentBranch,
  defaultBase,
  git,
  pushBranch,
  remoteHasBranch,
  resolveCommit,
  switchToBranch,
  type PushOptions,
} from '../git';
import {
  ONLINE_ROLES,
  bumpForEvent,
  daysFrom,
  delegatorOf,
  listRoles,
  requireRole,
  rolePeriods,
  signerKeyids,
  writeRole,
} from './repository';

export interface ExpiryEventsOptions {
  /** Branch to check and fork from (default `main`). */
  base?: string;
  now?: Date;
  push?: PushOptions;
}

export interface ExpiryEvent {
  role: string;
  branch: string;
  version: number;
  expires: string;
  /** False when the branch already existed (nothing done). */
  created: boolean;
}

/**
 * TUF-on-CI's scheduled check: every offline role within its signing period of expiry gets a
 * signing event `sign/<role>-v<N>` with the version bumped, the expiry renewed and placeholders
 * for its signers. Existing branches are left alone, so running it every few hours is safe.
 */
export async function expiryEvents(
  repoDir: string,
  options: ExpiryEventsOptions = {},
): Promise<ExpiryEvent[]> {
  const now = options.now ?? new Date();
  const base = await resolveCommit(repoDir, options.base ?? (await defaultBase(repoDir)));
  const startBranch = await currentBranch(repoDir);
  await git(repoDir, ['switch', '--quiet', '--detach', base]);
  const events: ExpiryEvent[] = [];
  try {
    // tuf-on-ci's bump_expiring: a role is due once now + signing period reaches its expiry.
    const due: Array<{ role: string; version: number; expires: string }> = [];
    const root = await requireRole(repoDir, 'root');
    for (const role of await listRoles(repoDir)) {
      if ((ONLINE_ROLES as readonly string[]).includes(role)) continue;
      const metadata = await requireRole(repoDir, role);
      const expires = metadata.signed.expires as string;
      if (Date.parse(expires) <= daysFrom(now, rolePeriods(role, metadata, root).signing).getTime())
        due.push({ role, version: (metadata.signed.version as number) + 1, expires });
    }
    for (const { role, version } of due) {
      const branch = `sign/${role}-v${version}`;
      // tuf-on-ci's create-signing-events: with --push an event exists when origin has the
      // branch, else when the local branch does.
      if (
        (await branchExists(repoDir, branch)) ||
        (options.push && (await remoteHasBranch(repoDir, branch, options.push)))
      ) {
        events.push({
          role,
          branch,
          version,
          expires: (await requireRole(repoDir, role)).signed.expires as string,
          created: false,
        });
        continue;
      }
      await switchToBranch(repoDir, branch, base);
      const metadata = await requireRole(repoDir, role);
      const delegator = await requireRole(repoDir, delegatorOf(role));
      const baseVersion = metadata.signed.version as number;
      bumpForEvent(
        metadata,
        baseVersion,
        rolePeriods(role, metadata, root),
        now,
        signerKeyids(role, role === 'root' ? metadata : delegator, null),
      );
      await commitPaths(
        repoDir,
        await writeRole(repoDir, role, metadata),
        `Periodic version bump: ${role} v${version}`,
      );
      if (options.push) await pushBranch(repoDir, branch, options.push);
      events.push({
        role,
        branch,
        version,
        expires: metadata.signed.expires as string,
        created: true,
      });
    }
  } finally {
    await git(repoDir, [
      'switch',
      '--quiet',
      ...(startBranch ? [startBranch] : ['--detach', base]),
    ]);
  }
  return events;
}
