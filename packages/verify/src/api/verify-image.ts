import type { TrustMaterial } from '@sigstore/verify';
import { discoverSignatures } from '../cosign/discover';
import { rethrowAsVerificationError, VerificationError, withVerificationErrors } from '../errors';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  isIndexMediaType,
  openImageSource,
  resolveImage,
  type RegistrySourceOptions,
} from '@oci-sd/oci';
import type { Shape } from '../checks/json-shape';
import { assertIdentityPolicy } from '../policy/identity';
import type { IdentityPolicy } from '../policy/identity';
import { resolvePredicateType } from '../predicate-types';
import {
  SLSA_BUILDER_IDENTITY,
  SLSA_PROVENANCE_V02,
  PROVENANCE_V02_SHAPE,
  assertSlsaPolicy,
  checkSlsaProvenance,
} from '../slsa/provenance';
import type { SlsaPolicy, SlsaResult } from '../slsa/provenance';
import {
  SLSA_PROVENANCE_V1,
  checkSlsaProvenanceV1,
  provenanceV1Identity,
} from '../slsa/provenance-v1';
import { loadTrustMaterial } from '../trust/trusted-root';
import type { LoadedTrustMaterial } from '../trust/trusted-root';
import type {
  CheckResult,
  Digest,
  ImageSource,
  SignatureCandidate,
  VerificationReport,
} from '../types';
import { candidateEvidence, evaluateCandidate, summarizeCandidates } from './candidates';
import type { CandidateResult } from './candidates';

export interface VerifyImageOptions {
  /** `registry/repo:tag`, `registry/repo@sha256:...` or `oci-layout:DIR[@sha256:...]`; a tag is resolved once. */
  image: string;
  /** Who must have signed the image and its attestations (not the SLSA builder: that is fixed). */
  policy?: IdentityPolicy;
  /** Check the image signature (default true for verifyImage). */
  signature?: boolean;
  /** Attestation predicate types to require: cosign short names or URIs. */
  attestations?: string[];
  /** Check SLSA v0.2 container provenance with slsa-verifier's semantics. */
  slsa?: SlsaPolicy;
  /** Trust material or a `trusted_root.json` path; the embedded public-good root by default. */
  trust?: LoadedTrustMaterial | string;
  /** Registry credentials, timeouts, retries, request counter. */
  registry?: RegistrySourceOptions;
}

/** `cosign verify` (plus any `--attestation` and `--slsa` checks) for one image, by digest. */
export async function verifyImage(options: VerifyImageOptions): Promise<VerificationReport> {
  return verifyImageChecks({ signature: true, ...options });
}

/** `cosign verify-attestation --type TYPE`: the attestation alone (GitHub attestations: `verifyAttestation`). */
export async function verifyImageAttestation(
  options: Omit<VerifyImageOptions, 'signature' | 'attestations' | 'slsa'> & { type: string },
): Promise<VerificationReport> {
  const { type, ...rest } = options;
  return verifyImageChecks({ ...rest, signature: false, attestations: [type] });
}

/** `slsa-verifier verify-image`: SLSA provenance alone (the builder identity is fixed, no policy needed). */
export async function verifyProvenance(
  options: Omit<VerifyImageOptions, 'signature' | 'attestations' | 'policy' | 'slsa'> & {
    slsa: SlsaPolicy;
  },
): Promise<VerificationReport> {
  return verifyImageChecks({ ...options, signature: false });
}

async function verifyImageChecks(options: VerifyImageOptions): Promise<VerificationReport> {
  const wanted = validate(options);
  const trust =
    typeof options.trust === 'object'
      ? options.trust.material
      : loadTrustMaterial(options.trust).material;
  const opened = withVerificationErrors(() => openImageSource(options.image, options.registry));
  const manifest = await resolveImage(opened).catch(rethrowAsVerificationError);
  const checks = await checkImageDigest(opened.source, manifest.digest, trust, {
    ...options,
    attestations: wanted,
  });
  if (!isIndexMediaType(manifest.mediaType)) {
    // cosign signs the digest it is given, normally the multi-arch index: a platform digest finds nothing.
    for (const check of checks.filter((c) => c.code === 'NO_SIGNATURES')) {
      check.summary += ` for ${manifest.digest}, a single-platform manifest (${manifest.mediaType}): signatures usually cover the multi-arch index digest`;
    }
  }
  return {
    ok: checks.every((check) => check.status === 'pass'),
    image: { reference: opened.reference.name, digest: manifest.digest },
    checks,
  };
}

function validate(options: VerifyImageOptions): string[] {
  const attestations = [...new Set((options.attestations ?? []).map(resolvePredicateType))];
  if (options.signature || attestations.length > 0) {
    if (!options.policy) {
      throw new VerificationError(
        'INVALID_INPUT',
        'image signatures and attestations need a certificate identity and issuer',
        { expected: 'policy {identity, issuer}', found: 'none' },
      );
    }
    assertIdentityPolicy(options.policy);
  }
  if (options.slsa) assertSlsaPolicy(options.slsa);
  if (!options.signature && attestations.length === 0 && !options.slsa) {
    throw new VerificationError(
      'INVALID_INPUT',
      'nothing to verify: no signature, attestation or SLSA check requested',
      { expected: 'at least one check', found: 'none' },
    );
  }
  return attestations;
}

/** Every requested check for one image digest; the source is read once for all of them. */
export async function checkImageDigest(
  source: ImageSource,
  digest: Digest,
  trust: TrustMaterial,
  options: Omit<VerifyImageOptions, 'image' | 'trust' | 'registry'> & {
    /** The predicate shape an attestation of that type must have (checked before its predicate is read). */
    predicateShapes?: Readonly<Record<string, Shape>>;
  },
): Promise<CheckResult[]> {
  const discovered = await discoverSignatures(source, digest);
  const checks: CheckResult[] = [];
  if (options.signature) {
    // A malformed candidate that does not say what it is counts for every check: it may have been the signature.
    const candidates = discovered
      .filter((found) => found.kind !== 'attestation')
      .map((found) =>
        evaluateCandidate(found, digest, options.policy!, trust, COSIGN_SIGN_PREDICATE_TYPE),
      );
    checks.push(
      summarizeCandidates('image-signature', 'image signature', candidates, {
        digest,
        ...options.policy,
      }),
    );
  }
  for (const predicateType of options.attestations ?? []) {
    const candidates = attestationsOfType(discovered, predicateType).map((found) =>
      evaluateCandidate(
        found,
        digest,
        options.policy!,
        trust,
        predicateType,
        options.predicateShapes?.[predicateType],
      ),
    );
    checks.push(
      summarizeCandidates(
        `attestation:${predicateType}`,
        `${predicateType} attestation`,
        candidates,
        { digest, predicateType, ...options.policy },
        {
          evidence: (winner) => ({
            ...candidateEvidence(winner),
            predicate: winner.statement?.predicate,
          }),
        },
      ),
    );
  }
  if (options.slsa) checks.push(...checkProvenance(discovered, digest, trust, options.slsa));
  return checks;
}

function attestationsOfType(
  discovered: SignatureCandidate[],
  predicateType: string,
): SignatureCandidate[] {
  // An attestation without a predicateType hint is read and its statement decides.
  return discovered.filter(
    (found) =>
      found.kind !== 'signature' &&
      (found.predicateType === undefined || found.predicateType === predicateType),
  );
}

type ProvenanceCandidate = CandidateResult & { slsa?: SlsaResult };

function checkProvenance(
  discovered: SignatureCandidate[],
  digest: Digest,
  trust: TrustMaterial,
  policy: SlsaPolicy,
): CheckResult[] {
  // v0.2: the container generator's provenance; v1: GitHub's workflow attestations and the generator's v1 predicates.
  // A candidate without a type hint is read as v0.2, where it has always been looked for.
  const v1 = discovered.filter(
    (found) => found.kind !== 'signature' && found.predicateType === SLSA_PROVENANCE_V1,
  );
  const candidates: ProvenanceCandidate[] = [
    ...attestationsOfType(discovered, SLSA_PROVENANCE_V02).map((found) =>
      checkProvenanceCandidate(found, digest, trust, policy, {
        predicateType: SLSA_PROVENANCE_V02,
        identity: SLSA_BUILDER_IDENTITY,
        shape: PROVENANCE_V02_SHAPE,
        check: checkSlsaProvenance,
      }),
    ),
    ...v1.map((found) =>
      checkProvenanceCandidate(found, digest, trust, policy, {
        predicateType: SLSA_PROVENANCE_V1,
        identity: provenanceV1Identity(policy),
        check: checkSlsaProvenanceV1,
      }),
    ),
  ];
  const expected = {
    digest,
    sourceUri: policy.sourceUri,
    ...(policy.sourceTag ? { sourceTag: policy.sourceTag } : {}),
    ...(policy.sourceBranch ? { sourceBranch: policy.sourceBranch } : {}),
    builder: policy.builderId ?? SLSA_BUILDER_IDENTITY.identityRegExp,
  };
  const summary = summarizeCandidates('slsa-provenance', 'SLSA provenance', candidates, expected, {
    // A winner always has its slsa result: a candidate only passes after its version's check.
    summary: (winner) =>
      `verified build using builder "${(winner as ProvenanceCandidate).slsa!.builderId}" at commit ${(winner as ProvenanceCandidate).slsa!.commit ?? '(unknown)'}`,
    evidence: (winner) => ({
      ...candidateEvidence(winner),
      predicateType: winner.statement?.predicateType,
      builderId: (winner as ProvenanceCandidate).slsa?.builderId,
      commit: (winner as ProvenanceCandidate).slsa?.commit,
    }),
  });
  const shown =
    candidates.find((candidate) => candidate.ok) ?? candidates.find((candidate) => candidate.slsa);
  // Each slsa-verifier check as its own entry, from the provenance that passed or got furthest.
  const findings: CheckResult[] = (shown?.slsa?.findings ?? []).map((finding) => ({
    check: `slsa-provenance:${finding.name}`,
    status: finding.ok ? 'pass' : 'fail',
    summary: finding.message,
    expected: finding.expected,
    found: finding.found,
    ...(finding.ok ? {} : { code: 'PROVENANCE_MISMATCH' as const }),
  }));
  return [summary, ...findings];
}

interface ProvenanceVersion {
  predicateType: string;
  /** Who may have signed provenance of this version. */
  identity: IdentityPolicy;
  /** The predicate's expected JSON shape, checked before the claims are read (MALFORMED otherwise). */
  shape?: Shape;
  check: typeof checkSlsaProvenance;
}

function checkProvenanceCandidate(
  found: SignatureCandidate,
  digest: Digest,
  trust: TrustMaterial,
  policy: SlsaPolicy,
  version: ProvenanceVersion,
): ProvenanceCandidate {
  const candidate: ProvenanceCandidate = evaluateCandidate(
    found,
    digest,
    version.identity,
    trust,
    version.predicateType,
    version.shape,
  );
  const certificate = candidate.verdict.evidence.certificate;
  if (!candidate.ok) return candidate;
  if (!candidate.statement || !certificate) {
    // Only a Fulcio certificate names the builder: anything else is not SLSA provenance from a GitHub build.
    return {
      ...candidate,
      ok: false,
      failure: {
        code: 'PROVENANCE_MISMATCH',
        message: 'provenance without a builder certificate',
        expected: 'a Fulcio certificate',
        found: 'none',
      },
    };
  }
  candidate.slsa = version.check(candidate.statement, certificate, digest, policy);
  const failed = candidate.slsa.findings.find((finding) => !finding.ok);
  if (failed) {
    candidate.ok = false;
    candidate.failure = {
      code: 'PROVENANCE_MISMATCH',
      message: `${failed.name}: ${failed.message}`,
      expected: failed.expected,
      found: failed.found,
    };
  }
  return candidate;
}
