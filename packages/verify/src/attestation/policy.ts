import type { CertificateIdentity } from '../checks/certificate';
import type { ClaimOutcome, InTotoStatement } from '../checks/claims';
import { checkPredicateType } from '../checks/claims';
import { VerificationError } from '../errors';
import type { VerificationErrorCode } from '../errors';
import { assertIdentityPolicy, identityMismatches } from '../policy/identity';
import { resolvePredicateType } from '../predicate-types';
import { SLSA_PROVENANCE_V1 } from '../slsa/provenance-v1';

export type DigestAlgorithm = 'sha256' | 'sha512';

export const GITHUB_ACTIONS_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
const GITHUB_HOST = 'github.com';

/**
 * `gh attestation verify`'s policy flags (spec: "What gh attestation verify checks"). Exactly one of
 * `owner` and `repo`; at most one of `signerWorkflow`, `signerRepo`, `certIdentity`, `certIdentityRegex`.
 */
export interface AttestationPolicy {
  /** The certificate's Source Repository Owner URI (1.16) is `https://github.com/OWNER` (any case). */
  owner?: string | undefined;
  /** `OWNER/REPO`: the owner as above, and the Source Repository URI (1.12) `https://github.com/OWNER/REPO`. */
  repo?: string | undefined;
  /** `[HOST/]OWNER/REPO/PATH`: the SAN is `https://HOST/OWNER/REPO/PATH@<any ref>` (HOST defaults to github.com). */
  signerWorkflow?: string;
  /** `OWNER/REPO`: the SAN is a workflow of that repository, `https://github.com/OWNER/REPO/...` (any case). */
  signerRepo?: string;
  /** The exact SAN. */
  certIdentity?: string;
  /** A regular expression some SAN matches (unanchored, as gh's Go regexp match). */
  certIdentityRegex?: string;
  /** Issuer extension (1.8); default `https://token.actions.githubusercontent.com`. */
  certOidcIssuer?: string;
  /** The Runner Environment extension (1.11) must be `github-hosted`. */
  denySelfHostedRunners?: boolean;
  /** Default SLSA provenance v1; cosign short names are accepted. */
  predicateType?: string;
  /** How a file artifact is hashed to find it among the statement's subjects; default sha256. */
  digestAlg?: DigestAlgorithm;
}

/** The policy with its defaults filled in and every value checked. */
export interface ResolvedAttestationPolicy {
  owner: string;
  repo?: string;
  signer: SignerRule;
  issuer: string;
  denySelfHostedRunners: boolean;
  predicateType: string;
  digestAlg: DigestAlgorithm;
}

/** How the SAN is matched: gh's default is "a workflow of the owner (or repo) itself". */
export type SignerRule =
  | { kind: 'prefix'; flag: string; prefix: string; caseInsensitive: boolean }
  | { kind: 'exact'; flag: 'certIdentity'; identity: string }
  | { kind: 'regex'; flag: 'certIdentityRegex'; pattern: string };

/** One policy rule's outcome for one attestation. */
export interface AttestationFinding extends Omit<ClaimOutcome, 'code'> {
  name: AttestationRule;
  code?: VerificationErrorCode;
}

export type AttestationRule =
  'signature' | 'subject' | 'predicate-type' | 'issuer' | 'owner' | 'repo' | 'signer' | 'runner';

// GitHub logins: letters, digits and single hyphens, at most 39 characters; repository names add `.` and `_`.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
// `[HOST/]OWNER/REPO/PATH`: a first segment with a dot is a host, as gh decides.
const WORKFLOW =
  /^(?:(?<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\/)?(?<path>[^/\s@]+\/[^/\s@]+\/[^\s@]+)$/;

export function resolveAttestationPolicy(policy: AttestationPolicy): ResolvedAttestationPolicy {
  if ((policy.owner === undefined) === (policy.repo === undefined)) {
    throw invalid('give exactly one of owner and repo', 'owner XOR repo', {
      owner: policy.owner,
      repo: policy.repo,
    });
  }
  if (policy.repo !== undefined && !REPOSITORY.test(policy.repo))
    throw invalid(
      `repo ${JSON.stringify(policy.repo)} is not OWNER/REPO`,
      'OWNER/REPO',
      policy.repo,
    );
  if (policy.owner !== undefined && !OWNER.test(policy.owner))
    throw invalid(
      `owner ${JSON.stringify(policy.owner)} is not a GitHub user or organization name`,
      'letters, digits and hyphens (at most 39)',
      policy.owner,
    );
  const owner = policy.owner ?? policy.repo!.split('/')[0]!;
  const digestAlg = policy.digestAlg ?? 'sha256';
  if (digestAlg !== 'sha256' && digestAlg !== 'sha512')
    throw invalid(`digest algorithm ${JSON.stringify(digestAlg)}`, 'sha256 or sha512', digestAlg);
  const issuer = policy.certOidcIssuer ?? GITHUB_ACTIONS_OIDC_ISSUER;
  if (!/^https:\/\/\S+$/.test(issuer))
    throw invalid('certificate OIDC issuer is not an https URL', 'https://...', issuer);
  const predicateType = resolvePredicateType(policy.predicateType ?? SLSA_PROVENANCE_V1);
  if (predicateType === '' || /\s/.test(predicateType))
    throw invalid('predicate type is empty or has spaces', 'a predicate type URI', predicateType);
  return {
    owner,
    ...(policy.repo === undefined ? {} : { repo: policy.repo }),
    signer: signerRule(policy, policy.repo ?? owner),
    issuer,
    denySelfHostedRunners: policy.denySelfHostedRunners === true,
    predicateType,
    digestAlg,
  };
}

function signerRule(policy: AttestationPolicy, ownerOrRepo: string): SignerRule {
  const given = (
    ['signerWorkflow', 'signerRepo', 'certIdentity', 'certIdentityRegex'] as const
  ).filter((flag) => policy[flag] !== undefined);
  if (given.length > 1)
    throw invalid(
      'signerWorkflow, signerRepo, certIdentity and certIdentityRegex are mutually exclusive',
      'at most one',
      given,
    );
  if (policy.signerWorkflow !== undefined) {
    const match = WORKFLOW.exec(policy.signerWorkflow);
    if (!match)
      throw invalid(
        `signer workflow ${JSON.stringify(policy.signerWorkflow)} is not [HOST/]OWNER/REPO/PATH`,
        'e.g. OWNER/REPO/.github/workflows/release.yml',
        policy.signerWorkflow,
      );
    const host = match.groups!.host ?? GITHUB_HOST;
    // Any ref: the workflow path is followed by `@REF` in a GitHub Actions SAN.
    return {
      kind: 'prefix',
      flag: 'signerWorkflow',
      prefix: `https://${host}/${match.groups!.path}@`,
      caseInsensitive: false,
    };
  }
  if (policy.signerRepo !== undefined) {
    if (!REPOSITORY.test(policy.signerRepo))
      throw invalid(
        `signer repo ${JSON.stringify(policy.signerRepo)} is not OWNER/REPO`,
        'OWNER/REPO',
        policy.signerRepo,
      );
    return signedBy('signerRepo', policy.signerRepo);
  }
  if (policy.certIdentity !== undefined) {
    if (policy.certIdentity === '')
      throw invalid('certificate identity is empty', 'a SAN', policy.certIdentity);
    return { kind: 'exact', flag: 'certIdentity', identity: policy.certIdentity };
  }
  if (policy.certIdentityRegex !== undefined) {
    // Compiled (and refused when invalid) by the identity policy's matcher.
    assertIdentityPolicy({
      identityRegExp: unanchored(policy.certIdentityRegex),
      issuer: GITHUB_ACTIONS_OIDC_ISSUER,
    });
    return { kind: 'regex', flag: 'certIdentityRegex', pattern: policy.certIdentityRegex };
  }
  // gh without a signer flag: the signing workflow lives in the owner's (or the repo's) repositories.
  return signedBy(policy.repo === undefined ? 'owner' : 'repo', ownerOrRepo);
}

function signedBy(flag: string, ownerOrRepo: string): SignerRule {
  return {
    kind: 'prefix',
    flag,
    prefix: `https://${GITHUB_HOST}/${ownerOrRepo}/`,
    caseInsensitive: true,
  };
}

/** gh's `--cert-identity-regex` is a Go `MatchString`: a match anywhere in the SAN. */
function unanchored(pattern: string): string {
  return `[\\s\\S]*(?:${pattern})[\\s\\S]*`;
}

/** The certificate rules (issuer, owner, repo, signer, runner) in gh's order. */
export function certificateFindings(
  policy: ResolvedAttestationPolicy,
  certificate: CertificateIdentity,
): AttestationFinding[] {
  const { extensions } = certificate;
  const findings: AttestationFinding[] = [
    rule('issuer', 'issuer', policy.issuer, certificate.issuer, (found) => found === policy.issuer),
    rule(
      'owner',
      'source repository owner URI (1.3.6.1.4.1.57264.1.16)',
      `https://${GITHUB_HOST}/${policy.owner}`,
      extensions.sourceRepositoryOwnerURI,
      (found) => sameIgnoringCase(found, `https://${GITHUB_HOST}/${policy.owner}`),
    ),
  ];
  if (policy.repo !== undefined) {
    const expected = `https://${GITHUB_HOST}/${policy.repo}`;
    findings.push(
      rule(
        'repo',
        'source repository URI (1.3.6.1.4.1.57264.1.12)',
        expected,
        extensions.sourceRepositoryURI,
        (found) => sameIgnoringCase(found, expected),
      ),
    );
  }
  findings.push(signerFinding(policy.signer, certificate));
  if (policy.denySelfHostedRunners) {
    findings.push(
      rule(
        'runner',
        'runner environment (1.3.6.1.4.1.57264.1.11)',
        'github-hosted',
        extensions.runnerEnvironment,
        (found) => found === 'github-hosted',
      ),
    );
  }
  return findings;
}

function signerFinding(signer: SignerRule, certificate: CertificateIdentity): AttestationFinding {
  const sans = certificate.subjectAlternativeNames;
  let expected: string;
  let ok: boolean;
  switch (signer.kind) {
    case 'prefix':
      expected = `a SAN starting with ${signer.prefix}${signer.caseInsensitive ? ' (any case)' : ''}`;
      ok = sans.some((san) =>
        signer.caseInsensitive
          ? san.toLowerCase().startsWith(signer.prefix.toLowerCase())
          : san.startsWith(signer.prefix),
      );
      break;
    case 'exact':
      expected = signer.identity;
      ok = sans.includes(signer.identity);
      break;
    case 'regex':
      expected = `a SAN matching /${signer.pattern}/`;
      ok =
        identityMismatches(
          { identityRegExp: unanchored(signer.pattern), issuer: certificate.issuer ?? '' },
          certificate,
        ).length === 0;
      break;
  }
  const shown = sans.length === 0 ? '(no SAN)' : sans.join(', ');
  return {
    name: 'signer',
    ok,
    message: ok
      ? `signed by ${shown} (${signer.flag})`
      : `signer (${signer.flag}): expected ${expected}, found ${shown}`,
    expected,
    found: sans,
    ...(ok ? {} : { code: 'IDENTITY_MISMATCH' as const }),
  };
}

function rule(
  name: AttestationRule,
  what: string,
  expected: string,
  found: string | undefined,
  matches: (found: string) => boolean,
): AttestationFinding {
  const ok = found !== undefined && matches(found);
  return {
    name,
    ok,
    message: ok
      ? `${what} is ${found}`
      : `${what}: expected ${expected}, found ${found ?? '(no such extension)'}`,
    expected,
    found,
    ...(ok ? {} : { code: 'IDENTITY_MISMATCH' as const }),
  };
}

function sameIgnoringCase(found: string, expected: string): boolean {
  return found.toLowerCase() === expected.toLowerCase();
}

/** Some subject carries the artifact's digest under the algorithm the policy asked for. */
export function subjectFinding(
  statement: InTotoStatement,
  artifact: { algorithm: DigestAlgorithm; hex: string },
): AttestationFinding {
  const expected = `${artifact.algorithm}:${artifact.hex}`;
  const found = statement.subject.map((subject) => {
    const digests = Object.entries(subject.digest)
      .filter(([, value]) => typeof value === 'string')
      .map(([algorithm, value]) => `${algorithm}:${value}`);
    return `${subject.name ?? '?'} (${digests.join(', ') || 'no digest'})`;
  });
  const ok = statement.subject.some(
    (subject) =>
      typeof subject.digest[artifact.algorithm] === 'string' &&
      subject.digest[artifact.algorithm]!.toLowerCase() === artifact.hex,
  );
  return {
    name: 'subject',
    ok,
    message: ok ? `statement subject has ${expected}` : `no statement subject has ${expected}`,
    expected,
    found,
    ...(ok ? {} : { code: 'DIGEST_MISMATCH' as const }),
  };
}

export function predicateTypeFinding(
  statement: InTotoStatement,
  predicateType: string,
): AttestationFinding {
  const outcome = checkPredicateType(statement, predicateType);
  return {
    name: 'predicate-type',
    ...outcome,
    ...(outcome.ok ? {} : { code: 'PREDICATE_MISMATCH' as const }),
  };
}

function invalid(message: string, expected: unknown, found: unknown): VerificationError {
  return new VerificationError('INVALID_INPUT', message, { expected, found });
}
