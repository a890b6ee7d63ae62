import {
  verifyRoleThreshold,
  verifySignature,
  type SignedMetadata,
  type SigstoreTrustedRootJSON,
} from '../crypto';
import { TufError } from '../errors';
import { commitPaths, pushBranch, currentBranch, type PushOptions } from '../git';
import { canonicalize } from '../metadata/canonical';
import type { TufSigner } from '../signers/types';
import { sameKey } from './event';
import {
  daysFrom,
  expiryAfter,
  findDelegation,
  listRoles,
  metadataFile,
  requireRole,
  rolePeriods,
  writeRole,
  type Delegation,
} from './repository';

export interface OnlineSignOptions {
  now?: Date;
  /** Make new snapshot and timestamp even when nothing changed and neither nears expiry. */
  force?: boolean;
  push?: PushOptions;
  sigstoreTrustedRoot?: SigstoreTrustedRootJSON;
}

export interface OnlineSignResult {
  /** New versions written, absent when the role was left as it was. */
  snapshot?: number;
  timestamp?: number;
  commit: string | null;
  pushed: boolean;
}

function onlineKeyid(
  role: string,
  delegation: Delegation,
  signerKey: Awaited<ReturnType<TufSigner['publicKey']>>,
  description: string,
): string {
  const keyid = delegation.definition.keyids.find((id) => {
    const key = delegation.keys[id];
    return key !== undefined && sameKey(key, signerKey);
  });
  if (!keyid)
    throw new TufError('SIGNER', `${description} is not a ${role} key in metadata/root.json`, {
      expected: delegation.definition.keyids,
      found: signerKey.keyval,
    });
  return keyid;
}

function nearExpiry(metadata: SignedMetadata, signingDays: number, now: Date): boolean {
  return Date.parse(metadata.signed.expires as string) <= daysFrom(now, signingDays).getTime();
}

/**
 * TUF-on-CI's online signing after a merge to main: a new snapshot when a targets role's version
 * differs from the snapshot or it nears expiry, a new timestamp when a snapshot was made or it
 * nears expiry; versions bumped, `meta` as `{version}` only, expiry from the root's periods.
 * Refuses to snapshot a targets role whose signatures do not meet its threshold.
 */
export async function onlineSign(
  repoDir: string,
  signer: TufSigner,
  options: OnlineSignOptions = {},
): Promise<OnlineSignResult> {
  const now = options.now ?? new Date();
  const sigstoreTrustedRoot = options.sigstoreTrustedRoot ?? signer.sigstoreTrustedRoot;
  const verifyOptions = sigstoreTrustedRoot ? { sigstoreTrustedRoot } : {};
  const root = await requireRole(repoDir, 'root');
  const snapshot = await requireRole(repoDir, 'snapshot');
  const timestamp = await requireRole(repoDir, 'timestamp');
  const signerKey = await signer.publicKey();

  const meta: Record<string, { version: number }> = {};
  const targetsDelegation = findDelegation('targets', root);
  for (const role of await listRoles(repoDir)) {
    if (['root', 'snapshot', 'timestamp'].includes(role)) continue;
    const metadata = await requireRole(repoDir, role);
    const delegation =
      role === 'targets'
        ? targetsDelegation
        : findDelegation(role, await requireRole(repoDir, 'targets'));
    if (!delegation)
      throw new TufError('METADATA_INVALID', `${metadataFile(role)} is not delegated by any role`, {
        expected: 'a delegation',
        found: 'none',
      });
    const result = verifyRoleThreshold(
      metadata,
      delegation.keys,
      { name: role, ...delegation.definition },
      verifyOptions,
    );
    if (!result.met) {
      throw new TufError(
        'SIGNATURE_THRESHOLD',
        `${metadataFile(role)} has ${result.verified.length} of ${result.threshold} valid signatures; refusing to snapshot it`,
        {
          expected: result.threshold,
          found: result.verified.length,
        },
      );
    }
    meta[`${role}.json`] = { version: metadata.signed.version as number };
  }

  const written: string[] = [];
  const result: OnlineSignResult = { commit: null, pushed: false };
  const sign = async (
    role: 'snapshot' | 'timestamp',
    metadata: SignedMetadata,
    content: Record<string, unknown>,
  ) => {
    const delegation = findDelegation(role, root);
    if (!delegation)
      throw new TufError('METADATA_INVALID', `metadata/root.json: roles.${role} is missing`);
    const keyid = onlineKeyid(role, delegation, signerKey, signer.description);
    metadata.signed = {
      ...metadata.signed,
      ...content,
      version: (metadata.signed.version as number) + 1,
      expires: expiryAfter(now, rolePeriods(role, metadata, root).expiry),
    };
    const bytes = canonicalize(metadata.signed);
    const entry = { keyid, ...(await signer.sign(bytes)) };
    const verdict = verifySignature(delegation.keys[keyid]!, entry, bytes, verifyOptions);
    if (!verdict.valid)
      throw new TufError(
        'SIGNER',
        `the new ${role} signature (${signer.description}) does not verify: ${verdict.reason}`,
        { found: verdict.reason },
      );
    metadata.signatures = [entry];
    written.push(...(await writeRole(repoDir, role, metadata)));
    result[role] = metadata.signed.version as number;
  };

  const snapshotStale = !canonicalize(snapshot.signed.meta ?? {}).equals(canonicalize(meta));
  if (
    options.force ||
    snapshotStale ||
    nearExpiry(snapshot, rolePeriods('snapshot', snapshot, root).signing, now)
  )
    await sign('snapshot', snapshot, { meta });
  if (
    options.force ||
    result.snapshot !== undefined ||
    nearExpiry(timestamp, rolePeriods('timestamp', timestamp, root).signing, now)
  ) {
    await sign('timestamp', timestamp, {
      meta: { 'snapshot.json': { version: snapshot.signed.version as number } },
    });
  }
  if (written.length === 0) return result;
  const parts = [
    result.snapshot !== undefined ? `snapshot v${result.snapshot}` : '',
    result.timestamp !== undefined ? `timestamp v${result.timestamp}` : '',
  ].filter(Boolean);
  result.commit = await commitPaths(repoDir, written, `Online signing: ${parts.join(', ')}`);
  const branch = await currentBranch(repoDir);
  if (options.push && result.commit) {
    if (!branch)
      throw new TufError(
        'GIT',
        `${repoDir} is on a detached HEAD; cannot push the online signatures`,
        { expected: 'a branch', found: 'detached HEAD' },
      );
    await pushBranch(repoDir, branch, options.push);
    result.pushed = true;
  }
  return result;
}
