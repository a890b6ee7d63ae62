import { createPrivateKey, createPublicKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TufKey } from '../crypto';
import { TufError } from '../errors';
import type { SignatureMaterial, TufSigner } from './types';

const CURVE_SCHEMES: Record<string, { scheme: string; hash: string }> = {
  prime256v1: { scheme: 'ecdsa-sha2-nistp256', hash: 'sha256' },
  secp384r1: { scheme: 'ecdsa-sha2-nistp384', hash: 'sha384' },
};

/** The TUF key (securesystemslib format) for a private key, and the hash its scheme signs with. */
function describeKey(privateKey: KeyObject, source: string): { key: TufKey; hash: string | null } {
  const publicKey = createPublicKey(privateKey);
  if (privateKey.asymmetricKeyType === 'ed25519') {
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    return {
      key: { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw.toString('hex') } },
      hash: null,
    };
  }
  if (privateKey.asymmetricKeyType === 'ec') {
    const curve = privateKey.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    const spec = CURVE_SCHEMES[curve];
    if (spec) {
      const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
      return {
        key: { keytype: 'ecdsa', scheme: spec.scheme, keyval: { public: pem } },
        hash: spec.hash,
      };
    }
    throw new TufError('SIGNER', `${source}: ecdsa curve ${curve} is not supported`, {
      expected: 'P-256 or P-384',
      found: curve,
    });
  }
  throw new TufError(
    'SIGNER',
    `${source}: ${privateKey.asymmetricKeyType} keys are not supported`,
    { expected: 'ecdsa P-256, P-384 or ed25519', found: privateKey.asymmetricKeyType },
  );
}

/** Signs with a PEM private key held in memory: ecdsa P-256 / P-384 (hex DER signatures) or ed25519. */
export function keySigner(
  privateKeyPem: string | Buffer,
  options: { passphrase?: string; source?: string } = {},
): TufSigner {
  const source = options.source ?? 'private key';
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(
      options.passphrase === undefined
        ? privateKeyPem
        : { key: privateKeyPem, passphrase: options.passphrase },
    );
  } catch (error) {
    throw new TufError(
      'SIGNER',
      `${source}: not a usable PEM private key (${(error as Error).message})`,
      { expected: 'PEM private key', cause: error },
    );
  }
  const { key, hash } = describeKey(privateKey, source);
  return {
    description: `${key.scheme} key from ${source}`,
    publicKey: async () => structuredClone(key),
    sign: async (signedBytes: Uint8Array): Promise<SignatureMaterial> => ({
      sig: nodeSign(hash, signedBytes, privateKey).toString('hex'),
    }),
  };
}

/** A key-file signer reading the PEM at `path`. */
export async function keyFileSigner(
  path: string,
  options: { passphrase?: string } = {},
): Promise<TufSigner> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (error) {
    throw new TufError('SIGNER', `cannot read key file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return keySigner(pem, { ...options, source: path });
}
