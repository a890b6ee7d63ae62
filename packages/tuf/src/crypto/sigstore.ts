import { createHash } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import type { X509Certificate } from '@sigstore/core';
import { HashAlgorithm, TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import type { SignatureVerdict, TufKey } from './keys';
import {
  encodeOnce,
  prepareTrustedChain,
  publicGoodTrustedRoot as corePublicGoodTrustedRoot,
} from '@oci-sd/core';

/** A Sigstore `trusted_root.json` document, parsed (the JSON object, not a file name). */
export type SigstoreTrustedRootJSON = object;

const DIGEST_ALGORITHMS: Partial<Record<HashAlgorithm, string>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

const GENERAL_NAME_RFC822 = 1;
const GENERAL_NAME_URI = 6;

// Building trust material parses every CA and log key: do it once per trusted root.
const verifiers = new WeakMap<object, Verifier>();

/** The Sigstore public-good trusted root embedded in @sigstore/tuf's `seeds.json`. */
export function publicGoodTrustedRoot(): SigstoreTrustedRootJSON {
  return corePublicGoodTrustedRoot();
}

function verifierFor(trustedRoot: SigstoreTrustedRootJSON): Verifier {
  let verifier = verifiers.get(trustedRoot);
  if (!verifier) {
    const material = toTrustMaterial(TrustedRoot.fromJSON(trustedRoot));
    for (const authority of material.certificateAuthorities)
      prepareTrustedChain(authority.certChain);
    verifier = new Verifier(material);
    verifiers.set(trustedRoot, verifier);
  }
  return verifier;
}

/** Email and URI SANs of the signing certificate: Fulcio puts the OIDC identity in one of them. */
function subjectAlternativeNames(certificate: X509Certificate): string[] {
  const names = certificate.extSubjectAltName?.valueObj.subs[0]?.subs ?? [];
  return names
    .filter(
      (name) =>
        name.tag.isContextSpecific(GENERAL_NAME_RFC822) ||
        name.tag.isContextSpecific(GENERAL_NAME_URI),
    )
    .map((name) => name.value.toString('utf8'));
}

/**
 * What securesystemslib's SigstoreKey checks: the bundle verifies against the trusted root
 * (certificate chain at log time, SCT, transparency log entry, signature over the bytes),
 * its message digest is the digest of the signed bytes, the issuer extension equals
 * `keyval.issuer` and one SAN equals `keyval.identity`, both compared exactly.
 */
export function verifySigstoreSignature(
  key: TufKey,
  bundleJSON: unknown,
  signedBytes: Uint8Array,
  trustedRoot: SigstoreTrustedRootJSON,
): SignatureVerdict {
  const { identity, issuer } = key.keyval;
  if (typeof identity !== 'string' || typeof issuer !== 'string') {
    return {
      valid: false,
      unsigned: false,
      reason: 'sigstore-oidc key needs string keyval.identity and keyval.issuer',
    };
  }
  if (bundleJSON === undefined || bundleJSON === null)
    return { valid: false, unsigned: true, reason: 'no Sigstore bundle (not signed)' };

  let bundle;
  try {
    bundle = bundleFromJSON(bundleJSON);
  } catch (error) {
    return {
      valid: false,
      unsigned: false,
      reason: `malformed Sigstore bundle: ${(error as Error).message}`,
    };
  }
  if (bundle.content.$case !== 'messageSignature') {
    return {
      valid: false,
      unsigned: false,
      reason: `Sigstore bundle must carry a messageSignature, found ${bundle.content.$case}`,
    };
  }
  const { messageDigest } = bundle.content.messageSignature;
  const digestAlgorithm = messageDigest ? DIGEST_ALGORITHMS[messageDigest.algorithm] : undefined;
  if (!messageDigest || !digestAlgorithm) {
    return { valid: false, unsigned: false, reason: 'Sigstore bundle has no SHA-2 message digest' };
  }
  const expectedDigest = createHash(digestAlgorithm).update(signedBytes).digest();
  if (!expectedDigest.equals(Buffer.from(messageDigest.digest))) {
    return {
      valid: false,
      unsigned: false,
      reason: `bundle message digest ${Buffer.from(messageDigest.digest).toString('hex')} is not the ${digestAlgorithm} of the signed metadata (${expectedDigest.toString('hex')})`,
    };
  }

  let entity;
  try {
    entity = toSignedEntity(
      bundle,
      Buffer.from(signedBytes.buffer, signedBytes.byteOffset, signedBytes.byteLength),
    );
    if (entity.key.$case !== 'certificate') {
      return {
        valid: false,
        unsigned: false,
        reason: 'Sigstore bundle must carry a Fulcio certificate, found a public key hint',
      };
    }
    encodeOnce(entity.key.certificate);
    const signer = verifierFor(trustedRoot).verify(entity);
    const foundIssuer = signer.identity?.extensions?.issuer;
    if (foundIssuer !== issuer) {
      return {
        valid: false,
        unsigned: false,
        reason: `certificate issuer is ${JSON.stringify(foundIssuer ?? null)}, expected ${JSON.stringify(issuer)}`,
      };
    }
    const sans = subjectAlternativeNames(entity.key.certificate);
    if (!sans.includes(identity)) {
      return {
        valid: false,
        unsigned: false,
        reason: `certificate identity is ${JSON.stringify(sans.join(', '))}, expected ${JSON.stringify(identity)}`,
      };
    }
  } catch (error) {
    return {
      valid: false,
      unsigned: false,
      reason: `Sigstore bundle does not verify: ${(error as Error).message}`,
    };
  }
  return { valid: true };
}
