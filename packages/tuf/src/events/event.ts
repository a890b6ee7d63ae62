import { join } from 'node:path';
import type { SignedMetadata, TufKey } from '../crypto';
import { canonicalize } from '../metadata/canonical';
import { defaultBase, git, mergeBase, resolveCommit, showFile } from '../git';
import { artifactRoles } from './layout';
import {
  ONLINE_ROLES,
  delegatorOf,
  listRoles,
  metadataFile,
  parseMetadata,
  readEventState,
  readRoleBytes,
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
  /** The bytes of `metadata/<role>.json` in the work tree and at the merge base. */
  currentBytes: Map<string, Buffer>;
  baseBytes: Map<string, Buffer>;
  state: SigningEventState;
  /** Per role, the changed files under `targets/` its artifact patterns match (tuf-on-ci's mapping). */
  changedArtifacts: Map<string, string[]>;
  /** Changed files under `targets/` no role's patterns match (nested names listed in top-level targets). */
  unmappedArtifacts: string[];
}

/** Files under `targets/` that differ from the merge base, work tree and untracked files included. */
async function changedArtifactNames(repoDir: string, baseCommit: string): Promise<string[]> {
  const changed = [
    ...(
      await git(repoDir, ['diff', '--name-only', '--no-renames', baseCommit, '--', 'targets'])
    ).split('\n'),
    ...(await git(repoDir, ['ls-files', '--others', '--exclude-standard', '--', 'targets'])).split(
      '\n',
    ),
  ].filter((path) => path.startsWith('targets/'));
  return [...new Set(changed)].map((path) => path.slice('targets/'.length)).sort();
}

export async function loadEvent(repoDir: string, base: string | undefined): Promise<EventSnapshot> {
  const baseCommit = await mergeBase(
    repoDir,
    await resolveCommit(repoDir, base ?? (await defaultBase(repoDir))),
    'HEAD',
  );
  const current = new Map<string, SignedMetadata>();
  const previous = new Map<string, SignedMetadata>();
  const currentBytes = new Map<string, Buffer>();
  const baseBytes = new Map<string, Buffer>();
  for (const role of await listRoles(repoDir)) {
    const bytes = await readRoleBytes(repoDir, role);
    if (bytes) {
      currentBytes.set(role, bytes);
      current.set(role, parseMetadata(bytes, join(repoDir, metadataFile(role))));
    }
    const atBase = await showFile(repoDir, baseCommit, metadataFile(role));
    if (atBase) {
      baseBytes.set(role, atBase);
      previous.set(role, parseMetadata(atBase, `${baseCommit}:${metadataFile(role)}`));
    }
  }
  const changedArtifacts = new Map<string, string[]>();
  const unmappedArtifacts: string[] = [];
  for (const name of await changedArtifactNames(repoDir, baseCommit)) {
    // A file may move between roles within the event: the patterns of both states count.
    const roles = new Set([
      ...artifactRoles(name, current.get('targets')),
      ...artifactRoles(name, previous.get('targets')),
    ]);
    if (roles.size === 0 && !name.split('/').some((segment) => segment.startsWith('.')))
      unmappedArtifacts.push(name);
    for (const role of roles)
      changedArtifacts.set(role, [...(changedArtifacts.get(role) ?? []), name]);
  }
  return {
    repoDir,
    baseCommit,
    current,
    base: previous,
    currentBytes,
    baseBytes,
    state: await readEventState(repoDir),
    changedArtifacts,
    unmappedArtifacts,
  };
}

/**
 * The roles of a signing event exactly as tuf-on-ci's status lists them: every
 * `metadata/<role>.json` whose bytes differ from the merge-base copy (a signature appended
 * without a version change included), every role whose artifact patterns match a changed file
 * under `targets/`, and the delegating role of every open invite (`root` for invites to root or
 * targets, `targets` for delegated roles). Root first, then targets, then the rest by name.
 * Changed `snapshot.json` / `timestamp.json` are not roles of an event: see `onlineRoleChanges`.
 */
export function changedRoles(event: EventSnapshot): string[] {
  const roles: string[] = [];
  for (const [role, bytes] of event.currentBytes) {
    if ((ONLINE_ROLES as readonly string[]).includes(role)) continue;
    const before = event.baseBytes.get(role);
    if (!before?.equals(bytes)) roles.push(role);
  }
  roles.push(...event.changedArtifacts.keys());
  for (const invited of Object.values(event.state.invites).flat()) roles.push(delegatorOf(invited));
  return sortRoles(roles);
}

/** Online roles whose file the event changed: tuf-on-ci's status refuses such an event ("Unexpected change in online files"). */
export function onlineRoleChanges(event: EventSnapshot): string[] {
  return ONLINE_ROLES.filter((role) => {
    const now = event.currentBytes.get(role);
    const before = event.baseBytes.get(role);
    return now ? !before?.equals(now) : before !== undefined;
  });
}

/**
 * The role a changed file no artifact pattern matches belongs to: the targets role listing it
 * (now, else at the merge base), else top-level `targets`, where the TUF-on-CI release workflow
 * lists nested release manifests.
 */
export function unmappedArtifactRole(event: EventSnapshot, name: string): string {
  for (const metadata of [event.current, event.base])
    for (const [role, md] of metadata)
      if (
        md.signed._type === 'targets' &&
        (md.signed.targets as Record<string, unknown> | undefined)?.[name]
      )
        return role;
  return 'targets';
}

/** Same key material (type, scheme, value), whatever keyid or x- fields it carries. */
export function sameKey(a: TufKey, b: TufKey): boolean {
  return canonicalize({ keytype: a.keytype, scheme: a.scheme, keyval: a.keyval }).equals(
    canonicalize({ keytype: b.keytype, scheme: b.scheme, keyval: b.keyval }),
  );
}
