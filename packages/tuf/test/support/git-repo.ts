import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initRepository, keySigner, type TufSigner } from '../../src/index';

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

/**
 * A TUF-on-CI repository as `tuf-on-ci` initialises it, on `main` of a real git checkout with a
 * bare `origin`: root and targets signed by @alice (ed25519 unless given), snapshot and
 * timestamp by an online key (ecdsa P-384 unless given), every file formatted as TUF-on-CI writes it.
 */
export async function createTufRepo(
  options: { alice?: TufSigner; online?: TufSigner } = {},
): Promise<TestTufRepo> {
  const top = mkdtempSync(join(tmpdir(), 'oci-sd-tuf-events-'));
  const dir = join(top, 'repo');
  const remote = join(top, 'remote.git');
  const aliceKeyFile = newSigner('ed25519');
  const onlineKeyFile = newSigner('p384');
  const alice = options.alice ?? aliceKeyFile.signer;
  const online = options.online ?? onlineKeyFile.signer;
  const alicePem = aliceKeyFile.pem;
  const onlinePem = onlineKeyFile.pem;
  const onlineUri =
    (await online.publicKey()).keytype === 'sigstore-oidc'
      ? 'sigstore:'
      : 'gcpkms:projects/test/keys/online';
  mkdirSync(dir);
  const { maintainerKeyid: aliceKeyid, onlineKeyid } = await initRepository(dir, {
    maintainer: { signer: alice, user: '@alice' },
    online: { signer: online, uri: onlineUri },
  });
  gitSync(top, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  gitSync(dir, 'init', '--quiet', '--initial-branch=main');
  gitSync(dir, 'add', '--all');
  gitSync(dir, 'commit', '--quiet', '-m', 'Initial TUF repository');
  gitSync(dir, 'remote', 'add', 'origin', remote);
  gitSync(dir, 'push', '--quiet', 'origin', 'main');
  return {
    dir,
    remote,
    alice,
    online,
    alicePem,
    onlinePem,
    aliceKeyid,
    onlineKeyid,
    cleanup: () => rmSync(top, { recursive: true, force: true }),
  };
}
