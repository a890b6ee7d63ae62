import type { TestIdentity, TestSigstore } from '@oci-sd/test-sigstore';
import type { TufKey } from '../../src/index';
import { keyidOf } from './repo-builder-keys';
import type { Signer } from './repo-builder';

/** A TUF-on-CI sigstore-oidc signer backed by the local test Sigstore instance (real Fulcio/Rekor flow). */
export function sigstoreSigner(
  sigstore: TestSigstore,
  identity: TestIdentity,
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
