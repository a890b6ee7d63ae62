import type { PushOptions } from '../git';
import {
  commitPaths,
  defaultBase,
  mergeBase,
  pushBranch,
  resolveCommit,
  switchToBranch,
} from '../git';
import { TufError } from '../errors';
import { canonicalize } from '../metadata/canonical';
import { addSignerBranchName } from '../naming';
import {
  ONLINE_ROLES,
  STATE_FILE,
  bumpForEvent,
  delegatorOf,
  findDelegation,
  metadataFile,
  normalizeUser,
  readEventState,
  readRoleAt,
  requireRole,
  rolePeriods,
  signerKeyids,
  writeEventState,
  writeRole,
} from './repository';

export interface InviteSignerOptions {
  /** The role the user will sign (`targets`, `root` or a delegated role). */
  role: string;
  /** GitHub user name, with or without `@`. */
  user: string;
  /** New threshold of the role, counting the invited signer. */
  threshold?: number;
  /** Branch the event forks from (default `main`). */
  base?: string;
  /** The event branch; `sign/add-signer-<user>` by default. */
  branch?: string;
  push?: PushOptions;
  now?: Date;
}

export interface InviteSignerResult {
  branch: string;
  user: string;
  role: string;
  threshold: number;
  changed: boolean;
  commit: string | null;
  pushed: boolean;
}

/**
 * `tuf-on-ci-delegate <role> --signer <user>`: on `sign/add-signer-<user>`, record the invite in
 * `metadata/.signing-event-state` and, when asked, the role's new threshold in its delegator.
 * The invited user's key joins when they run `signEvent` on the branch.
 */
export async function inviteSigner(
  repoDir: string,
  options: InviteSignerOptions,
): Promise<InviteSignerResult> {
  const user = normalizeUser(options.user);
  const { role } = options;
  if ((ONLINE_ROLES as readonly string[]).includes(role)) {
    throw new TufError(
      'INVALID_INPUT',
      `${role} is signed by the online key; invite signers to root, targets or a delegated role`,
      { expected: 'an offline role', found: role },
    );
  }
  const branch = options.branch ?? addSignerBranchName(user);
  const baseCommit = await resolveCommit(repoDir, options.base ?? (await defaultBase(repoDir)));
  await switchToBranch(repoDir, branch, baseCommit);
  const eventBase = await mergeBase(repoDir, baseCommit, 'HEAD');

  const delegatorName = delegatorOf(role);
  const delegator = await requireRole(repoDir, delegatorName);
  const delegation = findDelegation(role, delegator);
  if (!delegation)
    throw new TufError('NOT_FOUND', `${metadataFile(delegatorName)} does not delegate ${role}`, {
      expected: `a ${role} delegation`,
      found: 'none',
    });

  const state = await readEventState(repoDir);
  const invited = state.invites[user] ?? [];
  if (!invited.includes(role)) state.invites[user] = [...invited, role];
  const openInvites = Object.values(state.invites).filter((roles) => roles.includes(role)).length;
  const otherSigners = delegation.definition.keyids.filter(
    (id) => delegation.keys[id]?.['x-tuf-on-ci-keyowner'] !== user,
  ).length;

  const threshold = options.threshold ?? delegation.definition.threshold;
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > otherSigners + openInvites) {
    throw new TufError(
      'INVALID_INPUT',
      `threshold of ${role} must be between 1 and ${otherSigners + openInvites} (its signers and invitees), found ${threshold}`,
      {
        expected: `1..${otherSigners + openInvites}`,
        found: threshold,
      },
    );
  }
  const paths = [STATE_FILE];
  if (threshold !== delegation.definition.threshold) {
    const original = canonicalize(delegator.signed);
    delegation.definition.threshold = threshold;
    const root = delegatorName === 'root' ? delegator : await requireRole(repoDir, 'root');
    const baseVersion =
      ((await readRoleAt(repoDir, eventBase, delegatorName))?.signed.version as
        number | undefined) ?? null;
    const signers = signerKeyids(delegatorName, root, await readRoleAt(repoDir, eventBase, 'root'));
    bumpForEvent(
      delegator,
      baseVersion,
      rolePeriods(delegatorName, delegator, root),
      options.now ?? new Date(),
      signers,
      original,
    );
    paths.push(...(await writeRole(repoDir, delegatorName, delegator)));
  }
  await writeEventState(repoDir, state);
  const commit = await commitPaths(repoDir, paths, `Invite ${user} to sign ${role}`);
  if (options.push && commit) await pushBranch(repoDir, branch, options.push);
  return {
    branch,
    user,
    role,
    threshold,
    changed: commit !== null,
    commit,
    pushed: Boolean(options.push && commit),
  };
}
