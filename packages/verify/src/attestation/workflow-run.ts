import type { CertificateIdentity } from '../checks/certificate';
import { definedOnly } from '@oci-sd/core';
import type { InTotoStatement } from '../checks/claims';

/** What a verified attestation says about the run that signed it, for the report and the CLI's output. */
export interface WorkflowRun {
  /** The workflow that signed (Build Signer URI, else the SAN). */
  signingWorkflow?: string;
  /** Source Repository URI. */
  repository?: string;
  ref?: string;
  commit?: string;
  runnerEnvironment?: string;
  trigger?: string;
  runInvocation?: string;
  buildType?: string;
  builderId?: string;
}

/**
 * The certificate's Fulcio extensions (verified, unlike the predicate); the legacy 1.2 to 1.6
 * extensions for certificates issued before 2023. Build type and builder come from the predicate.
 */
export function describeWorkflowRun(
  certificate: CertificateIdentity,
  statement: InTotoStatement,
): WorkflowRun {
  const { extensions, legacyExtensions } = certificate;
  const legacyRepository = legacyExtensions.githubWorkflowRepository;
  const predicate = (statement.predicate ?? {}) as {
    buildDefinition?: { buildType?: unknown };
    runDetails?: { builder?: { id?: unknown } };
  };
  const fields: { [K in keyof WorkflowRun]-?: WorkflowRun[K] | undefined } = {
    signingWorkflow: extensions.buildSignerURI ?? certificate.subjectAlternativeNames[0],
    repository:
      extensions.sourceRepositoryURI ??
      (legacyRepository === undefined ? undefined : `https://github.com/${legacyRepository}`),
    ref: extensions.sourceRepositoryRef ?? legacyExtensions.githubWorkflowRef,
    commit: extensions.sourceRepositoryDigest ?? legacyExtensions.githubWorkflowSha,
    runnerEnvironment: extensions.runnerEnvironment,
    trigger: extensions.buildTrigger ?? legacyExtensions.githubWorkflowTrigger,
    runInvocation: extensions.runInvocationURI,
    buildType: stringOrUndefined(predicate.buildDefinition?.buildType),
    builderId: stringOrUndefined(predicate.runDetails?.builder?.id),
  };
  return definedOnly(fields);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
