import {
  verifySignature,
  type SignedMetadata,
  type SigstoreTrustedRootJSON,
  type TufKey,
} from '../crypto';
import { TufError } from '../errors';
import { commitPaths, currentBranch, git, pushBranch, syncBranch, type PushOptions } from '../git';
import { canonicalize } from '../metadata/canonical';
import type { TufSigner } from '../signers/types';
import { changedRoles, loadEvent, sameKey, type EventSnapshot } from './event';
import {
  ONLINE_ROLES,
  STATE_FILE,
  bumpForEvent,
  delegatorOf,
  findDelegation,
  keyIdOf,
  normalizeUser,
  rolePeriods,
  signerKeyids,
  sortRoles,
  writeEventState,
  writeRole,
} from './repository';

export interface SignEventOptions {
  /** The signer's GitHub name, `@user` (tuf-on-ci's key owner). */
  user: string;
  /** Branch the event forked from (default `main`). */
  base?: string;
  push?: PushOptions;
  now?: Date;
  /** Verifies the new sigstore-oidc signatures; the signer's own trusted root by default, else public good. */
  sigstoreTrustedRoot?: SigstoreTrustedRootJSON;
}

export interface SignEventResult {
  event: string;
  user: string;
  /** Roles whose invite this run accepted (the signer's key added to the delegator). */
  accepted: string[];
  /** Roles signed, each signature verified before it was written. */
  signed: string[];
  commit: string | null;
  pushed: boolean;
}

/** Roots sign with the keys of both the new and the previous root; other roles with their delegator's. */
function signingKeyids(
  event: EventSnapshot,
  role: string,
  signerKey: TufKey,
): Array<{ keyid: string; key: TufKey }> {
  const delegators = [event.current.get(delegatorOf(role))];
  if (role === 'root') delegators.push(event.base.get('root'));
  const found = new Map<string, TufKey>();
  for (const delegator of delegators) {
    const delegation = delegator ? findDelegation(role, delegator) : null;
    for (const keyid of delegation?.definition.keyids ?? []) {
      const key = delegation?.keys[keyid];
      if (key && sameKey(key, signerKey)) found.set(keyid, key);
    }
  }
  return [...found].map(([keyid, key]) => ({ keyid, key }));
}

/** Marks a role as part of the event: version bumped once, placeholders where its content changed since `original`. */
function touchRole(
  event: EventSnapshot,
  role: string,
  now: Date,
  original: Buffer,
): SignedMetadata {
  const metadata = event.current.get(role);
  const root = event.current.get('root');
  const delegator = event.current.get(delegatorOf(role));
  if (!metadata || !root || !delegator)
    throw new TufError(
      'NOT_FOUND',
      `metadata for ${role}, root or its delegator is missing in ${event.repoDir}`,
    );
  const baseVersion = (event.base.get(role)?.signed.version as number | undefined) ?? null;
  bumpForEvent(
    metadata,
    baseVersion,
    rolePeriods(role, metadata, root),
    now,
    signerKeyids(role, delegator, event.base.get('root') ?? null),
    original,
  );
  return metadata;
}

/**
 * Adds the signer's key to the delegator of every invited role (tuf-on-ci's keyid,
 * x-tuf-on-ci-keyowner set), as tuf-on-ci-sign does: only the delegating role changes (root for
 * root and targets, targets for delegated roles); the invited role itself is left as it is and
 * is signed afterwards, its `signed` untouched.
 */
function acceptInvites(
  event: EventSnapshot,
  user: string,
  key: TufKey,
  now: Date,
): { accepted: string[]; touched: Set<string> } {
  const invited = event.state.invites[user] ?? [];
  const ownedKey: TufKey = { ...key, 'x-tuf-on-ci-keyowner': user };
  const keyid = keyIdOf(ownedKey);
  const touched = new Set<string>();
  const originals = new Map<string, Buffer>();
  for (const role of invited) {
    const delegatorName = delegatorOf(role);
    const metadata = event.current.get(delegatorName);
    if (metadata && !originals.has(delegatorName))
      originals.set(delegatorName, canonicalize(metadata.signed));
  }
  for (const role of invited) {
    const delegatorName = delegatorOf(role);
    const delegator = event.current.get(delegatorName);
    const delegation = delegator ? findDelegation(role, delegator) : null;
    if (!delegation)
      throw new TufError(
        'EVENT',
        `${user} is invited to ${role}, but ${delegatorName} does not delegate ${role}`,
        { expected: `a ${role} delegation`, found: 'none' },
      );
    // One key per user and role: a new key replaces the user's old one.
    delegation.definition.keyids = delegation.definition.keyids.filter(
      (id) => delegation.keys[id]?.['x-tuf-on-ci-keyowner'] !== user,
    );
    delegation.keys[keyid] = ownedKey;
    delegation.definition.keyids.push(keyid);
    touched.add(delegatorName);
  }
  // Bump after every key is in, so the placeholders name the new signers.
  for (const role of touched) touchRole(event, role, now, originals.get(role)!);
  delete event.state.invites[user];
  return { accepted: [...invited], touched };
}

/**
 * `tuf-on-ci-sign <event>` without Python: on the checked-out event branch, accept the user's
 * invites, sign every changed role the signer's key may sign (for a new root also with the
 * previous root's keys), verify each new signature before writing it, commit
 * "Signature from @user" and push when asked. With `push`, the branch is first brought up to
 * date from that remote (created from it in a fresh clone, fast-forwarded when others signed).
 */
export async function signEvent(
  repoDir: string,
  eventBranch: string,
  signer: TufSigner,
  options: SignEventOptions,
): Promise<SignEventResult> {
  const user = normalizeUser(options.user);
  if (options.push) await syncBranch(repoDir, eventBranch, options.push);
  if ((await currentBranch(repoDir)) !== eventBranch)
    await git(repoDir, ['switch', '--quiet', eventBranch]);
  const event = await loadEvent(repoDir, options.base);
  const now = options.now ?? new Date();
  const signerKey = await signer.publicKey();
  const { accepted, touched } = acceptInvites(event, user, signerKey, now);

  const signed: string[] = [];
  const trustedRoot = options.sigstoreTrustedRoot ?? signer.sigstoreTrustedRoot;
  // tuf-on-ci-sign signs the event's changed roles, the delegators it just edited and the roles
  // it was invited to (a new targets signer appends a signature to an unchanged targets.json).
  const roles = sortRoles([...changedRoles(event), ...touched, ...accepted]);
  for (const role of roles) {
    if ((ONLINE_ROLES as readonly string[]).includes(role)) continue;
    const metadata = event.current.get(role);
    if (!metadata) continue;
    const bytes = canonicalize(metadata.signed);
    const verifyOptions = trustedRoot ? { sigstoreTrustedRoot: trustedRoot } : {};
    // Signing again what this key already signed would only churn the branch.
    const keys = signingKeyids(event, role, signerKey).filter(
      ({ keyid, key }) =>
        !metadata.signatures.some(
          (s) => s.keyid === keyid && verifySignature(key, s, bytes, verifyOptions).valid,
        ),
    );
    if (keys.length === 0) continue;
    const material = await signer.sign(bytes);
    for (const { keyid, key } of keys) {
      const entry = { keyid, ...material };
      const verdict = verifySignature(key, entry, bytes, verifyOptions);
      if (!verdict.valid) {
        throw new TufError(
          'SIGNER',
          `the new ${role} signature by ${user} (${signer.description}) does not verify: ${verdict.reason}`,
          { expected: 'a signature the key in metadata verifies', found: verdict.reason },
        );
      }
      const index = metadata.signatures.findIndex((s) => s.keyid === keyid);
      if (index === -1) metadata.signatures.push(entry);
      else metadata.signatures[index] = entry;
    }
    touched.add(role);
    signed.push(role);
  }
  if (touched.size === 0)
    return { event: eventBranch, user, accepted, signed, commit: null, pushed: false };

  const paths: string[] = [];
  for (const role of touched)
    paths.push(...(await writeRole(repoDir, role, event.current.get(role)!)));
  if (accepted.length > 0) {
    await writeEventState(repoDir, event.state);
    paths.push(STATE_FILE);
  }
  const commit = await commitPaths(repoDir, paths, `Signature from ${user}`);
  if (options.push && commit) await pushBranch(repoDir, eventBranch, options.push);
  return {
    event: eventBranch,
    user,
    accepted,
    signed,
    commit,
    pushed: Boolean(options.push && commit),
  };
}
