import { createHash } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import type { Bundle, SerializedBundle } from '@sigstore/bundle';
import { RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity } from '@sigstore/verify';
import type { TrustMaterial, VerifierOptions } from '@sigstore/verify';
import { certificateIdentity } from './certificate';
import type { CertificateIdentity } from './certificate';
import { describePolicy, identityMismatches } from '../policy/identity';
import type { IdentityPolicy } from '../policy/identity';
import type { CheckStatus } from '../types';
import { verifyPrehashedSignature } from './prehashed';
import { encodeOnce } from '../trust/encode-once';
import { describeProblem, shapeProblem } from './json-shape';
import type { Shape } from './json-shape';

/** What a message-signature bundle signed: the bytes, or only their digest (`sha256:<hex>` input). */
export type SignedArtifact = { bytes: Buffer } | { digest: { algorithm: 'sha256'; value: Buffer } };

export interface BundleCheckOptions {
  trust: TrustMaterial;
  /** Required for certificate bundles; ignored for public-key bundles verified with `trust`'s key finder. */
  policy?: IdentityPolicy;
  /** Required for message-signature bundles; DSSE bundles carry their payload. */
  artifact?: SignedArtifact;
  /**
   * What the instance must have witnessed: @sigstore/verify's default (one SCT, one log entry, one
   * timestamp) unless given, e.g. GitHub's instance (RFC 3161 timestamps, no log, no SCT).
   */
  thresholds?: VerifierOptions;
}

export interface StageOutcome {
  status: CheckStatus;
  message: string;
  /** Set when the bundle could not be read as one (a field of the wrong JSON type, a missing part). */
  code?: 'MALFORMED';
  expected?: unknown;
  found?: unknown;
}

export interface BundleEvidence {
  mediaType?: string;
  content?: 'messageSignature' | 'dsseEnvelope';
  tlog?: {
    logIndex: string;
    integratedTime?: string;
    logId: string;
    kind?: string;
    proof: string[];
  }[];
  timestampAuthorityTimes?: string[];
  certificate?: CertificateIdentity;
  messageDigest?: string;
}

export interface BundleVerdict {
  ok: boolean;
  /** Chain to a Fulcio CA valid at the log/TSA time, SCT, transparency log, signature (or the given key). */
  signature: StageOutcome;
  /** Exact (or anchored regexp) SAN and issuer; skipped for public-key bundles and unverified signatures. */
  identity: StageOutcome;
  /** Message signatures: messageDigest equals the artifact's digest. DSSE: skipped, the caller checks the statement. */
  artifact: StageOutcome;
  evidence: BundleEvidence;
  /** The DSSE payload, present only when the signature over it verified. */
  envelope?: { payloadType: string; payload: Buffer };
}

/**
 * Everything @sigstore/verify checks (chain to a Fulcio CA valid at the log or TSA time, SCT,
 * transparency-log SET or inclusion proof with checkpoint, signature), then what it does not:
 * the exact identity policy and the message digest against the artifact.
 */
export function verifySigstoreBundle(
  serialized: SerializedBundle,
  options: BundleCheckOptions,
): BundleVerdict {
  const evidence: BundleEvidence = {};
  const read = readBundle(serialized);
  if (!read.ok) {
    return {
      ok: false,
      signature: { status: 'fail', code: 'MALFORMED', message: read.message },
      identity: notChecked,
      artifact: notChecked,
      evidence,
    };
  }
  const { bundle } = read;
  collectEvidence(bundle, evidence);
  const artifact = checkMessageDigest(bundle, options.artifact);

  let signature: StageOutcome;
  let certificate: CertificateIdentity | undefined;
  try {
    const artifactBytes =
      options.artifact && 'bytes' in options.artifact ? options.artifact.bytes : undefined;
    const entity = toSignedEntity(bundle, artifactBytes);
    if (entity.key.$case === 'certificate') encodeOnce(entity.key.certificate);
    if (artifactBytes === undefined && bundle.content.$case === 'messageSignature') {
      // `sha256:<hex>` input (compared with messageDigest above): sigstore-js can only verify over bytes.
      const signedDigest = Buffer.from(bundle.content.messageSignature.messageDigest.digest);
      const signed = entity.signature.signature;
      entity.signature.verifySignature = (key) =>
        verifyPrehashedSignature(key, signedDigest, signed);
    }
    new Verifier(options.trust, options.thresholds).verify(entity);
    // The leaf just verified is the one collectEvidence decoded (same bytes); a certificate it could not decode fails here.
    if (entity.key.$case === 'certificate')
      certificate = evidence.certificate ?? certificateIdentity(entity.key.certificate);
    signature = { status: 'pass', message: describeProof(evidence) };
  } catch (cause) {
    signature = { status: 'fail', message: (cause as Error).message };
  }

  const identity =
    signature.status !== 'pass'
      ? notChecked
      : certificate
        ? checkIdentity(options.policy, certificate)
        : { status: 'skip' as const, message: 'public-key bundle: verified with the given key' };
  const verdict: BundleVerdict = {
    ok: signature.status === 'pass' && identity.status !== 'fail' && artifact.status !== 'fail',
    signature,
    identity,
    artifact,
    evidence,
  };
  if (signature.status === 'pass' && bundle.content.$case === 'dsseEnvelope') {
    const envelope = bundle.content.dsseEnvelope;
    verdict.envelope = {
      payloadType: envelope.payloadType,
      payload: Buffer.from(envelope.payload),
    };
  }
  return verdict;
}

const INT64: Shape = 'int64';
const BYTES: Shape = 'string';

/**
 * A Sigstore bundle's protobuf JSON (v0.1 to v0.3), the fields @sigstore/bundle and @sigstore/verify read.
 * Whoever pushed or supplied it chose every field; the protobuf decoder would throw a TypeError on a
 * number where base64 belongs, so the shape is checked first and the problem named by its path.
 */
const BUNDLE_SHAPE: Shape = {
  fields: {
    mediaType: 'string',
    verificationMaterial: {
      fields: {
        publicKey: { fields: { hint: 'string' } },
        x509CertificateChain: {
          fields: {
            certificates: { items: { fields: { rawBytes: BYTES }, required: ['rawBytes'] } },
          },
        },
        certificate: { fields: { rawBytes: BYTES }, required: ['rawBytes'] },
        tlogEntries: {
          items: {
            fields: {
              logIndex: INT64,
              logId: { fields: { keyId: BYTES } },
              kindVersion: { fields: { kind: 'string', version: 'string' } },
              integratedTime: INT64,
              inclusionPromise: { fields: { signedEntryTimestamp: BYTES } },
              inclusionProof: {
                fields: {
                  logIndex: INT64,
                  rootHash: BYTES,
                  treeSize: INT64,
                  hashes: { items: BYTES },
                  checkpoint: { fields: { envelope: 'string' } },
                },
              },
              canonicalizedBody: BYTES,
            },
          },
        },
        timestampVerificationData: {
          fields: { rfc3161Timestamps: { items: { fields: { signedTimestamp: BYTES } } } },
        },
      },
    },
    messageSignature: {
      fields: {
        messageDigest: { fields: { algorithm: 'any', digest: BYTES } },
        signature: BYTES,
      },
    },
    dsseEnvelope: {
      fields: {
        payload: BYTES,
        payloadType: 'string',
        signatures: { items: { fields: { sig: BYTES, keyid: 'string' } } },
      },
    },
  },
  required: ['mediaType', 'verificationMaterial'],
};

/** Bundle JSON decoded, or why it is not a Sigstore bundle (a located message). */
export function readBundle(
  json: unknown,
): { ok: true; bundle: Bundle } | { ok: false; message: string } {
  const problem = shapeProblem(json, BUNDLE_SHAPE, 'bundle');
  if (problem)
    return { ok: false, message: `not a valid Sigstore bundle: ${describeProblem(problem)}` };
  try {
    return { ok: true, bundle: bundleFromJSON(json) };
  } catch (cause) {
    return { ok: false, message: `not a valid Sigstore bundle: ${(cause as Error).message}` };
  }
}

/** The first failing stage's message, for one-line summaries. */
export function verdictFailure(verdict: BundleVerdict): StageOutcome | undefined {
  return [verdict.signature, verdict.artifact, verdict.identity].find(
    (stage) => stage.status === 'fail',
  );
}

const notChecked: StageOutcome = {
  status: 'skip',
  message: 'not checked: the signature did not verify',
};

function checkIdentity(
  policy: IdentityPolicy | undefined,
  certificate: CertificateIdentity,
): StageOutcome {
  const found = { identity: certificate.subjectAlternativeNames, issuer: certificate.issuer };
  if (!policy)
    return {
      status: 'fail',
      message: 'a certificate bundle needs an identity and issuer to check',
      expected: 'identity and issuer',
      found,
    };
  const mismatches = identityMismatches(policy, certificate);
  const expected = describePolicy(policy);
  if (mismatches.length === 0)
    return {
      status: 'pass',
      message: `signed by ${expected.identity} (issuer ${expected.issuer})`,
      expected,
      found,
    };
  return {
    status: 'fail',
    message: mismatches
      .map((m) => `${m.field}: expected ${m.expected}, found ${formatFound(m.found)}`)
      .join('; '),
    expected,
    found,
  };
}

function checkMessageDigest(bundle: Bundle, artifact: SignedArtifact | undefined): StageOutcome {
  if (bundle.content.$case !== 'messageSignature')
    return { status: 'skip', message: 'DSSE bundle: the statement names its subjects' };
  const { messageDigest } = bundle.content.messageSignature;
  if (!artifact)
    return {
      status: 'fail',
      message: 'a message-signature bundle needs the artifact (file or sha256 digest)',
      expected: 'an artifact',
      found: 'none',
    };
  const actual =
    'bytes' in artifact
      ? createHash('sha256').update(artifact.bytes).digest()
      : artifact.digest.value;
  const expected = `sha256:${actual.toString('hex')}`;
  const found = `${messageDigest.algorithm === HashAlgorithm.SHA2_256 ? 'sha256' : HashAlgorithm[messageDigest.algorithm]}:${Buffer.from(messageDigest.digest).toString('hex')}`;
  if (found === expected)
    return {
      status: 'pass',
      message: `messageDigest is the artifact's ${expected}`,
      expected,
      found,
    };
  return {
    status: 'fail',
    message: `bundle messageDigest does not match the artifact: expected ${expected}, found ${found}`,
    expected,
    found,
  };
}

function describeProof(evidence: BundleEvidence): string {
  const proofs = (evidence.tlog ?? []).map(
    (entry) => `log index ${entry.logIndex} (${entry.proof.join(' + ')})`,
  );
  const tsa = evidence.timestampAuthorityTimes?.length
    ? [`TSA time ${evidence.timestampAuthorityTimes.join(', ')}`]
    : [];
  if (proofs.length === 0) return `signature and certificate chain verified: ${tsa.join('; ')}`;
  return `signature, certificate chain, SCT and transparency log verified: ${[...proofs, ...tsa].join('; ')}`;
}

function collectEvidence(bundle: Bundle, evidence: BundleEvidence): void {
  evidence.mediaType = bundle.mediaType;
  evidence.content = bundle.content.$case;
  evidence.tlog = bundle.verificationMaterial.tlogEntries.map((entry) => ({
    logIndex: entry.logIndex,
    ...integratedTime(entry.integratedTime),
    logId: entry.logId ? Buffer.from(entry.logId.keyId).toString('hex') : '',
    ...(entry.kindVersion
      ? { kind: `${entry.kindVersion.kind} ${entry.kindVersion.version}` }
      : {}),
    proof: [
      ...(entry.inclusionPromise ? ['signed entry timestamp'] : []),
      ...(entry.inclusionProof ? ['inclusion proof'] : []),
    ],
  }));
  const tsa = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? [];
  if (tsa.length > 0) {
    evidence.timestampAuthorityTimes = tsa.flatMap((ts) => {
      try {
        return [RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)).signingTime.toISOString()];
      } catch {
        return [];
      }
    });
  }
  if (bundle.content.$case === 'messageSignature') {
    evidence.messageDigest = `sha256:${Buffer.from(bundle.content.messageSignature.messageDigest.digest).toString('hex')}`;
  }
  // Identity evidence even when the chain fails, so a report can say whose certificate it was.
  const material = bundle.verificationMaterial.content;
  const raw =
    material.$case === 'certificate'
      ? material.certificate.rawBytes
      : material.$case === 'x509CertificateChain'
        ? material.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  if (raw) {
    try {
      evidence.certificate = certificateIdentity(X509Certificate.parse(Buffer.from(raw)));
    } catch {
      // an unparsable certificate fails verification below with the parser's message
    }
  }
}

/** A log time for reports; one outside what a Date can hold (the signer wrote it) is left out, not thrown on. */
function integratedTime(seconds: string): { integratedTime?: string } {
  const time = new Date(Number(seconds) * 1000);
  return seconds !== '0' && Number.isFinite(time.getTime())
    ? { integratedTime: time.toISOString() }
    : {};
}

function formatFound(found: string | string[] | undefined): string {
  if (found === undefined) return '(none)';
  return Array.isArray(found) ? (found.length === 0 ? '(no SAN)' : found.join(', ')) : found;
}
