import { keyidOf, type TufKey } from './keys.ts';
import type { Signer } from './builder.ts';

/** The identity a test Sigstore instance issues certificates to (as @oci-sd/test-sigstore's). */
export interface SigningIdentity {
  subjectAlternativeName: string;
  issuer: string;
}

/**
 * What the signer needs of a test Sigstore instance (@oci-sd/test-sigstore's `TestSigstore`
 * satisfies it); typed structurally so test-sigstore's own tests can use this package.
 */
export interface MessageSigningSigstore<I extends SigningIdentity> {
  signMessage(
    bytes: Uint8Array,
    identity: I,
  ): Promise<{ messageSignature?: { signature: string } | undefined }>;
}

/** A TUF-on-CI sigstore-oidc signer backed by the local test Sigstore instance (real Fulcio/Rekor flow). */
export function sigstoreSigner<I extends SigningIdentity>(
  sigstore: MessageSigningSigstore<I>,
  identity: I,
  keyowner = '@maintainer',
): Signer {
  const key: TufKey = {
    keytype: 'sigstore-oidc',
    scheme: 'Fulcio',
    keyval: { identity: identity.subjectAlternativeName, issuer: identity.issuer },
    'x-tuf-on-ci-keyowner': keyowner,
  };
  const keyid = keyidOf(key);
  return {
    keyid,
    key,
    async sign(bytes) {
      const bundle = await sigstore.signMessage(bytes, identity);
      return { keyid, sig: bundle.messageSignature!.signature, bundle };
    },
  };
}
