import type { SerializedBundle } from '@sigstore/bundle';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial, type Signer } from '@sigstore/verify';
import type { TestIdentity, TestSigstore } from '@oci-sd/test-sigstore';
import { derBase64ToPem } from '../../src/cosign/annotations';
import type { Digest } from '../../src/types';

export function inTotoStatement(digest: Digest, name: string, predicateType: string, predicate: unknown): Buffer {
  return Buffer.from(
    JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name, digest: { sha256: digest.slice('sha256:'.length) } }], predicateType, predicate }),
  );
}

export function signStatement(sigstore: TestSigstore, identity: TestIdentity, statement: Buffer): Promise<SerializedBundle> {
  return sigstore.signDsse(statement, 'application/vnd.in-toto+json', identity);
}

/** The test CA's intermediate and root in PEM, as cosign stores Fulcio's chain. */
export function caChainPem(sigstore: TestSigstore): string {
  const [authority] = sigstore.trustedRoot.certificateAuthorities as { certChain: { certificates: { rawBytes: string }[] } }[];
  return authority!.certChain.certificates.map((certificate) => derBase64ToPem(certificate.rawBytes)).join('');
}

/** Bare @sigstore/verify against the test instance's trusted root; throws when the bundle does not verify. */
export function verifyWithRoot(trustedRoot: unknown, bundle: SerializedBundle, artifact?: Buffer): Signer {
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), { tlogThreshold: 1, ctlogThreshold: 1 });
  return verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact));
}
