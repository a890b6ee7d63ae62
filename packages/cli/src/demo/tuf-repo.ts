import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalize, formatMetadata, keyIdOf, sigstoreSigner, staticToken, type SigstoreTrustedRootJSON, type TufKey, type TufSigner } from '@oci-sd/tuf';
import { emailIdentity, githubActionsIdentity, type TestIdentity, type TestSigstore } from '@oci-sd/test-sigstore';

const DAY = 24 * 60 * 60 * 1000;

/** The people and workflows that sign the sandbox's TUF repository, all through the test Sigstore instance. */
export interface TufSigners {
  /** `@maintainer`: root and targets (offline role, "browser" identity). */
  maintainer: () => TufSigner;
  maintainerUser: string;
  /** The online-sign workflow: snapshot and timestamp. */
  online: () => TufSigner;
}

/** A Sigstore signer for `identity`; a fresh OIDC token each time (tokens live ten minutes). */
function signerFor(sigstore: TestSigstore, identity: TestIdentity): () => TufSigner {
  return () =>
    sigstoreSigner({
      token: staticToken(sigstore.identityToken(identity)),
      fulcioUrl: sigstore.fulcioURL,
      rekorUrl: sigstore.rekorURL,
      trustedRoot: sigstore.trustedRoot as unknown as SigstoreTrustedRootJSON,
    });
}

export function tufSigners(sigstore: TestSigstore, tufRepository: string): TufSigners {
  return {
    maintainer: signerFor(sigstore, emailIdentity('maintainer@example.test')),
    maintainerUser: '@maintainer',
    online: signerFor(sigstore, githubActionsIdentity({ repository: tufRepository, workflowPath: '.github/workflows/online-sign.yml', ref: 'refs/heads/main', sha: '0'.repeat(40) })),
  };
}

function expires(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Writes a TUF-on-CI repository as `tuf-on-ci` initialises it into `dir` (a git work tree):
 * sigstore-oidc keys, root and targets signed by the maintainer, snapshot and timestamp by the
 * online-sign workflow, TUF-on-CI's periods, `root_history/1.root.json`.
 */
export async function initTufRepository(dir: string, signers: TufSigners, now = new Date()): Promise<void> {
  const maintainer = signers.maintainer();
  const online = signers.online();
  const maintainerKey: TufKey = { ...(await maintainer.publicKey()), 'x-tuf-on-ci-keyowner': signers.maintainerUser };
  const onlineKey: TufKey = { ...(await online.publicKey()), 'x-tuf-on-ci-online-uri': 'sigstore:' };
  const [maintainerId, onlineId] = [keyIdOf(maintainerKey), keyIdOf(onlineKey)];
  const offline = { 'x-tuf-on-ci-expiry-period': 365, 'x-tuf-on-ci-signing-period': 60 };
  const roles: Record<'root' | 'targets' | 'snapshot' | 'timestamp', Record<string, unknown>> = {
    root: {
      _type: 'root',
      consistent_snapshot: true,
      expires: expires(now, 365),
      keys: { [maintainerId]: maintainerKey, [onlineId]: onlineKey },
      roles: {
        root: { keyids: [maintainerId], threshold: 1 },
        snapshot: { keyids: [onlineId], threshold: 1, ...offline },
        targets: { keyids: [maintainerId], threshold: 1 },
        timestamp: { keyids: [onlineId], threshold: 1, 'x-tuf-on-ci-expiry-period': 2, 'x-tuf-on-ci-signing-period': 1 },
      },
      spec_version: '1.0.31',
      version: 1,
      ...offline,
    },
    targets: { _type: 'targets', expires: expires(now, 365), spec_version: '1.0.31', targets: {}, version: 1, ...offline },
    snapshot: { _type: 'snapshot', expires: expires(now, 365), meta: { 'targets.json': { version: 1 } }, spec_version: '1.0.31', version: 1 },
    timestamp: { _type: 'timestamp', expires: expires(now, 2), meta: { 'snapshot.json': { version: 1 } }, spec_version: '1.0.31', version: 1 },
  };
  const sign = async (role: keyof typeof roles, signer: TufSigner, keyid: string) =>
    formatMetadata({ signatures: [{ keyid, ...(await signer.sign(canonicalize(roles[role]))) }], signed: roles[role] });
  // one signer at a time: each signature is a Fulcio certificate and a Rekor entry
  const root = await sign('root', maintainer, maintainerId);
  const targets = await sign('targets', maintainer, maintainerId);
  const snapshot = await sign('snapshot', online, onlineId);
  const timestamp = await sign('timestamp', online, onlineId);
  await mkdir(join(dir, 'metadata', 'root_history'), { recursive: true });
  await mkdir(join(dir, 'targets'), { recursive: true });
  await writeFile(join(dir, 'metadata', 'root.json'), root);
  await writeFile(join(dir, 'metadata', 'root_history', '1.root.json'), root);
  await writeFile(join(dir, 'metadata', 'targets.json'), targets);
  await writeFile(join(dir, 'metadata', 'snapshot.json'), snapshot);
  await writeFile(join(dir, 'metadata', 'timestamp.json'), timestamp);
  await writeFile(join(dir, 'targets', '.gitkeep'), '');
}
