import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize, formatMetadata, keyIdOf, keySigner, type TufKey, type TufSigner } from '../../src/index';

// Git in tests never reads the machine's or the user's configuration.
Object.assign(process.env, {
  GIT_AUTHOR_NAME: 'Test Signer',
  GIT_AUTHOR_EMAIL: 'signer@example.test',
  GIT_COMMITTER_NAME: 'Test Signer',
  GIT_COMMITTER_EMAIL: 'signer@example.test',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
});

export function gitSync(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

export function newSigner(kind: 'ed25519' | 'p256' | 'p384'): { signer: TufSigner; pem: string } {
  const pair =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: kind === 'p256' ? 'prime256v1' : 'secp384r1' });
  const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { signer: keySigner(pem), pem };
}

export interface TestTufRepo {
  /** The maintainer's checkout (on main). */
  dir: string;
  /** A bare repository standing in for GitHub, remote `origin` of `dir`. */
  remote: string;
  alice: TufSigner;
  online: TufSigner;
  /** PEM private keys, for key-file signing through the CLI (unused when the signers were given). */
  alicePem: string;
  onlinePem: string;
  aliceKeyid: string;
  onlineKeyid: string;
  cleanup(): void;
}

const DAY = 24 * 60 * 60 * 1000;
const expiry = (days: number) => new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function sign(metadata: { signed: Record<string, unknown>; signatures: unknown[] }, keyid: string, signer: TufSigner): Promise<void> {
  metadata.signatures = [{ keyid, ...(await signer.sign(canonicalize(metadata.signed))) }];
}

/**
 * A TUF-on-CI repository as `tuf-on-ci` initialises it, on `main` of a real git checkout with a
 * bare `origin`: root and targets signed by @alice (ed25519 unless given), snapshot and
 * timestamp by an online key (ecdsa P-384 unless given), every file formatted as TUF-on-CI writes it.
 */
export async function createTufRepo(options: { alice?: TufSigner; online?: TufSigner } = {}): Promise<TestTufRepo> {
  const top = mkdtempSync(join(tmpdir(), 'oci-sd-tuf-events-'));
  const dir = join(top, 'repo');
  const remote = join(top, 'remote.git');
  const aliceKeyFile = newSigner('ed25519');
  const onlineKeyFile = newSigner('p384');
  const alice = options.alice ?? aliceKeyFile.signer;
  const online = options.online ?? onlineKeyFile.signer;
  const alicePem = aliceKeyFile.pem;
  const onlinePem = onlineKeyFile.pem;
  const aliceKey: TufKey = { ...(await alice.publicKey()), 'x-tuf-on-ci-keyowner': '@alice' };
  const onlinePublic = await online.publicKey();
  const onlineUri = onlinePublic.keytype === 'sigstore-oidc' ? 'sigstore:' : 'gcpkms:projects/test/keys/online';
  const onlineKey: TufKey = { ...onlinePublic, 'x-tuf-on-ci-online-uri': onlineUri };
  const aliceKeyid = keyIdOf(aliceKey);
  const onlineKeyid = keyIdOf(onlineKey);
  const periods = { 'x-tuf-on-ci-expiry-period': 365, 'x-tuf-on-ci-signing-period': 60 };
  const root = {
    signatures: [],
    signed: {
      _type: 'root',
      consistent_snapshot: true,
      expires: expiry(365),
      keys: { [aliceKeyid]: aliceKey, [onlineKeyid]: onlineKey },
      roles: {
        root: { keyids: [aliceKeyid], threshold: 1 },
        snapshot: { keyids: [onlineKeyid], threshold: 1, ...periods },
        targets: { keyids: [aliceKeyid], threshold: 1 },
        timestamp: { keyids: [onlineKeyid], threshold: 1, 'x-tuf-on-ci-expiry-period': 2, 'x-tuf-on-ci-signing-period': 1 },
      },
      spec_version: '1.0.31',
      version: 1,
      ...periods,
    },
  };
  const targets = { signatures: [], signed: { _type: 'targets', expires: expiry(365), spec_version: '1.0.31', targets: {}, version: 1, ...periods } };
  const snapshot = { signatures: [], signed: { _type: 'snapshot', expires: expiry(365), meta: { 'targets.json': { version: 1 } }, spec_version: '1.0.31', version: 1 } };
  const timestamp = { signatures: [], signed: { _type: 'timestamp', expires: expiry(2), meta: { 'snapshot.json': { version: 1 } }, spec_version: '1.0.31', version: 1 } };
  await sign(root, aliceKeyid, alice);
  await sign(targets, aliceKeyid, alice);
  await sign(snapshot, onlineKeyid, online);
  await sign(timestamp, onlineKeyid, online);

  mkdirSync(join(dir, 'metadata', 'root_history'), { recursive: true });
  mkdirSync(join(dir, 'targets'), { recursive: true });
  for (const [name, metadata] of Object.entries({ root, targets, snapshot, timestamp })) writeFileSync(join(dir, 'metadata', `${name}.json`), formatMetadata(metadata));
  writeFileSync(join(dir, 'metadata', 'root_history', '1.root.json'), formatMetadata(root));
  writeFileSync(join(dir, 'targets', '.gitkeep'), '');
  gitSync(top, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  gitSync(dir, 'init', '--quiet', '--initial-branch=main');
  gitSync(dir, 'add', '--all');
  gitSync(dir, 'commit', '--quiet', '-m', 'Initial TUF repository');
  gitSync(dir, 'remote', 'add', 'origin', remote);
  gitSync(dir, 'push', '--quiet', 'origin', 'main');
  return { dir, remote, alice, online, alicePem, onlinePem, aliceKeyid, onlineKeyid, cleanup: () => rmSync(top, { recursive: true, force: true }) };
}
