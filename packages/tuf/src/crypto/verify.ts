import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { TufError } from '../errors';
import { canonicalize } from '../metadata/canonical';
import type { RoleKeys, SignatureVerdict, TufKey, TufSignature } from './keys';
import {
  publicGoodTrustedRoot,
  verifySigstoreSignature,
  type SigstoreTrustedRootJSON,
} from './sigstore';

export interface SignatureOptions {
  /** Sigstore trusted root for sigstore-oidc keys; the public-good root embedded in @sigstore/tuf by default. */
  sigstoreTrustedRoot?: SigstoreTrustedRootJSON;
}

interface SchemeSpec {
  keytypes: readonly string[];
  hash: string | null;
  /** Node's name for the curve the scheme requires (ecdsa only). */
  curve?: string;
  padding?: number;
}

// Legacy securesystemslib metadata used the scheme as keytype for ecdsa keys.
const ECDSA_KEYTYPES = ['ecdsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384'];

const SCHEMES: Record<string, SchemeSpec> = {
  ed25519: { keytypes: ['ed25519'], hash: null },
  // The hash follows the curve: nistp384 is SHA-384 (tuf-js wrongly uses SHA-256).
  'ecdsa-sha2-nistp256': { keytypes: ECDSA_KEYTYPES, hash: 'sha256', curve: 'prime256v1' },
  'ecdsa-sha2-nistp384': { keytypes: ECDSA_KEYTYPES, hash: 'sha384', curve: 'secp384r1' },
  'rsassa-pss-sha256': {
    keytypes: ['rsa'],
    hash: 'sha256',
    padding: constants.RSA_PKCS1_PSS_PADDING,
  },
  'rsassa-pss-sha384': {
    keytypes: ['rsa'],
    hash: 'sha384',
    padding: constants.RSA_PKCS1_PSS_PADDING,
  },
  'rsassa-pss-sha512': {
    keytypes: ['rsa'],
    hash: 'sha512',
    padding: constants.RSA_PKCS1_PSS_PADDING,
  },
  'rsa-pkcs1v15-sha256': {
    keytypes: ['rsa'],
    hash: 'sha256',
    padding: constants.RSA_PKCS1_PADDING,
  },
  'rsa-pkcs1v15-sha384': {
    keytypes: ['rsa'],
    hash: 'sha384',
    padding: constants.RSA_PKCS1_PADDING,
  },
  'rsa-pkcs1v15-sha512': {
    keytypes: ['rsa'],
    hash: 'sha512',
    padding: constants.RSA_PKCS1_PADDING,
  },
};

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const HEX = /^(?:[0-9a-f]{2})+$/i;

// Parsing a PEM costs more than verifying with it; keys repeat across every file of a repository.
const publicKeys = new Map<string, KeyObject>();

function publicKeyOf(key: TufKey): KeyObject {
  const material = key.keyval.public;
  if (typeof material !== 'string' || material === '') throw new Error('keyval.public is missing');
  const cacheKey = `${key.keytype}\0${material}`;
  let publicKey = publicKeys.get(cacheKey);
  if (!publicKey) {
    if (material.includes('-----BEGIN')) {
      publicKey = createPublicKey(material);
    } else if (key.keytype === 'ed25519' && /^[0-9a-f]{64}$/i.test(material)) {
      publicKey = createPublicKey({
        key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(material, 'hex')]),
        format: 'der',
        type: 'spki',
      });
    } else {
      throw new Error(`keyval.public is neither PEM nor a 32-byte hex ed25519 key`);
    }
    publicKeys.set(cacheKey, publicKey);
  }
  return publicKey;
}

/**
 * Verifies one signature entry with one key over `signedBytes` (canonical JSON of `signed`).
 * Never throws for bad signatures or keys: the verdict says why, so a threshold count can
 * report every signer. Placeholders (`sig: ""`, sigstore-oidc without bundle) are `unsigned`.
 */
export function verifySignature(
  key: TufKey,
  signature: TufSignature,
  signedBytes: Uint8Array,
  options: SignatureOptions = {},
): SignatureVerdict {
  if (key.keytype === 'sigstore-oidc') {
    if (key.scheme !== 'Fulcio')
      return {
        valid: false,
        unsigned: false,
        reason: `sigstore-oidc key has scheme ${JSON.stringify(key.scheme)}, expected "Fulcio"`,
      };
    return verifySigstoreSignature(
      key,
      signature.bundle,
      signedBytes,
      options.sigstoreTrustedRoot ?? publicGoodTrustedRoot(),
    );
  }
  if (signature.sig === '')
    return { valid: false, unsigned: true, reason: 'placeholder signature (sig is empty)' };
  const spec = SCHEMES[key.scheme];
  if (!spec)
    return {
      valid: false,
      unsigned: false,
      reason: `unsupported signature scheme ${JSON.stringify(key.scheme)}`,
    };
  if (!spec.keytypes.includes(key.keytype)) {
    return {
      valid: false,
      unsigned: false,
      reason: `key type ${JSON.stringify(key.keytype)} cannot use scheme ${key.scheme}`,
    };
  }
  if (typeof signature.sig !== 'string' || !HEX.test(signature.sig))
    return { valid: false, unsigned: false, reason: 'sig is not hex' };

  let publicKey: KeyObject;
  try {
    publicKey = publicKeyOf(key);
  } catch (error) {
    return {
      valid: false,
      unsigned: false,
      reason: `unusable ${key.keytype} key: ${(error as Error).message}`,
    };
  }
  const expectedType = key.keytype === 'ed25519' ? 'ed25519' : spec.curve ? 'ec' : 'rsa';
  if (publicKey.asymmetricKeyType !== expectedType) {
    return {
      valid: false,
      unsigned: false,
      reason: `keyval.public is a ${publicKey.asymmetricKeyType} key, expected ${expectedType}`,
    };
  }
  if (spec.curve && publicKey.asymmetricKeyDetails?.namedCurve !== spec.curve) {
    return {
      valid: false,
      unsigned: false,
      reason: `key is on curve ${publicKey.asymmetricKeyDetails?.namedCurve}, scheme ${key.scheme} needs ${spec.curve}`,
    };
  }
  const ok = nodeVerify(
    spec.hash,
    signedBytes,
    spec.padding === undefined
      ? publicKey
      : { key: publicKey, padding: spec.padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
    Buffer.from(signature.sig, 'hex'),
  );
  return ok
    ? { valid: true }
    : { valid: false, unsigned: false, reason: `${key.scheme} signature does not verify` };
}

export interface ThresholdResult {
  role: string;
  threshold: number;
  /** Keyids whose signature verified (distinct keys only). */
  verified: string[];
  /** Keyids of the role with a signature entry that did not verify. */
  failed: Array<{ keyid: string; reason: string }>;
  /** Keyids of the role with no signature or only a placeholder. */
  unsigned: string[];
  met: boolean;
}

export interface SignedMetadata {
  signed: Record<string, unknown>;
  signatures: TufSignature[];
}

/** Shape check of `{signed, signatures}` so that a malformed file fails with the field named. */
export function assertSignedMetadata(
  value: unknown,
  source: string,
): asserts value is SignedMetadata {
  const doc = value as Partial<SignedMetadata> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: expected a JSON object with signed and signatures`,
      { expected: 'object', found: Array.isArray(doc) ? 'array' : typeof doc },
    );
  }
  if (typeof doc.signed !== 'object' || doc.signed === null || Array.isArray(doc.signed)) {
    throw new TufError('METADATA_INVALID', `${source}: field "signed" must be an object`, {
      expected: 'object',
      found: doc.signed,
    });
  }
  if (!Array.isArray(doc.signatures)) {
    throw new TufError('METADATA_INVALID', `${source}: field "signatures" must be an array`, {
      expected: 'array',
      found: doc.signatures,
    });
  }
  const seen = new Map<string, number>();
  doc.signatures.forEach((sig, i) => {
    if (
      typeof sig !== 'object' ||
      sig === null ||
      typeof sig.keyid !== 'string' ||
      typeof sig.sig !== 'string'
    ) {
      throw new TufError(
        'METADATA_INVALID',
        `${source}: signatures[${i}] needs string keyid and sig`,
        { expected: '{keyid: string, sig: string}', found: sig },
      );
    }
    // Specification 4.2 (general principles): "The keyid MUST be unique in the signatures
    // array". A file that repeats one is invalid as a whole, even when distinct keys would
    // meet the threshold: de-duplicating would accept a document no conforming signer made.
    const first = seen.get(sig.keyid);
    if (first !== undefined) {
      throw new TufError(
        'METADATA_INVALID',
        `${source}: signatures[${i}] repeats keyid ${sig.keyid} of signatures[${first}]`,
        { expected: 'each keyid once in signatures', found: sig.keyid },
      );
    }
    seen.set(sig.keyid, i);
  });
}

/** Same key material under two keyids is one signer, whatever ids the delegator gave it. */
function keyIdentity(key: TufKey): string {
  return canonicalize({ keytype: key.keytype, scheme: key.scheme, keyval: key.keyval }).toString(
    'utf8',
  );
}

/**
 * Counts the role's keys whose signature over canonical `signed` verifies. Keyids are used as
 * the delegator gives them (never recomputed); each distinct key counts once; signatures by
 * keys outside the role are ignored.
 */
export function verifyRoleThreshold(
  metadata: unknown,
  delegatorKeys: Readonly<Record<string, TufKey>>,
  role: RoleKeys,
  options: SignatureOptions & { signedBytes?: Uint8Array } = {},
): ThresholdResult {
  const name =
    role.name ?? String((metadata as SignedMetadata | null)?.signed?._type ?? 'metadata');
  assertSignedMetadata(metadata, name);
  if (!Number.isSafeInteger(role.threshold) || role.threshold < 1) {
    throw new TufError('METADATA_INVALID', `${name}: threshold must be an integer >= 1`, {
      expected: '>= 1',
      found: role.threshold,
    });
  }
  const signedBytes = options.signedBytes ?? canonicalize(metadata.signed);
  const result: ThresholdResult = {
    role: name,
    threshold: role.threshold,
    verified: [],
    failed: [],
    unsigned: [],
    met: false,
  };
  const counted = new Set<string>();
  for (const keyid of new Set(role.keyids)) {
    const key = delegatorKeys[keyid];
    // assertSignedMetadata has made keyids unique: at most one entry per key.
    const entry = metadata.signatures.find((sig) => sig.keyid === keyid);
    if (!key) {
      if (entry) result.failed.push({ keyid, reason: 'keyid is not in the delegator keys' });
      else result.unsigned.push(keyid);
      continue;
    }
    const verdict: SignatureVerdict = entry
      ? verifySignature(key, entry, signedBytes, options)
      : { valid: false, unsigned: true, reason: 'no signature' };
    if (verdict.valid) {
      const identity = keyIdentity(key);
      if (!counted.has(identity)) {
        counted.add(identity);
        result.verified.push(keyid);
      }
    } else if (verdict.unsigned) {
      result.unsigned.push(keyid);
    } else {
      result.failed.push({ keyid, reason: verdict.reason });
    }
  }
  result.met = result.verified.length >= role.threshold;
  return result;
}
