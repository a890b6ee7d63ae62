import { join } from 'node:path';
import type { TufKey } from '../crypto';
import { writeFileAtomic } from '@oci-sd/core';
import { canonicalize } from '../metadata/canonical';
import type { TufSigner } from '../signers';
import { expiryAfter, keyIdOf, normalizeUser, writeRole } from './repository';

export interface InitRepositoryOptions {
  /** The offline maintainer (`@user`) who signs root and targets. */
  maintainer: { signer: TufSigner; user: string };
  /** The online key (snapshot and timestamp) and its `x-tuf-on-ci-online-uri`, e.g. `sigstore:`. */
  online: { signer: TufSigner; uri: string };
  now?: Date;
}

export interface InitRepositoryResult {
  maintainerKeyid: string;
  onlineKeyid: string;
}

/**
 * Writes version 1 of a TUF-on-CI repository into `dir` as tuf-on-ci initialises one: both keys in
 * root (owner and online URI set, keyids as tuf-on-ci computes them), TUF-on-CI's expiry and signing
 * periods, root and targets signed by the maintainer, snapshot and timestamp by the online key,
 * `root_history/1.root.json`, and an empty `targets/`. Committing is the caller's business.
 */
export async function initRepository(
  dir: string,
  options: InitRepositoryOptions,
): Promise<InitRepositoryResult> {
  const now = options.now ?? new Date();
  const { maintainer, online } = options;
  const maintainerKey: TufKey = {
    ...(await maintainer.signer.publicKey()),
    'x-tuf-on-ci-keyowner': normalizeUser(maintainer.user),
  };
  const onlineKey: TufKey = {
    ...(await online.signer.publicKey()),
    'x-tuf-on-ci-online-uri': online.uri,
  };
  const [maintainerKeyid, onlineKeyid] = [keyIdOf(maintainerKey), keyIdOf(onlineKey)];
  const periods = { 'x-tuf-on-ci-expiry-period': 365, 'x-tuf-on-ci-signing-period': 60 };
  const common = { spec_version: '1.0.31', version: 1 };
  const roles = {
    root: {
      _type: 'root',
      consistent_snapshot: true,
      expires: expiryAfter(now, 365),
      keys: { [maintainerKeyid]: maintainerKey, [onlineKeyid]: onlineKey },
      roles: {
        root: { keyids: [maintainerKeyid], threshold: 1 },
        snapshot: { keyids: [onlineKeyid], threshold: 1, ...periods },
        targets: { keyids: [maintainerKeyid], threshold: 1 },
        timestamp: {
          keyids: [onlineKeyid],
          threshold: 1,
          'x-tuf-on-ci-expiry-period': 2,
          'x-tuf-on-ci-signing-period': 1,
        },
      },
      ...common,
      ...periods,
    },
    targets: {
      _type: 'targets',
      expires: expiryAfter(now, 365),
      targets: {},
      ...common,
      ...periods,
    },
    snapshot: {
      _type: 'snapshot',
      expires: expiryAfter(now, 365),
      meta: { 'targets.json': { version: 1 } },
      ...common,
    },
    timestamp: {
      _type: 'timestamp',
      expires: expiryAfter(now, 2),
      meta: { 'snapshot.json': { version: 1 } },
      ...common,
    },
  };
  const signers = {
    root: maintainer.signer,
    targets: maintainer.signer,
    snapshot: online.signer,
    timestamp: online.signer,
  };
  const keyids = {
    root: maintainerKeyid,
    targets: maintainerKeyid,
    snapshot: onlineKeyid,
    timestamp: onlineKeyid,
  };
  // One role at a time: a Sigstore signer makes a certificate and a log entry per signature.
  for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
    const signature = await signers[role].sign(canonicalize(roles[role]));
    await writeRole(dir, role, {
      signed: roles[role],
      signatures: [{ keyid: keyids[role], ...signature }],
    });
  }
  await writeFileAtomic(join(dir, 'targets', '.gitkeep'), '');
  return { maintainerKeyid, onlineKeyid };
}
