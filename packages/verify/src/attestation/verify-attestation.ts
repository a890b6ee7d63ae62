import { createHash } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import {
  OCI_LAYOUT_PREFIX,
  openImageSource,
  resolveImage,
  type RegistrySourceOptions,
} from '@oci-sd/oci';
import { verifySigstoreBundle } from '../checks/bundle';
import type { BundleVerdict } from '../checks/bundle';
import type { CertificateIdentity } from '../checks/certificate';
import { parseInTotoStatement } from '../checks/claims';
import type { InTotoStatement } from '../checks/claims';
import { discoverSignatures } from '../cosign/discover';
import { VerificationError, rethrowAsVerificationError, withVerificationErrors } from '../errors';
import type { VerificationErrorCode } from '../errors';
import { publicGoodTrustMaterial } from '../trust/trusted-root';
import type { LoadedTrustMaterial } from '../trust/trusted-root';
import type { CheckResult, Digest, RejectedCandidate, VerificationReport } from '../types';
import {
  GITHUB_ISSUER_ORGANIZATION,
  issuerOrganization,
  leafCertificate,
  selectTrust,
} from './instances';
import type { SigstoreInstance } from './instances';
import {
  certificateFindings,
  predicateTypeFinding,
  resolveAttestationPolicy,
  subjectFinding,
} from './policy';
import type {
  AttestationFinding,
  AttestationPolicy,
  AttestationRule,
  DigestAlgorithm,
  ResolvedAttestationPolicy,
} from './policy';
import { describeWorkflowRun } from './workflow-run';
import type { WorkflowRun } from './workflow-run';

/** One bundle to consider, with where it came from (`attestations.jsonl line 2`, `referrer sha256:...`). */
export interface AttestationBundle {
  bundle: unknown;
  location: string;
}

export interface VerifyAttestationOptions extends AttestationPolicy {
  /**
   * The artifact: its bytes (hashed with `digestAlg`), a `sha256:<hex>`/`sha512:<hex>` digest, or an image
   * `oci://REGISTRY/REPO:TAG` (or `@sha256:...`) / `oci-layout:DIR@sha256:...` whose manifest digest is the subject.
   */
  artifact: Buffer | string;
  /** Bundles to verify (any one that passes every rule verifies the artifact). */
  bundles?: AttestationBundle[] | undefined;
  /** Read the image's OCI referrers for bundles (image artifacts only). */
  bundleFromOci?: boolean;
  /** Trusted roots to use instead of the defaults (gh's `--custom-trusted-root`). */
  trustedRoots?: LoadedTrustMaterial[];
  /**
   * GitHub's trusted root, added to the embedded public-good root by default: the material, or a loader
   * (e.g. `githubTrustMaterial` through GitHub's TUF repository) called only when a bundle's leaf is issued
   * by GitHub's instance, as gh fetches it only then.
   */
  githubTrust?: LoadedTrustMaterial | (() => Promise<LoadedTrustMaterial>);
  /** Refuse certificates of the public-good instance (and leave its root out of the defaults). */
  noPublicGood?: boolean;
  /** Registry credentials, timeouts, retries, request counter, for image artifacts. */
  registry?: RegistrySourceOptions;
}

/** The artifact as the statement's subject must name it. */
interface ArtifactDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  image?: { reference: string; digest: Digest };
}

interface AttestationCandidate {
  location: string;
  ok: boolean;
  findings: AttestationFinding[];
  instance?: SigstoreInstance;
  trustSource?: string;
  verdict?: BundleVerdict;
  certificate?: CertificateIdentity;
  statement?: InTotoStatement;
}

const RULE_ORDER: readonly AttestationRule[] = [
  'signature',
  'subject',
  'predicate-type',
  'issuer',
  'owner',
  'repo',
  'signer',
  'runner',
];

/**
 * `gh attestation verify`: some attestation bundle is signed by a trusted Sigstore instance (public good:
 * SCT and log entry; GitHub's: RFC 3161 timestamps), names the artifact as a subject with the policy's
 * predicate type, and its certificate meets every policy rule. One report entry per rule.
 */
export async function verifyAttestation(
  options: VerifyAttestationOptions,
): Promise<VerificationReport> {
  const policy = resolveAttestationPolicy(options);
  if (options.bundles === undefined && !options.bundleFromOci) {
    throw new VerificationError(
      'INVALID_INPUT',
      'no attestations to verify: give bundles, or read them from the image referrers (bundleFromOci)',
      { expected: 'bundles or bundleFromOci', found: 'neither' },
    );
  }
  const { artifact, bundles } = await readArtifact(options, policy);
  const roots = await trustedRoots(options, bundles);
  const candidates = bundles.map((input) =>
    'malformed' in input ? input.malformed : evaluate(input, artifact, policy, roots, options),
  );
  const checks = [
    summarize(candidates, policy, artifact),
    ...ruleChecks(pickShown(candidates), policy),
  ];
  return {
    ok: checks.every((entry) => entry.status !== 'fail') && checks[0]!.status === 'pass',
    ...(artifact.image ? { image: artifact.image } : {}),
    artifact: { digest: `${artifact.algorithm}:${artifact.hex}` },
    checks,
  };
}

async function trustedRoots(
  options: VerifyAttestationOptions,
  bundles: BundleInput[],
): Promise<LoadedTrustMaterial[]> {
  if (options.trustedRoots !== undefined) {
    if (options.trustedRoots.length === 0)
      throw new VerificationError('INVALID_INPUT', 'custom trusted roots: none given', {
        expected: 'at least one trusted root',
        found: 0,
      });
    return options.trustedRoots;
  }
  const roots = options.noPublicGood ? [] : [publicGoodTrustMaterial()];
  if (typeof options.githubTrust === 'function') {
    if (bundles.some(issuedByGitHub)) roots.push(await options.githubTrust());
  } else if (options.githubTrust) {
    roots.push(options.githubTrust);
  }
  if (roots.length === 0 && typeof options.githubTrust !== 'function')
    throw new VerificationError(
      'INVALID_INPUT',
      'without public good there is no trusted root: give GitHub’s trusted root or custom trusted roots',
      { expected: 'githubTrust or trustedRoots', found: 'none' },
    );
  return roots;
}

type BundleInput = AttestationBundle | { malformed: AttestationCandidate };

function issuedByGitHub(input: BundleInput): boolean {
  if ('malformed' in input || typeof input.bundle !== 'object' || input.bundle === null)
    return false;
  const leaf = leafCertificate(input.bundle as SerializedBundle);
  return leaf !== undefined && issuerOrganization(leaf) === GITHUB_ISSUER_ORGANIZATION;
}

async function readArtifact(
  options: VerifyAttestationOptions,
  policy: ResolvedAttestationPolicy,
): Promise<{ artifact: ArtifactDigest; bundles: BundleInput[] }> {
  const given: BundleInput[] = options.bundles ?? [];
  if (Buffer.isBuffer(options.artifact)) {
    if (options.bundleFromOci) throw notAnImage('a file');
    const hex = createHash(policy.digestAlg).update(options.artifact).digest('hex');
    return { artifact: { algorithm: policy.digestAlg, hex }, bundles: given };
  }
  const input = options.artifact;
  const digest = /^(sha256|sha512):([0-9a-f]*)$/.exec(input);
  if (digest) {
    const algorithm = digest[1] as DigestAlgorithm;
    const hex = digest[2]!;
    if (hex.length !== (algorithm === 'sha256' ? 64 : 128))
      throw new VerificationError(
        'INVALID_INPUT',
        `artifact digest ${input} has the wrong length`,
        {
          expected: `${algorithm}:<${algorithm === 'sha256' ? 64 : 128} lowercase hex>`,
          found: input,
        },
      );
    if (options.digestAlg !== undefined && options.digestAlg !== algorithm)
      throw new VerificationError(
        'INVALID_INPUT',
        `artifact digest is ${algorithm}, digest algorithm ${options.digestAlg} was asked for`,
        { expected: options.digestAlg, found: algorithm },
      );
    if (options.bundleFromOci) throw notAnImage('a digest');
    return { artifact: { algorithm, hex }, bundles: given };
  }
  const reference = imageReference(input);
  if (options.digestAlg !== undefined && options.digestAlg !== 'sha256')
    throw new VerificationError(
      'INVALID_INPUT',
      'an image is named by its sha256 manifest digest',
      { expected: 'sha256', found: options.digestAlg },
    );
  const opened = withVerificationErrors(() => openImageSource(reference, options.registry));
  const manifest = await resolveImage(opened).catch(rethrowAsVerificationError);
  const image = { reference: opened.reference.name, digest: manifest.digest };
  const artifact: ArtifactDigest = { algorithm: 'sha256', hex: manifest.digest.slice(7), image };
  if (!options.bundleFromOci) return { artifact, bundles: given };
  // gh reads OCI 1.1 referrers only; cosign's legacy `.att` layers are not GitHub attestations.
  const discovered = (await discoverSignatures(opened.source, manifest.digest)).filter(
    (found) => found.layout === 'referrer' && found.kind !== 'signature',
  );
  const fromRegistry: BundleInput[] = discovered.map((found) =>
    'malformed' in found
      ? {
          malformed: {
            location: found.location,
            ok: false,
            findings: [
              {
                name: 'signature',
                ok: false,
                code: 'MALFORMED',
                message: found.malformed.message,
                expected: found.malformed.expected,
                found: found.malformed.found,
              },
            ],
          },
        }
      : { bundle: found.bundle, location: found.location },
  );
  return { artifact, bundles: [...given, ...fromRegistry] };
}

/** `oci://REGISTRY/REPO:TAG` as gh writes images, or an `oci-layout:` reference; anything else is refused. */
function imageReference(input: string): string {
  if (input.startsWith('oci://') && input.length > 'oci://'.length) return input.slice(6);
  if (input.startsWith(OCI_LAYOUT_PREFIX)) return input;
  throw new VerificationError(
    'INVALID_INPUT',
    `artifact ${JSON.stringify(input)} is not a digest or an image reference`,
    {
      expected:
        'file bytes, sha256:<hex>, sha512:<hex>, oci://REGISTRY/REPO:TAG or oci-layout:DIR@sha256:...',
      found: input,
    },
  );
}

function notAnImage(what: string): VerificationError {
  return new VerificationError(
    'INVALID_INPUT',
    `bundles from OCI referrers need an image artifact, not ${what}`,
    { expected: 'oci://REGISTRY/REPO:TAG or oci-layout:DIR@sha256:...', found: what },
  );
}

function evaluate(
  input: AttestationBundle,
  artifact: ArtifactDigest,
  policy: ResolvedAttestationPolicy,
  roots: LoadedTrustMaterial[],
  options: VerifyAttestationOptions,
): AttestationCandidate {
  const candidate: AttestationCandidate = { location: input.location, ok: false, findings: [] };
  const fail = (
    message: string,
    code: VerificationErrorCode,
    expected?: unknown,
    found?: unknown,
  ) => {
    candidate.findings.push({ name: 'signature', ok: false, message, code, expected, found });
    return candidate;
  };
  if (typeof input.bundle !== 'object' || input.bundle === null || Array.isArray(input.bundle))
    return fail(
      'not a Sigstore bundle (JSON object)',
      'MALFORMED',
      'a JSON object',
      typeof input.bundle,
    );
  const bundle = input.bundle as SerializedBundle;
  const leaf = leafCertificate(bundle);
  if (!leaf)
    return fail(
      'no Fulcio certificate in the bundle: GitHub attestations are signed with a certificate',
      'SIGNATURE_INVALID',
      'verificationMaterial.certificate or x509CertificateChain',
      Object.keys((bundle.verificationMaterial ?? {}) as object),
    );
  const selection = selectTrust(leaf, roots, { noPublicGood: options.noPublicGood === true });
  if (!selection.ok)
    return fail(selection.message, 'SIGNATURE_INVALID', selection.expected, selection.found);

  let verdict: BundleVerdict | undefined;
  for (const choice of selection.choices) {
    const attempt = verifySigstoreBundle(bundle, {
      trust: choice.trust.material,
      thresholds: choice.thresholds,
    });
    const timestamps = attempt.evidence.timestampAuthorityTimes?.length ?? 0;
    if (attempt.signature.status === 'pass' && timestamps < choice.signedTimestamps) {
      attempt.signature = {
        status: 'fail',
        message: `${choice.instance} instance: expected ${choice.signedTimestamps} RFC 3161 timestamp(s), found ${timestamps}`,
        expected: choice.signedTimestamps,
        found: timestamps,
      };
    }
    verdict ??= attempt;
    if (attempt.signature.status === 'pass') {
      verdict = attempt;
      candidate.instance = choice.instance;
      candidate.trustSource = choice.trust.source;
      break;
    }
  }
  candidate.verdict = verdict!;
  if (verdict!.signature.status !== 'pass')
    return fail(
      verdict!.signature.message,
      'SIGNATURE_INVALID',
      verdict!.signature.expected,
      verdict!.signature.found,
    );
  if (!verdict!.envelope)
    return fail(
      'a message signature, not an attestation: GitHub attestations are DSSE in-toto statements',
      'PREDICATE_MISMATCH',
      'dsseEnvelope',
      verdict!.evidence.content,
    );
  candidate.findings.push({
    name: 'signature',
    ok: true,
    message: `${verdict!.signature.message} (${candidate.instance} instance, ${candidate.trustSource})`,
    expected: selection.issuer,
    found: selection.issuer,
  });
  const parsed = parseInTotoStatement(verdict!.envelope.payloadType, verdict!.envelope.payload);
  if (!parsed.ok) {
    candidate.findings.push({ name: 'predicate-type', ...parsed.outcome, code: 'MALFORMED' });
    return candidate;
  }
  candidate.statement = parsed.statement;
  candidate.certificate = verdict!.evidence.certificate!;
  candidate.findings.push(
    subjectFinding(parsed.statement, artifact),
    predicateTypeFinding(parsed.statement, policy.predicateType),
    ...certificateFindings(policy, candidate.certificate),
  );
  candidate.ok = candidate.findings.every((finding) => finding.ok);
  return candidate;
}

function summarize(
  candidates: AttestationCandidate[],
  policy: ResolvedAttestationPolicy,
  artifact: ArtifactDigest,
): CheckResult {
  const expected = {
    digest: `${artifact.algorithm}:${artifact.hex}`,
    predicateType: policy.predicateType,
    owner: policy.owner,
    ...(policy.repo === undefined ? {} : { repo: policy.repo }),
    issuer: policy.issuer,
  };
  const winner = candidates.find((candidate) => candidate.ok);
  const rejected = candidates.filter((candidate) => !candidate.ok).map(rejection);
  if (winner) {
    const run = describeWorkflowRun(winner.certificate!, winner.statement!);
    return {
      check: 'attestation',
      status: 'pass',
      summary: `${describeRun(run)}${rejected.length === 0 ? '' : `; ${rejected.length} other${rejected.length === 1 ? '' : 's'} rejected`}`,
      expected,
      found: winner.certificate!.subjectAlternativeNames,
      evidence: {
        location: winner.location,
        instance: winner.instance,
        trustedRoot: winner.trustSource,
        ...run,
        tlog: winner.verdict!.evidence.tlog,
        ...(winner.verdict!.evidence.timestampAuthorityTimes
          ? { timestampAuthorityTimes: winner.verdict!.evidence.timestampAuthorityTimes }
          : {}),
        certificate: winner.certificate,
        subject: winner.statement!.subject,
        predicateType: winner.statement!.predicateType,
        predicate: winner.statement!.predicate,
        ...(rejected.length === 0 ? {} : { rejected }),
      },
    };
  }
  if (candidates.length === 0)
    return {
      check: 'attestation',
      status: 'fail',
      code: 'NO_SIGNATURES',
      summary: 'no attestation found',
      expected,
      found: 'none',
    };
  const best = pickShown(candidates)!;
  const failure = best.findings.find((finding) => !finding.ok)!;
  return {
    check: 'attestation',
    status: 'fail',
    code: failure.code ?? 'SIGNATURE_INVALID',
    summary: `${candidates.length} attestation${candidates.length === 1 ? '' : 's'} found, none verify: ${best.location}: ${failure.message}`,
    expected: failure.expected ?? expected,
    found: failure.found,
    evidence: { rejected },
  };
}

function describeRun(run: WorkflowRun): string {
  return `verified: signed by workflow ${run.signingWorkflow ?? '(unknown)'} in ${run.repository ?? '(unknown repository)'} at ${run.ref ?? '(unknown ref)'}, commit ${run.commit ?? '(unknown)'}`;
}

/** The passing candidate, else the one that got furthest (most rules passed): its rules explain the result. */
function pickShown(candidates: AttestationCandidate[]): AttestationCandidate | undefined {
  const score = (candidate: AttestationCandidate) =>
    candidate.ok ? Infinity : candidate.findings.filter((finding) => finding.ok).length;
  return [...candidates].sort((a, b) => score(b) - score(a))[0];
}

function ruleChecks(
  shown: AttestationCandidate | undefined,
  policy: ResolvedAttestationPolicy,
): CheckResult[] {
  const applicable = RULE_ORDER.filter(
    (rule) =>
      (rule !== 'repo' || policy.repo !== undefined) &&
      (rule !== 'runner' || policy.denySelfHostedRunners),
  );
  return applicable.map((rule) => {
    const finding = shown?.findings.find((candidate) => candidate.name === rule);
    if (!finding)
      return {
        check: `attestation:${rule}`,
        status: 'skip',
        summary: shown
          ? 'not checked: an earlier rule failed'
          : 'not checked: no attestation found',
      };
    return {
      check: `attestation:${rule}`,
      status: finding.ok ? 'pass' : 'fail',
      summary: finding.message,
      expected: finding.expected,
      found: finding.found,
      ...(finding.ok ? {} : { code: finding.code ?? 'SIGNATURE_INVALID' }),
    };
  });
}

function rejection(candidate: AttestationCandidate): RejectedCandidate {
  const failure = candidate.findings.find((finding) => !finding.ok)!;
  return {
    location: candidate.location,
    layout: candidate.location.startsWith('referrer ') ? 'referrer' : 'bundle',
    code: failure.code ?? 'SIGNATURE_INVALID',
    reason: `${failure.name}: ${failure.message}`,
    ...(failure.expected === undefined ? {} : { expected: failure.expected }),
    ...(failure.found === undefined ? {} : { found: failure.found }),
  };
}
