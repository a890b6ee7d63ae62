import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TufKey } from '../crypto';
import { writeFileAtomic } from '@oci-sd/core';
import { canonicalize } from '../metadata/canonical';
import type { TufSigner } from '../signers';
import { TufError } from '../errors';
import { commitPaths, git, gitMaybe } from '../git';
import { sameKey } from './event';
import { expiryAfter, keyIdOf, normalizeUser, writeRole } from './repository';

export type InitRole = 'root' | 'targets' | 'snapshot' | 'timestamp';

export interface InitRepositoryOptions {
  /** The offline maintainer (`@user`) who signs root and targets. */
  maintainer: { signer: TufSigner; user: string };
  /** More offline signers; each signs the roles it is given (root and targets by default). */
  signers?: Array<{ signer: TufSigner; user: string; roles?: Array<'root' | 'targets'> }>;
  /** Thresholds of root and targets (default 1); at most the number of the role's signers. */
  thresholds?: { root?: number; targets?: number };
  /** The online key (snapshot and timestamp) and its `x-tuf-on-ci-online-uri`, e.g. `sigstore:`. */
  online: { signer: TufSigner; uri: string };
  /** Expiry and signing periods in days; tuf-on-ci's defaults: 365/60, timestamp 2/1. */
  periods?: Partial<Record<InitRole, { expiry: number; signing: number }>>;
  now?: Date;
}

export interface InitRepositoryResult {
  maintainerKeyid: string;
  onlineKeyid: string;
  /** Keyid of every offline signer, by `@user`. */
  keyids: Record<string, string>;
}

const DEFAULT_INIT_PERIODS: Record<InitRole, { expiry: number; signing: number }> = {
  root: { expiry: 365, signing: 60 },
  targets: { expiry: 365, signing: 60 },
  snapshot: { expiry: 365, signing: 60 },
  timestamp: { expiry: 2, signing: 1 },
};

function invalid(message: string, expected: unknown, found: unknown): TufError {
  return new TufError('INVALID_INPUT', message, { expected, found });
}

/** tuf-on-ci's sanity rule for every role: 1 <= signing period < expiry period, whole days. */
function checkedPeriods(
  periods: InitRepositoryOptions['periods'],
): Record<InitRole, { expiry: number; signing: number }> {
  const result = { ...DEFAULT_INIT_PERIODS };
  for (const role of Object.keys(DEFAULT_INIT_PERIODS) as InitRole[]) {
    const given = periods?.[role];
    if (!given) continue;
    const { expiry, signing } = given;
    if (
      !Number.isSafeInteger(expiry) ||
      !Number.isSafeInteger(signing) ||
      signing < 1 ||
      signing >= expiry
    )
      throw invalid(
        `${role}: the signing period must be a whole number of days, at least 1 and less than the expiry period; found signing ${signing}, expiry ${expiry}`,
        '1 <= signing < expiry (days)',
        { expiry, signing },
      );
    result[role] = { expiry, signing };
  }
  return result;
}

/**
 * Writes version 1 of a TUF-on-CI repository into `dir` as tuf-on-ci initialises one: every
 * offline signer's key in root with x-tuf-on-ci-keyowner and the online key with its URI (keyids
 * as tuf-on-ci computes them), root and targets signers and thresholds, TUF-on-CI's expiry and
 * signing periods, root and targets signed by their signers, snapshot and timestamp by the online
 * key, `root_history/1.root.json`, and an empty `targets/`, each file in tuf-on-ci's bytes
 * (1-space indent, sorted keys, no trailing newline). Committing is the caller's business (see
 * `initCheckout`). Bad options (INVALID_INPUT) are refused before anything is written.
 */
export async function initRepository(
  dir: string,
  options: InitRepositoryOptions,
): Promise<InitRepositoryResult> {
  const now = options.now ?? new Date();
  const periods = checkedPeriods(options.periods);
  const offline = [
    { ...options.maintainer, roles: ['root', 'targets'] as Array<'root' | 'targets'> },
    ...(options.signers ?? []).map((s) => ({ ...s, roles: s.roles ?? ['root', 'targets'] })),
  ].map((entry) => ({ ...entry, user: normalizeUser(entry.user) }));
  const seen = new Set<string>();
  for (const { user, roles } of offline) {
    if (seen.has(user))
      throw invalid(`signer ${user} is given twice`, 'one entry per signer', user);
    seen.add(user);
    if (roles.length === 0 || roles.some((role) => role !== 'root' && role !== 'targets'))
      throw invalid(
        `signer ${user}: roles must be root and/or targets`,
        ['root', 'targets'],
        roles,
      );
  }
  // Keys as tuf-on-ci stores them: the owner (or online URI) set, the keyid over the whole key.
  const keys: Record<string, TufKey> = {};
  const signerOf = new Map<string, TufSigner>();
  const keyids: Record<string, string> = {};
  for (const { signer, user } of offline) {
    const key: TufKey = { ...(await signer.publicKey()), 'x-tuf-on-ci-keyowner': user };
    const keyid = keyIdOf(key);
    if (Object.values(keys).some((other) => sameKey(other, key)))
      throw invalid(`signer ${user} uses the key of another signer`, 'one key per signer', user);
    keys[keyid] = key;
    keyids[user] = keyid;
    signerOf.set(keyid, signer);
  }
  const onlineKey: TufKey = {
    ...(await options.online.signer.publicKey()),
    'x-tuf-on-ci-online-uri': options.online.uri,
  };
  const onlineKeyid = keyIdOf(onlineKey);
  if (Object.values(keys).some((other) => sameKey(other, onlineKey)))
    throw invalid(
      "the online key is also an offline signer's key",
      'a separate online key',
      onlineKeyid,
    );
  keys[onlineKeyid] = onlineKey;
  signerOf.set(onlineKeyid, options.online.signer);

  const roleKeyids = (role: 'root' | 'targets') =>
    offline.filter((entry) => entry.roles.includes(role)).map((entry) => keyids[entry.user]!);
  const threshold = (role: 'root' | 'targets') => {
    const value = options.thresholds?.[role] ?? 1;
    const count = roleKeyids(role).length;
    if (!Number.isSafeInteger(value) || value < 1 || value > count)
      throw invalid(
        `threshold of ${role} must be between 1 and ${count} (its signers), found ${value}`,
        `1..${count}`,
        value,
      );
    return value;
  };
  const periodFields = (role: InitRole) => ({
    'x-tuf-on-ci-expiry-period': periods[role].expiry,
    'x-tuf-on-ci-signing-period': periods[role].signing,
  });
  const common = { spec_version: '1.0.31', version: 1 };
  const roles = {
    root: {
      _type: 'root',
      consistent_snapshot: true,
      expires: expiryAfter(now, periods.root.expiry),
      keys,
      roles: {
        root: { keyids: roleKeyids('root'), threshold: threshold('root') },
        snapshot: { keyids: [onlineKeyid], threshold: 1, ...periodFields('snapshot') },
        targets: { keyids: roleKeyids('targets'), threshold: threshold('targets') },
        timestamp: { keyids: [onlineKeyid], threshold: 1, ...periodFields('timestamp') },
      },
      ...common,
      ...periodFields('root'),
    },
    targets: {
      _type: 'targets',
      expires: expiryAfter(now, periods.targets.expiry),
      targets: {},
      ...common,
      ...periodFields('targets'),
    },
    snapshot: {
      _type: 'snapshot',
      expires: expiryAfter(now, periods.snapshot.expiry),
      meta: { 'targets.json': { version: 1 } },
      ...common,
    },
    timestamp: {
      _type: 'timestamp',
      expires: expiryAfter(now, periods.timestamp.expiry),
      meta: { 'snapshot.json': { version: 1 } },
      ...common,
    },
  };
  const signingKeyids: Record<InitRole, string[]> = {
    root: roleKeyids('root'),
    targets: roleKeyids('targets'),
    snapshot: [onlineKeyid],
    timestamp: [onlineKeyid],
  };
  // Signatures in keyid order, as tuf-on-ci's placeholders are then filled. One signature at a
  // time: a Sigstore signer makes a certificate and a log entry per signature.
  for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
    const bytes = canonicalize(roles[role]);
    const signatures = [];
    for (const keyid of signingKeyids[role])
      signatures.push({ keyid, ...(await signerOf.get(keyid)!.sign(bytes)) });
    await writeRole(dir, role, { signed: roles[role], signatures });
  }
  await writeFileAtomic(join(dir, 'targets', '.gitkeep'), '');
  return { maintainerKeyid: keyids[offline[0]!.user]!, onlineKeyid, keyids };
}

export interface InitCheckoutResult extends InitRepositoryResult {
  /** The commit "Initial TUF repository" on `main`. */
  commit: string;
  /** True when the directory (and its git repository) did not exist before. */
  created: boolean;
}

async function entriesOf(dir: string): Promise<string[] | null> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR')
      throw invalid(`${dir} is not a directory`, 'a new or empty git checkout', 'a file');
    throw error;
  }
}

/**
 * `initRepository` into a new directory or an empty git checkout (e.g. a clone of an empty
 * repository), committed as "Initial TUF repository" on `main`, the branch TUF-on-CI works on.
 * Anything else in the directory, or a commit already there, is refused (INVALID_INPUT) before
 * anything is written; a failure later removes what was written, leaving the directory as it was.
 */
export async function initCheckout(
  dir: string,
  options: InitRepositoryOptions,
): Promise<InitCheckoutResult> {
  const entries = await entriesOf(dir);
  const others = (entries ?? []).filter((name) => name !== '.git');
  if (others.length > 0)
    throw invalid(
      `${dir} is not empty (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}): tuf init writes a new repository into a new or empty git checkout`,
      'a new or empty git checkout',
      others,
    );
  const hasGit = entries?.includes('.git') ?? false;
  if (hasGit && (await gitMaybe(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'])) !== null)
    throw invalid(
      `${dir} already has commits: tuf init writes a new repository into a new or empty git checkout`,
      'a checkout without commits',
      (await git(dir, ['rev-parse', 'HEAD'])).trim(),
    );
  const headRef = hasGit ? (await git(dir, ['symbolic-ref', 'HEAD'])).trim() : null;
  if (!entries) await mkdir(dir, { recursive: true });
  try {
    if (hasGit) await git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
    else await git(dir, ['init', '--quiet', '--initial-branch=main']);
    const result = await initRepository(dir, options);
    const commit = await commitPaths(dir, ['metadata', 'targets'], 'Initial TUF repository');
    if (!commit)
      throw new TufError('GIT', `nothing was committed in ${dir}`, {
        expected: 'a commit',
        found: 'none',
      });
    return { ...result, commit, created: !entries };
  } catch (error) {
    if (!entries) await rm(dir, { recursive: true, force: true });
    else {
      for (const path of ['metadata', 'targets'])
        await rm(join(dir, path), { recursive: true, force: true });
      if (headRef) await git(dir, ['symbolic-ref', 'HEAD', headRef]);
      else await rm(join(dir, '.git'), { recursive: true, force: true });
    }
    throw error;
  }
}
