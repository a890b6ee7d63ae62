import type { SerializedBundle } from '@sigstore/bundle';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial, type Signer } from '@sigstore/verify';

// Statement and chain helpers are shared with the release benchmark's fixture.
export { caChainPem, inTotoStatement, signStatement } from '@oci-sd/release-fixture';

/** Bare @sigstore/verify against the test instance's trusted root; throws when the bundle does not verify. */
export function verifyWithRoot(
  trustedRoot: unknown,
  bundle: SerializedBundle,
  artifact?: Buffer,
): Signer {
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), {
    tlogThreshold: 1,
    ctlogThreshold: 1,
  });
  return verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact));
}
