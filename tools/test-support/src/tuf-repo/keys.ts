import { createHash, generateKeyPairSync, sign, constants, type KeyObject } from 'node:crypto';
import { canonicalize as canonicalJson } from '@tufjs/canonical-json';

/**
 * OLPC canonical JSON as bytes, from tuf-js's own encoder: the builder signs metadata independently
 * of the @oci-sd/tuf code under test.
 */
export function canonicalize(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** A TUF public key as it appears in a delegator's `keys` map. */
export interface TufKey {
  keytype: string;
  scheme: string;
  keyval: Record<string, unknown>;
  [extension: string]: unknown;
}

/** One entry of a metadata file's `signatures`. */
export interface TufSignature {
  keyid: string;
  sig: string;
  bundle?: unknown;
}

export type KeyScheme =
  | 'ed25519'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'rsassa-pss-sha256'
  | 'rsa-pkcs1v15-sha256'
  | 'rsassa-pss-sha512'
  | 'rsa-pkcs1v15-sha384';

/** A key pair in TUF form, generated with node:crypto, that signs the way securesystemslib does. */
export interface TestKey {
  keyid: string;
  key: TufKey;
  sign(bytes: Uint8Array): TufSignature;
}

const HASH_OF: Record<KeyScheme, string | null> = {
  ed25519: null,
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'rsassa-pss-sha256': 'sha256',
  'rsa-pkcs1v15-sha256': 'sha256',
  'rsassa-pss-sha512': 'sha512',
  'rsa-pkcs1v15-sha384': 'sha384',
};

function generate(scheme: KeyScheme): { privateKey: KeyObject; publicKey: KeyObject } {
  if (scheme === 'ed25519') return generateKeyPairSync('ed25519');
  if (scheme === 'ecdsa-sha2-nistp256')
    return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  if (scheme === 'ecdsa-sha2-nistp384')
    return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** tuf-on-ci's keyid: sha256 of the canonical key object, x- fields included. */
export function keyidOf(key: TufKey): string {
  return createHash('sha256').update(canonicalize(key)).digest('hex');
}

export function generateTestKey(scheme: KeyScheme, extra: Record<string, unknown> = {}): TestKey {
  const { privateKey, publicKey } = generate(scheme);
  const keytype = scheme === 'ed25519' ? 'ed25519' : scheme.startsWith('ecdsa') ? 'ecdsa' : 'rsa';
  const publicValue =
    scheme === 'ed25519'
      ? (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex')
      : (publicKey.export({ format: 'pem', type: 'spki' }) as string);
  const key: TufKey = { keytype, scheme, keyval: { public: publicValue }, ...extra };
  const keyid = keyidOf(key);
  const hash = HASH_OF[scheme];
  const signingKey = scheme.startsWith('rsassa-pss')
    ? {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      }
    : scheme.startsWith('rsa-pkcs1v15')
      ? { key: privateKey, padding: constants.RSA_PKCS1_PADDING }
      : privateKey;
  return {
    keyid,
    key,
    sign: (bytes) => ({ keyid, sig: sign(hash, bytes, signingKey).toString('hex') }),
  };
}

/** Signs `signed` with every key: the `{signed, signatures}` document TUF metadata files hold. */
export function signMetadata(
  signed: Record<string, unknown>,
  keys: readonly TestKey[],
): { signed: Record<string, unknown>; signatures: TufSignature[] } {
  const bytes = canonicalize(signed);
  return { signed, signatures: keys.map((key) => key.sign(bytes)) };
}
