import type { ClaimOutcome, InTotoStatement } from '../checks/claims';
import { definedOnly } from '@oci-sd/core';
import { checkPredicateType, checkSubjectDigest } from '../checks/claims';
import type { CertificateIdentity } from '../checks/certificate';
import type { IdentityPolicy } from '../policy/identity';
import type { Digest } from '../types';
import { VerificationError } from '../errors';
import { describeValue } from '../checks/json-shape';
import type { Shape } from '../checks/json-shape';

/** What slsa-verifier's `verify-image` flags ask for. */
export interface SlsaPolicy {
  /** `github.com/OWNER/REPO` (a scheme, if given, is dropped). */
  sourceUri: string;
  sourceTag?: string | undefined;
  sourceBranch?: string | undefined;
  /** The builder id; without `@ref` only the workflow path is compared. */
  builderId?: string;
}

export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
export const CONTAINER_GENERATOR_BUILDER =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';
export const CONTAINER_GENERATOR_BUILD_TYPE =
  'https://github.com/slsa-framework/slsa-github-generator/container@v1';

/**
 * Which certificates may carry container provenance at all: the container generator's reusable workflow,
 * any ref (the builder check below then insists on an exact release tag and says why when it is not).
 */
export const SLSA_BUILDER_IDENTITY: IdentityPolicy = {
  identityRegExp: `${escapeRegExp(CONTAINER_GENERATOR_BUILDER)}@.+`,
  issuer: GITHUB_ACTIONS_ISSUER,
};

/** One named sub-check of the provenance, in slsa-verifier's order. */
export interface SlsaFinding extends ClaimOutcome {
  name:
    | 'predicate-type'
    | 'subject'
    | 'builder'
    | 'build-type'
    | 'source'
    | 'tag'
    | 'branch'
    | 'certificate';
}

export interface SlsaResult {
  ok: boolean;
  findings: SlsaFinding[];
  /** For the "Verified build using builder ... at commit ..." line. */
  builderId?: string;
  commit?: string;
}

export function assertSlsaPolicy(policy: SlsaPolicy): void {
  if (!/^([a-z]+:\/\/)?[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(policy.sourceUri)) {
    throw new VerificationError(
      'INVALID_INPUT',
      `source URI ${JSON.stringify(policy.sourceUri)} is not HOST/OWNER/REPO`,
      { expected: 'e.g. github.com/OWNER/REPO', found: policy.sourceUri },
    );
  }
  if (policy.sourceTag !== undefined && policy.sourceBranch !== undefined) {
    throw new VerificationError(
      'INVALID_INPUT',
      'source tag and source branch are mutually exclusive',
      { expected: 'at most one of sourceTag, sourceBranch', found: policy },
    );
  }
}

/** slsa-verifier's checks of SLSA v0.2 container provenance, against a verified certificate. */
export function checkSlsaProvenance(
  statement: InTotoStatement,
  certificate: CertificateIdentity,
  imageDigest: Digest,
  policy: SlsaPolicy,
): SlsaResult {
  // The candidate was checked against PROVENANCE_V02_SHAPE before (evaluateCandidate's predicate shape).
  const predicate = (statement.predicate ?? {}) as ProvenanceV02;
  const environment: GithubEnvironment = predicate.invocation?.environment ?? {};
  const builderId = certificate.subjectAlternativeNames.find((san) =>
    san.startsWith(`${CONTAINER_GENERATOR_BUILDER}@`),
  );
  const findings: SlsaFinding[] = [
    { name: 'predicate-type', ...checkPredicateType(statement, SLSA_PROVENANCE_V02) },
    { name: 'subject', ...checkSubjectDigest(statement, imageDigest) },
    { name: 'builder', ...checkBuilder(builderId, predicate.builder?.id, policy.builderId) },
    {
      name: 'build-type',
      ...equal('buildType', CONTAINER_GENERATOR_BUILD_TYPE, predicate.buildType),
    },
    { name: 'source', ...checkSource(policy.sourceUri, predicate, certificate) },
  ];
  if (policy.sourceTag !== undefined)
    findings.push({ name: 'tag', ...checkTag(environment, policy.sourceTag) });
  if (policy.sourceBranch !== undefined)
    findings.push({ name: 'branch', ...checkBranch(environment, policy.sourceBranch) });
  findings.push({
    name: 'certificate',
    ...checkCertificateConsistency(environment, predicate, certificate),
  });
  const commit = environment.github_sha1;
  return {
    ok: findings.every((finding) => finding.ok),
    findings,
    ...(builderId === undefined ? {} : { builderId }),
    ...(commit === undefined ? {} : { commit }),
  };
}

/** The fields of a SLSA v0.2 predicate checked here, as their types must be (slsa-verifier decodes into typed structs). */
interface ProvenanceV02 {
  builder?: { id?: string };
  buildType?: string;
  invocation?: {
    configSource?: { uri?: string; digest?: Record<string, string>; entryPoint?: string };
    environment?: GithubEnvironment;
  };
  materials?: { uri?: string; digest?: Record<string, string> }[];
}

/** The GitHub generators' `invocation.environment` (every value a string; the event payload an object). */
interface GithubEnvironment {
  github_sha1?: string;
  github_ref?: string;
  github_ref_type?: string;
  github_event_name?: string;
  github_run_id?: string;
  github_run_attempt?: string;
  github_event_payload?: { base_ref?: string | null };
}

const DIGEST_SET: Shape = { values: 'string' };

/**
 * What a provenance must look like before it is read: anyone with a generator-issued certificate signed
 * every field of it, so one of another JSON type is a malformed provenance, not a crash or a silent skip.
 */
export const PROVENANCE_V02_SHAPE: Shape = {
  fields: {
    builder: { fields: { id: 'string' } },
    buildType: 'string',
    invocation: {
      fields: {
        configSource: { fields: { uri: 'string', digest: DIGEST_SET, entryPoint: 'string' } },
        environment: {
          fields: {
            github_sha1: 'string',
            github_ref: 'string',
            github_ref_type: 'string',
            github_event_name: 'string',
            github_run_id: 'string',
            github_run_attempt: 'string',
            github_event_payload: { fields: { base_ref: { nullable: 'string' } } },
          },
        },
      },
    },
    materials: { items: { fields: { uri: 'string', digest: DIGEST_SET } } },
  },
};

const EXACT_RELEASE_TAG = /^refs\/tags\/v\d+\.\d+\.\d+$/;

function checkBuilder(
  certificateBuilder: string | undefined,
  provenanceBuilder: unknown,
  requested: string | undefined,
): ClaimOutcome {
  if (certificateBuilder === undefined) {
    return {
      ok: false,
      message: 'certificate is not from the SLSA container generator',
      expected: `${CONTAINER_GENERATOR_BUILDER}@refs/tags/vX.Y.Z`,
      found: certificateBuilder,
    };
  }
  const ref = certificateBuilder.slice(CONTAINER_GENERATOR_BUILDER.length + 1);
  if (!EXACT_RELEASE_TAG.test(ref)) {
    return {
      ok: false,
      message: `builder ref ${ref} is not an exact release tag (vX.Y.Z, no prerelease)`,
      expected: 'refs/tags/vX.Y.Z',
      found: ref,
    };
  }
  if (provenanceBuilder !== certificateBuilder) {
    return {
      ok: false,
      message: 'predicate.builder.id differs from the certificate builder',
      expected: certificateBuilder,
      found: provenanceBuilder,
    };
  }
  return requestedBuilder(
    certificateBuilder,
    CONTAINER_GENERATOR_BUILDER,
    requested,
    `${CONTAINER_GENERATOR_BUILDER}@refs/tags/vX.Y.Z`,
  );
}

/**
 * `--builder-id`, as slsa-verifier compares it: a requested id with an `@ref` must equal the
 * builder, one without must equal the builder without its ref (`unversioned`). Without a request
 * the builder passes, reported against `expected`.
 */
export function requestedBuilder(
  builder: string,
  unversioned: string,
  requested: string | undefined,
  expected: unknown,
): ClaimOutcome {
  if (requested !== undefined && requested !== (requested.includes('@') ? builder : unversioned))
    return {
      ok: false,
      message: `builder is ${builder}, not ${requested}`,
      expected: requested,
      found: builder,
    };
  return {
    ok: true,
    message: `builder ${builder}`,
    expected: requested ?? expected,
    found: builder,
  };
}

/**
 * slsa-verifier's source check for v0.2 provenance: `invocation.configSource.uri` and
 * `materials[0].uri` both carry an `@ref` (only npm-CLI and BYOB builds may omit the material's,
 * never the container generator), the part before the first `@` of each is `git+https://` + the
 * expected source, and the two URIs are equal refs included (one build, one checkout). Beyond
 * slsa-verifier, the certificate's source repository (1.12) must be the expected source too.
 */
function checkSource(
  sourceUri: string,
  predicate: ProvenanceV02,
  certificate: CertificateIdentity,
): ClaimOutcome {
  const bare = sourceUri.replace(/^[a-z]+:\/\//, '');
  const expected = `git+https://${bare}`;
  const configSource = predicate.invocation?.configSource?.uri;
  const material = predicate.materials?.[0]?.uri;
  const certificateSource = certificateFacts(certificate).sourceRepositoryURI;
  const found = {
    'invocation.configSource.uri': configSource,
    'materials[0].uri': material,
    'certificate 1.3.6.1.4.1.57264.1.12': certificateSource,
  };
  const problems: string[] = [];
  for (const [field, uri] of [
    ['invocation.configSource.uri', configSource],
    ['materials[0].uri', material],
  ] as const) {
    const [repository, ...ref] = typeof uri === 'string' ? uri.split('@') : [];
    if (typeof uri !== 'string') problems.push(`${field} is missing`);
    else if (ref.length === 0) problems.push(`${field} ${uri} has no @ref`);
    else if (repository !== expected) problems.push(`${field} is ${repository}, not ${expected}`);
  }
  if (problems.length === 0 && configSource !== material)
    problems.push(
      `invocation.configSource.uri ${configSource} and materials[0].uri ${material} differ`,
    );
  if (certificateSource !== `https://${bare}`)
    problems.push(
      `certificate source repository is ${certificateSource ?? '(none)'}, not https://${bare}`,
    );
  return {
    ok: problems.length === 0,
    message:
      problems.length === 0 ? `source ${bare}` : `source is not ${bare}: ${problems.join('; ')}`,
    expected: { provenance: `${expected}@<ref>, the same in both`, certificate: `https://${bare}` },
    found,
  };
}

function checkTag(environment: GithubEnvironment, tag: string): ClaimOutcome {
  const expected = `refs/tags/${tag.replace(/^refs\/tags\//, '')}`;
  const found = {
    github_ref_type: environment.github_ref_type,
    github_ref: environment.github_ref,
  };
  const ok = environment.github_ref_type === 'tag' && environment.github_ref === expected;
  return {
    ok,
    message: ok ? `built from tag ${expected}` : `not built from tag ${expected}`,
    expected: { github_ref_type: 'tag', github_ref: expected },
    found,
  };
}

/** As slsa-verifier: a branch build names it in github_ref; a tag push names the branch in the event's base_ref. */
function checkBranch(environment: GithubEnvironment, branch: string): ClaimOutcome {
  const expected = `refs/heads/${branch.replace(/^refs\/heads\//, '')}`;
  let found: unknown;
  if (environment.github_ref_type === 'branch') {
    found = environment.github_ref;
  } else if (environment.github_ref_type === 'tag' && environment.github_event_name === 'push') {
    found = environment.github_event_payload?.base_ref;
  } else {
    found = {
      github_ref_type: environment.github_ref_type,
      github_event_name: environment.github_event_name,
    };
  }
  const ok = found === expected;
  return {
    ok,
    message: ok ? `built from branch ${expected}` : `not built from branch ${expected}`,
    expected,
    found,
  };
}

/** The provenance must describe the same run the certificate was issued to. */
function checkCertificateConsistency(
  environment: GithubEnvironment,
  predicate: ProvenanceV02,
  certificate: CertificateIdentity,
): ClaimOutcome {
  const extensions = certificateFacts(certificate);
  const pairs: [string, unknown, unknown][] = [
    [
      'github_sha1 / 1.13 source digest',
      environment.github_sha1,
      extensions.sourceRepositoryDigest,
    ],
    [
      'configSource.digest.sha1 / 1.13 source digest',
      predicate.invocation?.configSource?.digest?.sha1,
      extensions.sourceRepositoryDigest,
    ],
    ['github_ref / 1.14 source ref', environment.github_ref, extensions.sourceRepositoryRef],
    ['github_event_name / 1.20 trigger', environment.github_event_name, extensions.buildTrigger],
  ];
  if (extensions.runInvocationURI !== undefined) {
    pairs.push([
      'github_run_id+attempt / 1.21 run invocation',
      `${environment.github_run_id ?? '(none)'}/attempts/${environment.github_run_attempt ?? '(none)'}`,
      /\/actions\/runs\/(\d+\/attempts\/\d+)$/.exec(extensions.runInvocationURI)?.[1],
    ]);
  }
  if (
    extensions.buildConfigURI !== undefined &&
    predicate.invocation?.configSource?.entryPoint !== undefined
  ) {
    pairs.push([
      'configSource.entryPoint / 1.18 build config',
      predicate.invocation.configSource.entryPoint,
      /^https:\/\/[^/]+\/[^/]+\/[^/]+\/(.+)@[^@]+$/.exec(extensions.buildConfigURI)?.[1],
    ]);
  }
  const mismatches = pairs.filter(
    ([, provenance, cert]) => provenance === undefined || provenance !== cert,
  );
  if (mismatches.length === 0)
    return {
      ok: true,
      message: 'provenance matches the certificate (commit, ref, trigger, run, workflow)',
      expected: 'equal',
      found: 'equal',
    };
  return {
    ok: false,
    message: `provenance disagrees with its certificate: ${mismatches.map(([name]) => name).join(', ')}`,
    expected: Object.fromEntries(mismatches.map(([name, , cert]) => [name, cert])),
    found: Object.fromEntries(mismatches.map(([name, provenance]) => [name, provenance])),
  };
}

/**
 * The source facts of a certificate: Fulcio's v2 extensions, else (certificates before 2023) the legacy
 * GitHub ones, as slsa-verifier falls back to them.
 */
function certificateFacts(certificate: CertificateIdentity): CertificateIdentity['extensions'] {
  const { extensions, legacyExtensions: legacy } = certificate;
  const facts = {
    ...extensions,
    sourceRepositoryURI:
      extensions.sourceRepositoryURI ??
      (legacy.githubWorkflowRepository === undefined
        ? undefined
        : `https://github.com/${legacy.githubWorkflowRepository}`),
    sourceRepositoryDigest: extensions.sourceRepositoryDigest ?? legacy.githubWorkflowSha,
    sourceRepositoryRef: extensions.sourceRepositoryRef ?? legacy.githubWorkflowRef,
    buildTrigger: extensions.buildTrigger ?? legacy.githubWorkflowTrigger,
  };
  return definedOnly(facts);
}

function equal(field: string, expected: string, found: unknown): ClaimOutcome {
  const ok = expected === found;
  return {
    ok,
    message: ok ? `${field} ${expected}` : `${field} is ${describeValue(found)}, not ${expected}`,
    expected,
    found,
  };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
