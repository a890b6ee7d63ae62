import { createPublicKey } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import type { TrustMaterial } from '@sigstore/verify';
import { verifySigstoreBundle } from '../checks/bundle';
import type { BundleVerdict, SignedArtifact } from '../checks/bundle';
import { checkSubjectDigest, parseInTotoStatement } from '../checks/claims';
import type { ClaimOutcome } from '../checks/claims';
import { VerificationError, withVerificationErrors } from '../errors';
import { assertDigest, sha256Digest } from '@oci-sd/oci';
import { assertIdentityPolicy } from '../policy/identity';
import type { IdentityPolicy } from '../policy/identity';
import { loadTrustMaterial } from '../trust/trusted-root';
import type { LoadedTrustMaterial } from '../trust/trusted-root';
import type { CheckResult, Digest, VerificationReport } from '../types';
import { toCheck } from './checks';

export interface VerifyBundleOptions {
  /** The bundle JSON (any of v0.1 to v0.3). */
  bundle: unknown;
  /** The signed file's bytes, or its `sha256:<hex>` digest. For DSSE in-toto bundles: a statement subject. */
  artifact: Buffer | string;
  /** Certificate identity and issuer; required unless `publicKey` is given. */
  policy?: IdentityPolicy;
  /** PEM public key for keyed (non-Fulcio) bundles, like the conformance suite's `--key`. */
  publicKey?: string;
  /** Trust material, or the path of a `trusted_root.json`; the embedded public-good root by default. */
  trust?: LoadedTrustMaterial | string;
}

/** `verify bundle`: one Sigstore bundle against an artifact, with the conformance suite's semantics. */
export function verifyBundle(options: VerifyBundleOptions): VerificationReport {
  if (options.publicKey === undefined) {
    if (!options.policy) {
      throw new VerificationError(
        'INVALID_INPUT',
        'verifying a bundle needs a certificate identity and issuer, or a public key',
        {
          expected: 'policy {identity, issuer} or publicKey',
          found: 'neither',
        },
      );
    }
    assertIdentityPolicy(options.policy);
  }
  const trust = resolveTrust(options.trust, options.publicKey);
  const artifact: SignedArtifact = Buffer.isBuffer(options.artifact)
    ? { bytes: options.artifact }
    : {
        digest: {
          algorithm: 'sha256',
          value: Buffer.from(
            withVerificationErrors(() =>
              assertDigest(options.artifact as string, 'artifact', 'INVALID_INPUT'),
            ).slice(7),
            'hex',
          ),
        },
      };
  const verdict = verifySigstoreBundle(options.bundle as SerializedBundle, {
    trust,
    ...(options.policy && options.publicKey === undefined ? { policy: options.policy } : {}),
    artifact,
  });
  const checks = bundleChecks(verdict, artifactDigest(artifact));
  return { ok: checks.every((check) => check.status !== 'fail') && verdict.ok, checks };
}

/** The report entries of one bundle: signature, identity, artifact. */
function bundleChecks(verdict: BundleVerdict, artifact: Digest): CheckResult[] {
  const artifactOutcome =
    verdict.evidence.content === 'dsseEnvelope' ? statementSubject(verdict, artifact) : undefined;
  return [
    toCheck('signature', verdict.signature, { ...verdict.evidence }),
    toCheck('identity', verdict.identity),
    artifactOutcome
      ? toCheck('artifact', {
          status: artifactOutcome.ok ? 'pass' : 'fail',
          message: artifactOutcome.message,
          expected: artifactOutcome.expected,
          found: artifactOutcome.found,
        })
      : toCheck('artifact', verdict.artifact),
  ];
}

function statementSubject(verdict: BundleVerdict, artifact: Digest): ClaimOutcome | undefined {
  if (!verdict.envelope) return undefined;
  const parsed = parseInTotoStatement(verdict.envelope.payloadType, verdict.envelope.payload);
  return parsed.ok ? checkSubjectDigest(parsed.statement, artifact) : parsed.outcome;
}

function artifactDigest(artifact: SignedArtifact): Digest {
  return 'bytes' in artifact
    ? sha256Digest(artifact.bytes)
    : `sha256:${artifact.digest.value.toString('hex')}`;
}

function resolveTrust(
  trust: LoadedTrustMaterial | string | undefined,
  publicKeyPem: string | undefined,
): TrustMaterial {
  const material = typeof trust === 'object' ? trust.material : loadTrustMaterial(trust).material;
  if (publicKeyPem === undefined) return material;
  let key;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (cause) {
    throw new VerificationError(
      'INVALID_INPUT',
      `public key is not a PEM public key: ${(cause as Error).message}`,
      { expected: 'PEM SubjectPublicKeyInfo', cause },
    );
  }
  // Keyed bundles carry an arbitrary (often empty) hint; the one key the user gave is the only key trusted.
  return { ...material, publicKey: () => ({ publicKey: key, validFor: () => true }) };
}
