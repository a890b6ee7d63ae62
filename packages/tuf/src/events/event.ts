import type { SignedMetadata, TufKey } from '../crypto';
import { canonicalize } from '../metadata/canonical';
import { defaultBase, mergeBase, resolveCommit } from '../git';
import { ONLINE_ROLES, listRoles, readEventState, readRoleAt, readRole, sortRoles, type SigningEventState } from './repository';

/** A signing event as checked out: its branch, the commit it forked from main at, the metadata then and now. */
export interface EventSnapshot {
  repoDir: string;
  /** The merge base of the event branch with the base branch. */
  baseCommit: string;
  current: Map<string, SignedMetadata>;
  base: Map<string, SignedMetadata>;
  state: SigningEventState;
}

export async function loadEvent(repoDir: string, base: string | undefined): Promise<EventSnapshot> {
  const baseCommit = await mergeBase(repoDir, await resolveCommit(repoDir, base ?? (await defaultBase(repoDir))), 'HEAD');
  const current = new Map<string, SignedMetadata>();
  const previous = new Map<string, SignedMetadata>();
  for (const role of await listRoles(repoDir)) {
    const metadata = await readRole(repoDir, role);
    if (metadata) current.set(role, metadata);
    const atBase = await readRoleAt(repoDir, baseCommit, role);
    if (atBase) previous.set(role, atBase);
  }
  return { repoDir, baseCommit, current, base: previous, state: await readEventState(repoDir) };
}

/** Roles whose `signed` differs from the merge base, plus roles with open invites: root first, then targets. */
export function changedRoles(event: EventSnapshot): string[] {
  const changed: string[] = [];
  for (const [role, metadata] of event.current) {
    if ((ONLINE_ROLES as readonly string[]).includes(role)) continue;
    const before = event.base.get(role);
    if (!before || !canonicalize(before.signed).equals(canonicalize(metadata.signed))) changed.push(role);
  }
  for (const roles of Object.values(event.state.invites)) changed.push(...roles);
  return sortRoles(changed);
}

/** Same key material (type, scheme, value), whatever keyid or x- fields it carries. */
export function sameKey(a: TufKey, b: TufKey): boolean {
  return canonicalize({ keytype: a.keytype, scheme: a.scheme, keyval: a.keyval }).equals(canonicalize({ keytype: b.keytype, scheme: b.scheme, keyval: b.keyval }));
}
