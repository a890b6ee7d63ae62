/**
 * Identities the test Fulcio certifies, and the rules Fulcio uses to turn OIDC claims into
 * certificate fields (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
 * The same functions serve the Fulcio endpoint and the identity constructors, so what a test
 * expects is what the certificate carries.
 */

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** The reusable workflow of the SLSA container generator, as it appears in `job_workflow_ref`. */
export const SLSA_CONTAINER_GENERATOR_WORKFLOW =
  'slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';

const GITHUB_URL = 'https://github.com';

/** Fulcio certificate extension OIDs (prefix 1.3.6.1.4.1.57264.1). */
export const FULCIO_OID = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  githubWorkflowTrigger: '1.3.6.1.4.1.57264.1.2',
  githubWorkflowSha: '1.3.6.1.4.1.57264.1.3',
  githubWorkflowName: '1.3.6.1.4.1.57264.1.4',
  githubWorkflowRepository: '1.3.6.1.4.1.57264.1.5',
  githubWorkflowRef: '1.3.6.1.4.1.57264.1.6',
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerURI: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryURI: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerURI: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigURI: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationURI: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibilityAtSigning: '1.3.6.1.4.1.57264.1.22',
} as const;

export type Claims = Readonly<Record<string, string | boolean>>;

/** An identity the test Fulcio will certify: the OIDC claims and what the certificate will say. */
export interface TestIdentity {
  /** OIDC `iss`, copied into the issuer extensions (1.1 and 1.8). */
  readonly issuer: string;
  /** The certificate SAN: a URI for workflow identities, an email address (rfc822Name) otherwise. */
  readonly subjectAlternativeName: string;
  /** Token claims besides iss/aud/iat/nbf/exp. */
  readonly claims: Claims;
}

export interface GitHubActionsIdentityOptions {
  /** OWNER/REPO */
  repository: string;
  /** Path of the calling workflow, e.g. `.github/workflows/docker-build-push.yml`. */
  workflowPath: string;
  /** e.g. `refs/tags/v1.5.0` or `refs/heads/main` */
  ref: string;
  /** Commit the workflow ran on (40 hex). */
  sha: string;
  runId?: string;
  runAttempt?: string;
  eventName?: string;
  /**
   * `OWNER/REPO/PATH@REF` of the workflow that holds the signing job when it is a reusable
   * workflow (the SAN then names it, as with the SLSA generator). Defaults to the calling workflow.
   */
  jobWorkflowRef?: string;
  jobWorkflowSha?: string;
  repositoryId?: string;
  repositoryOwnerId?: string;
  repositoryVisibility?: 'public' | 'private' | 'internal';
  runnerEnvironment?: 'github-hosted' | 'self-hosted';
}

/** A GitHub Actions workload identity, as GitHub's OIDC provider would state it. */
export function githubActionsIdentity(options: GitHubActionsIdentityOptions): TestIdentity {
  const { repository, workflowPath, ref, sha } = options;
  const owner = repository.split('/')[0] ?? repository;
  const workflowRef = `${repository}/${workflowPath}@${ref}`;
  const claims: Claims = {
    sub: `repo:${repository}:ref:${ref}`,
    repository,
    repository_owner: owner,
    repository_id: options.repositoryId ?? '100000001',
    repository_owner_id: options.repositoryOwnerId ?? '100000000',
    repository_visibility: options.repositoryVisibility ?? 'public',
    ref,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha,
    workflow: workflowPath.split('/').pop() ?? workflowPath,
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: options.jobWorkflowRef ?? workflowRef,
    job_workflow_sha: options.jobWorkflowSha ?? sha,
    run_id: options.runId ?? '1',
    run_attempt: options.runAttempt ?? '1',
    event_name: options.eventName ?? 'push',
    runner_environment: options.runnerEnvironment ?? 'github-hosted',
  };
  return identityFromClaims(GITHUB_ACTIONS_ISSUER, claims);
}

export type SlsaGeneratorIdentityOptions = Omit<
  GitHubActionsIdentityOptions,
  'jobWorkflowRef' | 'jobWorkflowSha'
> & {
  /** Tag of slsa-github-generator the caller pinned; default `refs/tags/v2.0.0`. */
  generatorRef?: string;
};

/**
 * The identity of slsa-github-generator's container workflow called from `repository`:
 * SAN = the generator workflow, source repository extension (1.12) = the caller's repository.
 */
export function slsaGeneratorIdentity(options: SlsaGeneratorIdentityOptions): TestIdentity {
  const { generatorRef = 'refs/tags/v2.0.0', ...caller } = options;
  return githubActionsIdentity({
    ...caller,
    jobWorkflowRef: `${SLSA_CONTAINER_GENERATOR_WORKFLOW}@${generatorRef}`,
    jobWorkflowSha: 'f7dd8c54c2067bafc12ca7a55595d5ee9b75204a',
  });
}

/** A person signing with an email identity (e.g. a TUF-on-CI signer via GitHub OAuth). */
export function emailIdentity(
  email: string,
  issuer = 'https://github.com/login/oauth',
): TestIdentity {
  return identityFromClaims(issuer, { sub: email, email, email_verified: true });
}

function identityFromClaims(issuer: string, claims: Claims): TestIdentity {
  return {
    issuer,
    claims,
    subjectAlternativeName: certificateSubject({ ...claims, iss: issuer }).value,
  };
}

export interface CertificateSubject {
  type: 'url' | 'email';
  value: string;
}

/** Fulcio's SAN rule: GitHub Actions tokens name the job's workflow; others need a verified email. */
export function certificateSubject(claims: Claims): CertificateSubject {
  if (claims.iss === GITHUB_ACTIONS_ISSUER) {
    const jobWorkflowRef = requireClaim(claims, 'job_workflow_ref');
    return { type: 'url', value: `${GITHUB_URL}/${jobWorkflowRef}` };
  }
  if (typeof claims.email === 'string') {
    if (claims.email_verified !== true)
      throw new Error(
        `token email "${claims.email}" is not verified (email_verified must be true)`,
      );
    return { type: 'email', value: claims.email };
  }
  throw new Error(
    `token from issuer "${String(claims.iss)}" has neither GitHub workflow claims nor an email claim`,
  );
}

export interface CertificateExtensionValue {
  oid: string;
  value: string;
  /** Legacy extensions (1.1-1.6) hold the raw string, not a DER UTF8String. */
  legacy: boolean;
}

/** The Fulcio extensions a token's claims produce. */
export function certificateExtensions(claims: Claims): CertificateExtensionValue[] {
  const iss = requireClaim(claims, 'iss');
  const extensions: CertificateExtensionValue[] = [
    { oid: FULCIO_OID.issuerV1, value: iss, legacy: true },
    { oid: FULCIO_OID.issuer, value: iss, legacy: false },
  ];
  if (iss !== GITHUB_ACTIONS_ISSUER) return extensions;

  const claim = (name: string) => requireClaim(claims, name);
  const legacy = (oid: string, value: string) => extensions.push({ oid, value, legacy: true });
  const modern = (oid: string, value: string) => extensions.push({ oid, value, legacy: false });
  legacy(FULCIO_OID.githubWorkflowTrigger, claim('event_name'));
  legacy(FULCIO_OID.githubWorkflowSha, claim('sha'));
  legacy(FULCIO_OID.githubWorkflowName, claim('workflow'));
  legacy(FULCIO_OID.githubWorkflowRepository, claim('repository'));
  legacy(FULCIO_OID.githubWorkflowRef, claim('ref'));
  modern(FULCIO_OID.buildSignerURI, `${GITHUB_URL}/${claim('job_workflow_ref')}`);
  modern(FULCIO_OID.buildSignerDigest, claim('job_workflow_sha'));
  modern(FULCIO_OID.runnerEnvironment, claim('runner_environment'));
  modern(FULCIO_OID.sourceRepositoryURI, `${GITHUB_URL}/${claim('repository')}`);
  modern(FULCIO_OID.sourceRepositoryDigest, claim('sha'));
  modern(FULCIO_OID.sourceRepositoryRef, claim('ref'));
  modern(FULCIO_OID.sourceRepositoryIdentifier, claim('repository_id'));
  modern(FULCIO_OID.sourceRepositoryOwnerURI, `${GITHUB_URL}/${claim('repository_owner')}`);
  modern(FULCIO_OID.sourceRepositoryOwnerIdentifier, claim('repository_owner_id'));
  modern(FULCIO_OID.buildConfigURI, `${GITHUB_URL}/${claim('workflow_ref')}`);
  modern(FULCIO_OID.buildConfigDigest, claim('workflow_sha'));
  modern(FULCIO_OID.buildTrigger, claim('event_name'));
  modern(
    FULCIO_OID.runInvocationURI,
    `${GITHUB_URL}/${claim('repository')}/actions/runs/${claim('run_id')}/attempts/${claim('run_attempt')}`,
  );
  modern(FULCIO_OID.sourceRepositoryVisibilityAtSigning, claim('repository_visibility'));
  return extensions;
}

function requireClaim(claims: Claims, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`token claim "${name}" is missing or not a string`);
  return value;
}
