import { formatReport, verifyImage, verifyRelease } from '@oci-sd/verify';
import type {
  CheckResult,
  IdentityPolicy,
  SlsaPolicy,
  TufLocation,
  VerificationReport,
  VerifyReleaseOptions,
} from '@oci-sd/verify';
import { writeFileAtomic } from '@oci-sd/core';
import type { GitHubContext } from '../context';
import { ActionError } from '../errors';
import { booleanInput, listInput, optionalInput, requiredInput } from '../io';
import type { ActionIO } from '../io';
import { code, summaryTable } from '../summary';

const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** The identity the project's own workflow signs with: `<server>/<repo>/<workflow>@refs/tags/<tag>`. */
function defaultIdentity(io: ActionIO, context: GitHubContext): string {
  const tag = context.tag(optionalInput(io, 'tag'));
  return `${context.serverUrl}/${context.repository}/${context.signingWorkflowPath(optionalInput(io, 'workflow-path'))}@refs/tags/${tag}`;
}

function identityPolicy(io: ActionIO, context: GitHubContext): IdentityPolicy {
  const identityRegExp = optionalInput(io, 'certificate-identity-regexp');
  const identity = optionalInput(io, 'certificate-identity');
  if (identity && identityRegExp) {
    throw new ActionError(
      'INVALID_INPUT',
      'inputs "certificate-identity" and "certificate-identity-regexp" exclude each other',
      { expected: 'one of them', found: 'both' },
    );
  }
  return {
    ...(identityRegExp
      ? { identityRegExp }
      : { identity: identity ?? defaultIdentity(io, context) }),
    issuer: optionalInput(io, 'certificate-oidc-issuer') ?? GITHUB_ACTIONS_ISSUER,
  };
}

function slsaPolicy(io: ActionIO): SlsaPolicy | undefined {
  const sourceUri = optionalInput(io, 'slsa-source-uri');
  const sourceTag = optionalInput(io, 'slsa-source-tag');
  const sourceBranch = optionalInput(io, 'slsa-source-branch');
  const builderId = optionalInput(io, 'slsa-builder-id');
  if (!sourceUri) {
    if (sourceTag || sourceBranch || builderId)
      throw new ActionError(
        'INVALID_INPUT',
        'input "slsa-source-uri" is required with the other slsa-* inputs',
        { expected: 'github.com/OWNER/REPO', found: '' },
      );
    return undefined;
  }
  return {
    sourceUri,
    ...(sourceTag ? { sourceTag } : {}),
    ...(sourceBranch ? { sourceBranch } : {}),
    ...(builderId ? { builderId } : {}),
  };
}

/** `registry-username` + `registry-password` (masked), both or neither. */
export function registryCredentials(io: ActionIO) {
  const username = optionalInput(io, 'registry-username');
  const password = optionalInput(io, 'registry-password');
  if (password) io.setSecret(password);
  if (!username && !password) return undefined;
  if (!username || !password)
    throw new ActionError(
      'INVALID_INPUT',
      'inputs "registry-username" and "registry-password" go together',
      { expected: 'both', found: username ? 'username only' : 'password only' },
    );
  return { username, password };
}

function checkRow(check: CheckResult): readonly [string, string] {
  const mark = check.status === 'pass' ? '✅' : check.status === 'fail' ? '❌' : '➖';
  return [check.check, `${mark} ${check.summary.replace(/\|/g, '\\|')}`];
}

/** Where the release's TUF metadata is: a published site with a pinned root, or a checkout. */
function tufLocation(io: ActionIO, context: GitHubContext): TufLocation {
  const url = optionalInput(io, 'tuf-url');
  const checkout = optionalInput(io, 'tuf-checkout');
  const root = optionalInput(io, 'tuf-root');
  if (url && checkout)
    throw new ActionError(
      'INVALID_INPUT',
      'inputs "tuf-url" and "tuf-checkout" exclude each other',
      { expected: 'one of them', found: 'both' },
    );
  if (url) {
    if (!root)
      throw new ActionError(
        'INVALID_INPUT',
        'input "tuf-root" is required with "tuf-url": the pinned root.json to start the TUF update from',
        { expected: 'a root.json path', found: '' },
      );
    return { url, root: context.resolvePath(root) };
  }
  if (checkout)
    return {
      repo: context.resolvePath(checkout),
      ...(root ? { root: context.resolvePath(root) } : {}),
    };
  throw new ActionError(
    'INVALID_INPUT',
    'release verification needs the TUF metadata: input "tuf-url" (with "tuf-root") or "tuf-checkout"',
    { expected: 'tuf-url or tuf-checkout', found: 'neither' },
  );
}

/**
 * Trusted TUF metadata kept between runs (rollback protection): `tuf-metadata-dir` (e.g. restored by
 * actions/cache), else the runner's per-user cache; `tuf-cache: false` for a cold run.
 */
function tufCacheInputs(
  io: ActionIO,
  context: GitHubContext,
): NonNullable<VerifyReleaseOptions['tufCache']> {
  const dir = optionalInput(io, 'tuf-metadata-dir');
  const cache = booleanInput(io, 'tuf-cache', true);
  if (dir && !cache)
    throw new ActionError(
      'INVALID_INPUT',
      'inputs "tuf-metadata-dir" and "tuf-cache: false" exclude each other',
      { expected: 'one of them', found: 'both' },
    );
  if (!cache) return { kind: 'none' };
  return dir ? { kind: 'dir', dir: context.resolvePath(dir) } : { kind: 'user' };
}

/** `release: OWNER/REPO@TAG`: everything the TUF-signed manifest names (signature, SBOM, release metadata, SLSA, digest). */
function verifyReleaseInputs(
  io: ActionIO,
  context: GitHubContext,
  release: string,
): Promise<VerificationReport> {
  const trustedRoot = optionalInput(io, 'trusted-root');
  const credentials = registryCredentials(io);
  return verifyRelease({
    release,
    tuf: tufLocation(io, context),
    tufCache: tufCacheInputs(io, context),
    ...(trustedRoot ? { trust: context.resolvePath(trustedRoot) } : {}),
    ...(credentials ? { credentialsFor: async () => credentials } : {}),
  });
}

/** `image: REF`: cosign verify (+ attestations, + SLSA provenance). */
function verifyImageInputs(io: ActionIO, context: GitHubContext): Promise<VerificationReport> {
  const image = requiredInput(
    io,
    'image',
    'an image reference (REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., oci-layout:DIR) or a release (input "release")',
  );
  const signature = booleanInput(io, 'signature', true);
  const attestations = listInput(io, 'attestations');
  const trustedRoot = optionalInput(io, 'trusted-root');
  const credentials = registryCredentials(io);
  const slsa = slsaPolicy(io);
  return verifyImage({
    image,
    signature,
    attestations,
    ...(signature || attestations.length > 0 ? { policy: identityPolicy(io, context) } : {}),
    ...(slsa ? { slsa } : {}),
    ...(trustedRoot ? { trust: context.resolvePath(trustedRoot) } : {}),
    ...(credentials ? { registry: { credentials } } : {}),
  });
}

/**
 * `command: verify`: an image (cosign verify, verify-attestation, slsa-verifier) or a whole release
 * (from its TUF-signed manifest) in-process; fails the step unless every check passes.
 */
export async function verifyCommand(io: ActionIO, context: GitHubContext): Promise<void> {
  const release = optionalInput(io, 'release');
  const report = release
    ? await verifyReleaseInputs(io, context, release)
    : await verifyImageInputs(io, context);
  const subject = release ?? requiredInput(io, 'image', 'an image reference');

  const reportFile = optionalInput(io, 'report-file');
  if (reportFile)
    await writeFileAtomic(context.resolvePath(reportFile), `${JSON.stringify(report, null, 2)}\n`);
  io.setOutput('ok', String(report.ok));
  io.setOutput('digest', report.image?.digest ?? '');
  io.setOutput('report', JSON.stringify(report));
  io.setOutput('result', JSON.stringify(report));
  io.info(formatReport(report));
  await io.appendSummary(
    summaryTable(`Verification of ${subject}: ${report.ok ? 'passed' : 'FAILED'}`, [
      ...(report.image
        ? [
            [
              'Image',
              code(
                report.image.reference.includes('@')
                  ? report.image.reference
                  : `${report.image.reference}@${report.image.digest}`,
              ),
            ] as const,
          ]
        : []),
      ...report.checks.map(checkRow),
    ]),
  );
  if (!report.ok) {
    const failed = report.checks.filter((check) => check.status === 'fail');
    throw new ActionError(
      'VERIFICATION_FAILED',
      `verification failed: ${failed.map((check) => `${check.check} (${check.summary})`).join('; ')}`,
      {
        expected: 'every check passes',
        found: failed.map((check) => check.check),
      },
    );
  }
}
