import type { CertificateIdentity } from '../checks/certificate';
import type { ClaimOutcome, InTotoStatement } from '../checks/claims';
import { checkPredicateType, checkSubjectDigest } from '../checks/claims';
import type { IdentityPolicy } from '../policy/identity';
import type { Digest } from '../types';
import {
  CONTAINER_GENERATOR_BUILDER,
  GITHUB_ACTIONS_ISSUER,
  escapeRegExp,
  requestedBuilder,
} from './provenance';
import type { SlsaFinding, SlsaPolicy, SlsaResult } from './provenance';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** GitHub's workflow build type, under both names it has had (spec: "What is produced"). */
export const GITHUB_WORKFLOW_BUILD_TYPES = [
  'https://actions.github.io/buildtypes/workflow/v1',
  'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
] as const;

/** What GitHub's hosted and self-hosted runners write as `runDetails.builder.id`. */
const GITHUB_RUNNER_BUILDERS = [
  'https://github.com/actions/runner/github-hosted',
  'https://github.com/actions/runner/self-hosted',
];

const EXACT_RELEASE_TAG = /^refs\/tags\/v\d+\.\d+\.\d+$/;

/**
 * Who may sign v1 provenance for `sourceUri`: a workflow of that repository itself (actions/attest-build-provenance
 * signs with the calling workflow's identity), or slsa-github-generator's container workflow (any ref; the
 * builder check then requires an exact release tag).
 */
export function provenanceV1Identity(policy: SlsaPolicy): IdentityPolicy {
  const source = policy.sourceUri.replace(/^[a-z]+:\/\//, '');
  return {
    identityRegExp: `(?:${escapeRegExp(CONTAINER_GENERATOR_BUILDER)}@.+|${escapeRegExp(`https://${source}/`)}.+)`,
    issuer: GITHUB_ACTIONS_ISSUER,
  };
}

interface ProvenanceV1 {
  buildDefinition?: {
    buildType?: unknown;
    externalParameters?: { workflow?: { ref?: unknown; repository?: unknown; path?: unknown } };
    internalParameters?: { github?: Record<string, unknown> };
    resolvedDependencies?: { uri?: unknown; digest?: { gitCommit?: unknown } }[];
  };
  runDetails?: { builder?: { id?: unknown }; metadata?: { invocationId?: unknown } };
}

/**
 * slsa-verifier's checks for SLSA v1 provenance of GitHub workflow builds (actions/attest-build-provenance, and
 * slsa-github-generator's v1 predicates), against the verified certificate: predicate type, subject, builder,
 * build type, source (workflow repository and the first resolved dependency), tag or branch from the workflow
 * ref, and the run the certificate names (commit, ref, trigger, run, workflow path, repository ids).
 */
export function checkSlsaProvenanceV1(
  statement: InTotoStatement,
  certificate: CertificateIdentity,
  imageDigest: Digest,
  policy: SlsaPolicy,
): SlsaResult {
  const predicate = (statement.predicate ?? {}) as ProvenanceV1;
  const workflow = predicate.buildDefinition?.externalParameters?.workflow ?? {};
  const dependency = predicate.buildDefinition?.resolvedDependencies?.[0];
  const builderId = predicate.runDetails?.builder?.id;
  const findings: SlsaFinding[] = [
    { name: 'predicate-type', ...checkPredicateType(statement, SLSA_PROVENANCE_V1) },
    { name: 'subject', ...checkSubjectDigest(statement, imageDigest) },
    { name: 'builder', ...checkBuilder(certificate, builderId, policy.builderId) },
    { name: 'build-type', ...checkBuildType(predicate.buildDefinition?.buildType) },
    { name: 'source', ...checkSource(policy.sourceUri, workflow, dependency, certificate) },
  ];
  if (policy.sourceTag !== undefined)
    findings.push({
      name: 'tag',
      ...checkRef(
        workflow.ref,
        `refs/tags/${policy.sourceTag.replace(/^refs\/tags\//, '')}`,
        'tag',
      ),
    });
  if (policy.sourceBranch !== undefined)
    findings.push({
      name: 'branch',
      ...checkRef(
        workflow.ref,
        `refs/heads/${policy.sourceBranch.replace(/^refs\/heads\//, '')}`,
        'branch',
      ),
    });
  findings.push({
    name: 'certificate',
    ...checkCertificateConsistency(predicate, workflow, dependency, certificate),
  });
  const commit = dependency?.digest?.gitCommit;
  return {
    ok: findings.every((finding) => finding.ok),
    findings,
    ...(typeof builderId === 'string' ? { builderId } : {}),
    ...(typeof commit === 'string' ? { commit } : {}),
  };
}

function checkBuilder(
  certificate: CertificateIdentity,
  builderId: unknown,
  requested: string | undefined,
): ClaimOutcome {
  const generator = certificate.subjectAlternativeNames.find((san) =>
    san.startsWith(`${CONTAINER_GENERATOR_BUILDER}@`),
  );
  const signer = certificate.extensions.buildSignerURI;
  let allowed: string[];
  if (generator !== undefined) {
    // The generator signs its own provenance: builder.id is the generator at an exact release tag.
    const ref = generator.slice(CONTAINER_GENERATOR_BUILDER.length + 1);
    if (!EXACT_RELEASE_TAG.test(ref))
      return {
        ok: false,
        message: `builder ref ${ref} is not an exact release tag (vX.Y.Z, no prerelease)`,
        expected: 'refs/tags/vX.Y.Z',
        found: ref,
      };
    allowed = [generator];
  } else {
    // GitHub's own attestations: the runner, or (newer ones) the signing workflow.
    allowed = [...GITHUB_RUNNER_BUILDERS, ...(signer === undefined ? [] : [signer])];
  }
  if (typeof builderId !== 'string' || !allowed.includes(builderId))
    return {
      ok: false,
      message: `runDetails.builder.id is ${String(builderId)}, not one the certificate allows`,
      expected: allowed,
      found: builderId,
    };
  return requestedBuilder(builderId, builderId.replace(/@[^@]*$/, ''), requested, allowed);
}

function checkBuildType(buildType: unknown): ClaimOutcome {
  const ok = (GITHUB_WORKFLOW_BUILD_TYPES as readonly unknown[]).includes(buildType);
  return {
    ok,
    message: ok
      ? `buildType ${String(buildType)}`
      : `buildType ${String(buildType)} is not a GitHub workflow build`,
    expected: GITHUB_WORKFLOW_BUILD_TYPES,
    found: buildType,
  };
}

/**
 * The workflow ran in the expected repository (`externalParameters.workflow.repository`), checked out
 * `git+https://SOURCE@REF` as its first resolved dependency at the workflow's ref, and the certificate's source
 * repository (1.12) is the same.
 */
function checkSource(
  sourceUri: string,
  workflow: { ref?: unknown; repository?: unknown },
  dependency: { uri?: unknown } | undefined,
  certificate: CertificateIdentity,
): ClaimOutcome {
  const bare = sourceUri.replace(/^[a-z]+:\/\//, '');
  const repository = `https://${bare}`;
  const found = {
    'externalParameters.workflow.repository': workflow.repository,
    'resolvedDependencies[0].uri': dependency?.uri,
    'certificate 1.3.6.1.4.1.57264.1.12': certificate.extensions.sourceRepositoryURI,
  };
  const problems: string[] = [];
  if (workflow.repository !== repository)
    problems.push(`workflow repository is ${String(workflow.repository)}, not ${repository}`);
  const expectedDependency = `git+${repository}@${String(workflow.ref)}`;
  if (typeof workflow.ref !== 'string') problems.push('externalParameters.workflow.ref is missing');
  else if (dependency?.uri !== expectedDependency)
    problems.push(
      `resolvedDependencies[0].uri is ${String(dependency?.uri)}, not ${expectedDependency}`,
    );
  if (certificate.extensions.sourceRepositoryURI !== repository)
    problems.push(
      `certificate source repository is ${certificate.extensions.sourceRepositoryURI ?? '(none)'}, not ${repository}`,
    );
  return {
    ok: problems.length === 0,
    message:
      problems.length === 0 ? `source ${bare}` : `source is not ${bare}: ${problems.join('; ')}`,
    expected: {
      workflow: repository,
      dependency: `git+${repository}@<workflow ref>`,
      certificate: repository,
    },
    found,
  };
}

function checkRef(ref: unknown, expected: string, kind: 'tag' | 'branch'): ClaimOutcome {
  const ok = ref === expected;
  return {
    ok,
    message: ok ? `built from ${kind} ${expected}` : `not built from ${kind} ${expected}`,
    expected,
    found: ref,
  };
}

/** The provenance must describe the run the certificate was issued to. */
function checkCertificateConsistency(
  predicate: ProvenanceV1,
  workflow: { ref?: unknown; path?: unknown },
  dependency: { digest?: { gitCommit?: unknown } } | undefined,
  certificate: CertificateIdentity,
): ClaimOutcome {
  const { extensions } = certificate;
  const github = predicate.buildDefinition?.internalParameters?.github ?? {};
  const invocation = predicate.runDetails?.metadata?.invocationId;
  const pairs: [string, unknown, unknown][] = [
    [
      'gitCommit / 1.13 source digest',
      dependency?.digest?.gitCommit,
      extensions.sourceRepositoryDigest,
    ],
    ['workflow.ref / 1.14 source ref', workflow.ref, extensions.sourceRepositoryRef],
    ['event_name / 1.20 trigger', github.event_name, extensions.buildTrigger],
  ];
  if (extensions.runInvocationURI !== undefined)
    pairs.push(['invocationId / 1.21 run invocation', invocation, extensions.runInvocationURI]);
  if (extensions.buildConfigURI !== undefined)
    pairs.push([
      'workflow.path / 1.18 build config',
      workflow.path,
      /^https:\/\/[^/]+\/[^/]+\/[^/]+\/(.+)@[^@]+$/.exec(extensions.buildConfigURI)?.[1],
    ]);
  if (extensions.sourceRepositoryIdentifier !== undefined)
    pairs.push([
      'repository_id / 1.15',
      github.repository_id,
      extensions.sourceRepositoryIdentifier,
    ]);
  if (extensions.sourceRepositoryOwnerIdentifier !== undefined)
    pairs.push([
      'repository_owner_id / 1.17',
      github.repository_owner_id,
      extensions.sourceRepositoryOwnerIdentifier,
    ]);
  const mismatches = pairs.filter(
    ([, provenance, cert]) => provenance === undefined || provenance !== cert,
  );
  if (mismatches.length === 0)
    return {
      ok: true,
      message:
        'provenance matches the certificate (commit, ref, trigger, run, workflow, repository)',
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
