import type { SignedMetadata, TufKey } from '../crypto';
import { canonicalize } from '../metadata/canonical';
import { defaultBase, git, mergeBase, resolveCommit } from '../git';
import {
  ONLINE_ROLES,
  listRoles,
  readEventState,
  readRoleAt,
  readRole,
  sortRoles,
  type SigningEventState,
} from './repository';

/** A signing event as checked out: its branch, the commit it forked from main at, the metadata then and now. */
export interface EventSnapshot {
  repoDir: string;
  /** The merge base of the event branch with the base branch. */
  baseCommit: string;
  current: Map<string, SignedMetadata>;
  base: Map<string, SignedMetadata>;
  state: SigningEventState;
  /** Per role, the target names whose file under `targets/` differs from the merge base (work tree included). */
  changedArtifacts: Map<string, string[]>;
}

/**
 * The role an artifact belongs to, as TUF-on-CI maps them: `targets/<role>/...` to a delegated
 * role of that name, anything else to `targets` (the seed lists nested names there).
 */
function artifactRole(targetName: string, targets: SignedMetadata | undefined): string {
  const first = targetName.split('/')[0]!;
  const roles =
    (targets?.signed.delegations as { roles?: Array<{ name: string }> } | undefined)?.roles ?? [];
  return targetName.includes('/') && roles.some((r) => r.name === first) ? first : 'targets';
}

async function changedArtifacts(
  repoDir: string,
  baseCommit: string,
  targets: SignedMetadata | undefined,
): Promise<Map<string, string[]>> {
  const changed = [
    ...(
      await git(repoDir, ['diff', '--name-only', '--no-renames', baseCommit, '--', 'targets'])
    ).split('\n'),
    ...(await git(repoDir, ['ls-files', '--others', '--exclude-standard', '--', 'targets'])).split(
      '\n',
    ),
  ].filter((path) => path.startsWith('targets/') && !path.split('/').pop()!.startsWith('.'));
  const byRole = new Map<string, string[]>();
  for (const path of new Set(changed)) {
    const name = path.slice('targets/'.length);
    const role = artifactRole(name, targets);
    byRole.set(role, [...(byRole.get(role) ?? []), name]);
  }
  return byRole;
}

export async function loadEvent(repoDir: string, base: string | undefined): Promise<EventSnapshot> {
  const baseCommit = await mergeBase(
    repoDir,
    await resolveCommit(repoDir, base ?? (await defaultBase(repoDir))),
    'HEAD',
  );
  const current = new Map<string, SignedMetadata>();
  const previous = new Map<string, SignedMetadata>();
  for (const role of await listRoles(repoDir)) {
    const metadata = await readRole(repoDir, role);
    if (metadata) current.set(role, metadata);
    const atBase = await readRoleAt(repoDir, baseCommit, role);
    if (atBase) previous.set(role, atBase);
  }
  const artifacts = await changedArtifacts(repoDir, baseCommit, current.get('targets'));
  return {
    repoDir,
    baseCommit,
    current,
    base: previous,
    state: await readEventState(repoDir),
    changedArtifacts: artifacts,
  };
}

/** Roles whose `signed` differs from the merge base, roles with open invites or changed artifacts: root first, then targets. */
export function changedRoles(event: EventSnapshot): string[] {
  const changed: string[] = [];
  for (const [role, metadata] of event.current) {
    if ((ONLINE_ROLES as readonly string[]).includes(role)) continue;
    const before = event.base.get(role);
    if (!before || !canonicalize(before.signed).equals(canonicalize(metadata.signed)))
      changed.push(role);
  }
  for (const roles of Object.values(event.state.invites)) changed.push(...roles);
  changed.push(...event.changedArtifacts.keys());
  return sortRoles(changed);
}

/** Same key material (type, scheme, value), whatever keyid or x- fields it carries. */
export function sameKey(a: TufKey, b: TufKey): boolean {
  return canonicalize({ keytype: a.keytype, scheme: a.scheme, keyval: a.keyval }).equals(
    canonicalize({ keytype: b.keytype, scheme: b.scheme, keyval: b.keyval }),
  );
}
