import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishToBareRemote, useTestGitSettings } from '../git.ts';

/** What a signer must offer to be enrolled: its public key, whose keytype picks the online URI. */
export interface TufCheckoutSigner {
  publicKey(): Promise<{ keytype: string }>;
}

/**
 * The two @oci-sd/tuf functions a checkout is made with. They are passed in rather than imported,
 * so this package stays below every library whose tests use it (no dependency cycle).
 */
export interface TufCheckoutLibrary<S> {
  initRepository(
    dir: string,
    options: { maintainer: { signer: S; user: string }; online: { signer: S; uri: string } },
  ): Promise<{ maintainerKeyid: string; onlineKeyid: string }>;
  keySigner(pem: string): S;
}

export function newSigner<S>(
  library: Pick<TufCheckoutLibrary<S>, 'keySigner'>,
  kind: 'ed25519' | 'p256' | 'p384',
): { signer: S; pem: string } {
  const pair =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: kind === 'p256' ? 'prime256v1' : 'secp384r1' });
  const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { signer: library.keySigner(pem), pem };
}

export interface TestTufRepo<S> {
  /** The maintainer's checkout (on main). */
  dir: string;
  /** A bare repository standing in for GitHub, remote `origin` of `dir`. */
  remote: string;
  alice: S;
  online: S;
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
export async function createTufCheckout<S extends TufCheckoutSigner>(
  library: TufCheckoutLibrary<S>,
  options: { alice?: S; online?: S } = {},
): Promise<TestTufRepo<S>> {
  const top = mkdtempSync(join(tmpdir(), 'oci-sd-tuf-events-'));
  const dir = join(top, 'repo');
  const remote = join(top, 'remote.git');
  const aliceKeyFile = newSigner(library, 'ed25519');
  const onlineKeyFile = newSigner(library, 'p384');
  const alice = options.alice ?? aliceKeyFile.signer;
  const online = options.online ?? onlineKeyFile.signer;
  const alicePem = aliceKeyFile.pem;
  const onlinePem = onlineKeyFile.pem;
  const onlineUri =
    (await online.publicKey()).keytype === 'sigstore-oidc'
      ? 'sigstore:'
      : 'gcpkms:projects/test/keys/online';
  // The library under test starts git itself, with the inherited environment.
  useTestGitSettings();
  mkdirSync(dir);
  const { maintainerKeyid: aliceKeyid, onlineKeyid } = await library.initRepository(dir, {
    maintainer: { signer: alice, user: '@alice' },
    online: { signer: online, uri: onlineUri },
  });
  publishToBareRemote(dir, remote, 'Initial TUF repository');
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
