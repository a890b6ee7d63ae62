import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  GITHUB_TUF_URL,
  githubTrustMaterial,
  parseAttestationBundles,
  parseTrustedRoots,
  verifyAttestation,
  type VerificationReport,
  type VerifyAttestationOptions,
  type WorkflowRun,
} from '@oci-sd/verify';
import { definedOnly } from '@oci-sd/core';
import { dockerConfigCredentials, parseImageReference } from '@oci-sd/oci';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CliError } from '../errors';
import { emit, jsonErrors, readInput } from './verify-output';

/** `gh attestation verify`'s flags, spelled as gh spells them. */
export interface AttestationFlags {
  owner?: string;
  repo?: string;
  signerWorkflow?: string;
  signerRepo?: string;
  certIdentity?: string;
  certIdentityRegex?: string;
  certOidcIssuer?: string;
  denySelfHostedRunners?: boolean;
  predicateType?: string;
  digestAlg?: 'sha256' | 'sha512';
  bundle?: string;
  bundleFromOci?: boolean;
  customTrustedRoot?: string;
  publicGood: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ oci-sd verify attestation sigstore-2.1.0.tgz --owner sigstore --digest-alg sha512 \\
      --bundle sigstore-2.1.0.sigstore.json
  $ oci-sd verify attestation oci://ghcr.io/OWNER/REPO:v1.5.0 --repo OWNER/REPO --bundle-from-oci \\
      --signer-workflow OWNER/REPO/.github/workflows/release.yml --deny-self-hosted-runners

Bundles come from --bundle or --bundle-from-oci (GitHub's attestations API is not read).
Trusted roots: the embedded public-good root and, only for a certificate GitHub's instance issued,
GitHub's trusted root from its TUF repository (${GITHUB_TUF_URL}, from the embedded root v1, cached in
$XDG_CACHE_HOME/oci-sd/github-tuf or ~/.cache/oci-sd/github-tuf); or --custom-trusted-root (one
trusted_root.json a line), which is used alone and fetches nothing.
Exit codes: 0 verified, 1 verification failed, 2 bad usage or input, 3 registry or network failure.`;

const IMAGE_PREFIXES = ['oci://', 'oci-layout:'];

/** Flags to library options; reads the files named (artifact, bundles, trusted roots). */
export async function attestationOptions(
  artifact: string,
  flags: AttestationFlags,
): Promise<VerifyAttestationOptions> {
  if (flags.bundle === undefined && !flags.bundleFromOci)
    throw new CliError(
      'USAGE',
      'give --bundle FILE or --bundle-from-oci: GitHub’s attestations API is not read',
      { expected: '--bundle or --bundle-from-oci', found: 'neither' },
    );
  const isImage = IMAGE_PREFIXES.some((prefix) => artifact.startsWith(prefix));
  const isDigest = /^sha(256|512):/.test(artifact);
  const bundles =
    flags.bundle === undefined
      ? undefined
      : parseAttestationBundles(
          (await readInput(flags.bundle, 'bundle')).toString('utf8'),
          flags.bundle,
        );
  const trustedRoots =
    flags.customTrustedRoot === undefined
      ? undefined
      : parseTrustedRoots(
          (await readInput(flags.customTrustedRoot, 'custom trusted root')).toString('utf8'),
          flags.customTrustedRoot,
        );
  // As for verify image: credentials `docker login` stored for the registry, else anonymous.
  const reference =
    artifact.startsWith('oci://') && artifact.length > 6
      ? parseImageReference(artifact.slice(6))
      : undefined;
  const credentials =
    reference?.kind === 'registry' ? await dockerConfigCredentials(reference.registry) : undefined;
  return {
    artifact: isImage || isDigest ? artifact : await readInput(artifact, 'artifact'),
    ...definedOnly({
      owner: flags.owner,
      repo: flags.repo,
      signerWorkflow: flags.signerWorkflow,
      signerRepo: flags.signerRepo,
      certIdentity: flags.certIdentity,
      certIdentityRegex: flags.certIdentityRegex,
      certOidcIssuer: flags.certOidcIssuer,
      denySelfHostedRunners: flags.denySelfHostedRunners,
      predicateType: flags.predicateType,
      digestAlg: flags.digestAlg,
      bundles,
      bundleFromOci: flags.bundleFromOci,
      trustedRoots,
    }),
    noPublicGood: !flags.publicGood,
    ...(trustedRoots === undefined
      ? { githubTrust: () => githubTrustMaterial({ cacheDir: githubTufCache() }) }
      : {}),
    ...(credentials ? { registry: { credentials } } : {}),
  };
}

/** As gh keeps its TUF cache: per user, outside the project. */
function githubTufCache(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'oci-sd', 'github-tuf');
}

/** What gh prints after a verified attestation: the workflow run that signed it. */
export function describeSigner(report: VerificationReport): string {
  const evidence = (report.checks.find((check) => check.check === 'attestation')?.evidence ??
    {}) as WorkflowRun;
  const rows: [string, string | undefined][] = [
    ['signing workflow', evidence.signingWorkflow],
    ['repository', evidence.repository],
    ['ref', evidence.ref],
    ['commit', evidence.commit],
    ['runner', evidence.runnerEnvironment],
    ['build type', evidence.buildType],
  ];
  return rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([name, value]) => `  ${`${name}:`.padEnd(18)}${escapeControl(value)}\n`)
    .join('');
}

/** Control characters from the certificate shown escaped (JSON string escapes). */
function escapeControl(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

export function registerAttestationCommand(verify: Command): void {
  verify
    .command('attestation')
    .description(
      'verify a GitHub artifact attestation (gh attestation verify): signer, owner, repository, predicate',
    )
    .argument(
      '<artifact>',
      'a file, sha256:<hex> or sha512:<hex>, oci://REGISTRY/REPO:TAG, or oci-layout:DIR@sha256:...',
    )
    .addOption(
      new Option('--owner <owner>', 'GitHub owner the source repository belongs to').conflicts(
        'repo',
      ),
    )
    .option('--repo <owner/repo>', 'source repository, OWNER/REPO')
    .addOption(
      new Option(
        '--signer-workflow <[host/]owner/repo/path>',
        'workflow that signed, e.g. OWNER/REPO/.github/workflows/release.yml (any ref)',
      ).conflicts(['signerRepo', 'certIdentity', 'certIdentityRegex']),
    )
    .addOption(
      new Option('--signer-repo <owner/repo>', 'repository whose workflow signed').conflicts([
        'certIdentity',
        'certIdentityRegex',
      ]),
    )
    .addOption(
      new Option('--cert-identity <san>', 'exact certificate SAN').conflicts('certIdentityRegex'),
    )
    .option('--cert-identity-regex <regex>', 'regular expression a SAN matches')
    .option(
      '--cert-oidc-issuer <url>',
      'OIDC issuer (default https://token.actions.githubusercontent.com)',
    )
    .option('--deny-self-hosted-runners', 'require the runner environment github-hosted')
    .option(
      '--predicate-type <uri>',
      'predicate type to require (default https://slsa.dev/provenance/v1)',
    )
    .addOption(
      new Option('--digest-alg <alg>', 'digest of a file artifact (default sha256)').choices([
        'sha256',
        'sha512',
      ]),
    )
    .option('--bundle <file>', 'a Sigstore bundle, or JSON lines of bundles')
    .option('--bundle-from-oci', 'read the bundles from the image’s OCI referrers')
    .option('--custom-trusted-root <file>', 'trusted roots (JSON lines) instead of the defaults')
    .option('--no-public-good', 'refuse the public-good Sigstore instance')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', EXAMPLES)
    .action(
      jsonErrors(async (artifact: string, flags: AttestationFlags) => {
        if ((flags.owner === undefined) === (flags.repo === undefined))
          throw new CliError('USAGE', 'give exactly one of --owner and --repo', {
            expected: '--owner OWNER or --repo OWNER/REPO',
            found: { owner: flags.owner, repo: flags.repo },
          });
        const report = await verifyAttestation(await attestationOptions(artifact, flags));
        emit(report, flags.json);
        if (!flags.json) process.stdout.write(describeSigner(report));
      }),
    );
}
