import {
  VerificationError,
  formatReport,
  regExpSyntaxProblem,
  resolvePredicateType,
  verifyBundle,
  verifyImage,
  verifyRelease,
} from '@oci-sd/verify';
import type { IdentityPolicy, SlsaPolicy, VerificationReport } from '@oci-sd/verify';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CliError } from '../errors';
import { metadataCacheFlags } from './metadata-cache-flags';
import { dockerConfigCredentials, parseImageReference } from '@oci-sd/oci';
import { registerAttestationCommand } from './verify-attestation';
import { emit, jsonErrors, readInput } from './verify-output';

const EXAMPLES = `
Examples:
  $ oci-sd verify image ghcr.io/OWNER/REPO:v1.5.0 \\
      --certificate-identity https://github.com/OWNER/REPO/.github/workflows/build.yml@refs/tags/v1.5.0 \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
      --attestation cyclonedx --slsa --source-uri github.com/OWNER/REPO --source-tag v1.5.0
  $ oci-sd verify release OWNER/REPO@v1.5.0 --tuf-url https://OWNER.github.io/REPO-tuf-on-ci --tuf-root 1.root.json
  $ oci-sd verify attestation oci://ghcr.io/OWNER/REPO:v1.5.0 --owner OWNER --bundle-from-oci
  $ oci-sd verify bundle --bundle artifact.sigstore.json --certificate-identity me@example.com \\
      --certificate-oidc-issuer https://github.com/login/oauth artifact.tar.gz

Exit codes: 0 verified, 1 verification failed, 2 bad usage or input, 3 registry or network failure.
Offline: nothing is fetched but the registry and TUF URLs you name; the public-good trusted root is embedded.
verify release keeps trusted TUF metadata between runs ($XDG_CACHE_HOME/oci-sd/tuf, else ~/.cache/oci-sd/tuf;
one folder per TUF location and pinned root), so an older repository state than one verified before fails
as a rollback; --metadata-dir DIR chooses the folder, --no-cache makes a cold run.
Registry credentials: what docker login left in $DOCKER_CONFIG/config.json (else ~/.docker/config.json):
  credHelpers[registry], then inline auths, then credsStore; helpers run as docker-credential-NAME from PATH.
  Without any, access is anonymous.`;

interface IdentityFlags {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
}

interface ImageFlags extends IdentityFlags {
  attestation: string[];
  slsa?: boolean;
  sourceUri?: string;
  sourceTag?: string;
  sourceBranch?: string;
  builderId?: string;
  signature: boolean;
  trustedRoot?: string;
  json?: boolean;
  printPredicate?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function addIdentityOptions(command: Command): Command {
  return command
    .option(
      '--certificate-identity <identity>',
      'exact certificate SAN (URI or email) the signer must have',
    )
    .option(
      '--certificate-identity-regexp <regexp>',
      'anchored regular expression for the SAN, instead of --certificate-identity',
    )
    .option('--certificate-oidc-issuer <url>', 'exact OIDC issuer in the certificate')
    .option(
      '--certificate-oidc-issuer-regexp <regexp>',
      'anchored regular expression for the issuer, instead of --certificate-oidc-issuer',
    );
}

function identityPolicy(flags: IdentityFlags): IdentityPolicy {
  const policy: IdentityPolicy = {
    ...(flags.certificateIdentity !== undefined ? { identity: flags.certificateIdentity } : {}),
    ...(flags.certificateIdentityRegexp !== undefined
      ? { identityRegExp: flags.certificateIdentityRegexp }
      : {}),
    ...(flags.certificateOidcIssuer !== undefined ? { issuer: flags.certificateOidcIssuer } : {}),
    ...(flags.certificateOidcIssuerRegexp !== undefined
      ? { issuerRegExp: flags.certificateOidcIssuerRegexp }
      : {}),
  };
  if ((policy.identity === undefined) === (policy.identityRegExp === undefined)) {
    throw new CliError(
      'USAGE',
      'give exactly one of --certificate-identity and --certificate-identity-regexp',
      { expected: 'one', found: policy },
    );
  }
  if ((policy.issuer === undefined) === (policy.issuerRegExp === undefined)) {
    throw new CliError(
      'USAGE',
      'give exactly one of --certificate-oidc-issuer and --certificate-oidc-issuer-regexp',
      { expected: 'one', found: policy },
    );
  }
  for (const [flag, pattern] of [
    ['--certificate-identity-regexp', policy.identityRegExp],
    ['--certificate-oidc-issuer-regexp', policy.issuerRegExp],
  ] as const) {
    const problem = pattern === undefined ? undefined : regExpSyntaxProblem(pattern);
    if (problem !== undefined)
      throw new CliError(
        'USAGE',
        `${flag} ${JSON.stringify(pattern)} is not an RE2 regular expression (the syntax cosign accepts): ${problem}`,
        { expected: 'an RE2 regular expression', found: pattern },
      );
  }
  return policy;
}

function slsaPolicy(flags: ImageFlags): SlsaPolicy | undefined {
  const slsaFlags = [flags.sourceUri, flags.sourceTag, flags.sourceBranch, flags.builderId].some(
    (value) => value !== undefined,
  );
  if (!flags.slsa) {
    if (slsaFlags)
      throw new CliError(
        'USAGE',
        '--source-uri, --source-tag, --source-branch and --builder-id need --slsa',
      );
    return undefined;
  }
  if (flags.sourceUri === undefined)
    throw new CliError('USAGE', '--slsa needs --source-uri github.com/OWNER/REPO');
  return {
    sourceUri: flags.sourceUri,
    ...(flags.sourceTag !== undefined ? { sourceTag: flags.sourceTag } : {}),
    ...(flags.sourceBranch !== undefined ? { sourceBranch: flags.sourceBranch } : {}),
    ...(flags.builderId !== undefined ? { builderId: flags.builderId } : {}),
  };
}

function printPredicate(report: VerificationReport, type: string): void {
  const check = report.checks.find(
    (c) => c.check === `attestation:${resolvePredicateType(type)}` && c.status === 'pass',
  );
  const predicate = check?.evidence?.predicate;
  if (predicate === undefined)
    throw new CliError(
      'USAGE',
      `--print-predicate ${type}: no verified attestation of that type (add --attestation ${type})`,
    );
  process.stdout.write(`${JSON.stringify(predicate, null, 2)}\n`);
}

function parseJson(bytes: Buffer, path: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new CliError('USAGE', `${path}: not JSON: ${(cause as Error).message}`, {
      expected: 'a Sigstore bundle (JSON)',
      cause,
    });
  }
}

export function register(program: Command): void {
  const verify = program
    .command('verify')
    .description('verify images, attestations, SLSA provenance, bundles and whole releases')
    .addHelpText('after', EXAMPLES);

  addIdentityOptions(verify.command('image'))
    .description(
      'verify an image signature, attestations and SLSA provenance (cosign verify, verify-attestation, slsa-verifier)',
    )
    .argument(
      '<image>',
      'REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., or oci-layout:DIR[@sha256:...]; a tag is resolved once',
    )
    .option(
      '--attestation <type>',
      'require an attestation: cosign short name (cyclonedx, spdxjson, slsaprovenance, ...) or predicate type URI; repeatable',
      collect,
      [],
    )
    .option('--no-signature', 'skip the image signature (attestations or provenance only)')
    .option(
      '--slsa',
      'verify SLSA provenance with slsa-verifier semantics: v0.2 container generator, v1 GitHub workflow attestations',
    )
    .option('--source-uri <uri>', 'with --slsa: expected source, github.com/OWNER/REPO')
    .addOption(
      new Option('--source-tag <tag>', 'with --slsa: the tag the build ran for').conflicts(
        'sourceBranch',
      ),
    )
    .option('--source-branch <branch>', 'with --slsa: the branch the build ran for')
    .option('--builder-id <id>', 'with --slsa: expected builder id (with or without @ref)')
    .option(
      '--trusted-root <file>',
      'trusted_root.json (default: the embedded Sigstore public-good root)',
    )
    .option(
      '--print-predicate <type>',
      'verify this attestation type and print its predicate (JSON)',
    )
    .option('--json', 'print the report as JSON')
    .action(
      jsonErrors(async (image: string, flags: ImageFlags) => {
        const slsa = slsaPolicy(flags);
        const needsIdentity =
          flags.signature || flags.attestation.length > 0 || flags.printPredicate !== undefined;
        const reference = parseImageReference(image);
        // As cosign: credentials `docker login` stored for the registry, else anonymous.
        const credentials =
          reference.kind === 'registry'
            ? await dockerConfigCredentials(reference.registry)
            : undefined;
        const report = await verifyImage({
          image,
          ...(credentials ? { registry: { credentials } } : {}),
          signature: flags.signature,
          // Printing a predicate means verifying that attestation first.
          attestations:
            flags.printPredicate === undefined
              ? flags.attestation
              : [...flags.attestation, flags.printPredicate],
          ...(needsIdentity ? { policy: identityPolicy(flags) } : {}),
          ...(slsa ? { slsa } : {}),
          ...(flags.trustedRoot !== undefined ? { trust: flags.trustedRoot } : {}),
        });
        emit(report, flags.json);
        if (flags.printPredicate !== undefined && !flags.json)
          printPredicate(report, flags.printPredicate);
      }),
    );

  verify
    .command('release')
    .description(
      'verify a whole release from its TUF-signed manifest: signature, SBOM, release metadata, SLSA provenance, TUF digest',
    )
    .argument('<release>', 'OWNER/REPO@TAG')
    .option('--tuf-url <url>', 'published TUF repository (metadata/ and targets/ beneath it)')
    .option('--tuf-repo <dir>', 'local TUF-on-CI checkout instead of --tuf-url')
    .option(
      '--tuf-root <file>',
      'pinned trusted TUF root (e.g. 1.root.json); default for --tuf-repo: its metadata/root_history/1.root.json',
    )
    .option(
      '--metadata-dir <dir>',
      'keep trusted TUF metadata here between runs (default: the per-user cache, $XDG_CACHE_HOME/oci-sd/tuf/...)',
    )
    .option(
      '--no-cache',
      'a cold TUF run: start from the pinned root alone, keep nothing (no rollback check against earlier runs)',
    )
    .option(
      '--trusted-root <file>',
      'Sigstore trusted_root.json (default: the embedded public-good root)',
    )
    .option('--json', 'print the report as JSON')
    .action(
      jsonErrors(
        async (
          release: string,
          flags: {
            tufUrl?: string;
            tufRepo?: string;
            tufRoot?: string;
            metadataDir?: string;
            cache: boolean;
            trustedRoot?: string;
            json?: boolean;
          },
        ) => {
          const tufCache = metadataCacheFlags(flags);
          if ((flags.tufUrl === undefined) === (flags.tufRepo === undefined))
            throw new CliError('USAGE', 'give exactly one of --tuf-url and --tuf-repo');
          if (flags.tufUrl !== undefined && flags.tufRoot === undefined)
            throw new CliError(
              'USAGE',
              '--tuf-url needs --tuf-root (a pinned root: the site has no unversioned root.json)',
            );
          const report = await verifyRelease({
            release,
            tuf:
              flags.tufUrl !== undefined
                ? { url: flags.tufUrl, root: flags.tufRoot! }
                : {
                    repo: flags.tufRepo!,
                    ...(flags.tufRoot !== undefined ? { root: flags.tufRoot } : {}),
                  },
            credentialsFor: (registry) => dockerConfigCredentials(registry),
            tufCache,
            ...(flags.trustedRoot !== undefined ? { trust: flags.trustedRoot } : {}),
          });
          emit(report, flags.json);
          // The release process's verification step prints the release-metadata predicate; so does this, after the marks.
          const releaseMetadataType = report.checks.find(
            (check) => check.check === 'release-manifest',
          )?.evidence?.releaseMetadataType;
          if (!flags.json && typeof releaseMetadataType === 'string')
            printPredicate(report, releaseMetadataType);
        },
      ),
    );

  registerAttestationCommand(verify);

  addIdentityOptions(verify.command('download'))
    .description(
      'verify an attestation of an image and write its predicate (e.g. the SBOM) to stdout, like cosign download attestation after verify-attestation',
    )
    .argument(
      '<image>',
      'REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., or oci-layout:DIR[@sha256:...]',
    )
    .requiredOption(
      '--predicate-type <type>',
      'cosign short name (cyclonedx, spdxjson, slsaprovenance, ...) or predicate type URI',
    )
    .option(
      '--trusted-root <file>',
      'trusted_root.json (default: the embedded Sigstore public-good root)',
    )
    .action(
      async (
        image: string,
        flags: IdentityFlags & { predicateType: string; trustedRoot?: string },
      ) => {
        const reference = parseImageReference(image);
        const credentials =
          reference.kind === 'registry'
            ? await dockerConfigCredentials(reference.registry)
            : undefined;
        const report = await verifyImage({
          image,
          ...(credentials ? { registry: { credentials } } : {}),
          signature: false,
          attestations: [flags.predicateType],
          policy: identityPolicy(flags),
          ...(flags.trustedRoot !== undefined ? { trust: flags.trustedRoot } : {}),
        });
        // stdout carries only the verified predicate; the marks go to stderr.
        process.stderr.write(formatReport(report, { color: false }));
        if (!report.ok) {
          const failed = report.checks.find((check) => check.status === 'fail');
          throw new VerificationError(
            failed?.code ?? 'SIGNATURE_INVALID',
            `verification failed: ${failed?.check ?? 'attestation'}`,
            { expected: 'a verified attestation', found: failed?.summary },
          );
        }
        printPredicate(report, flags.predicateType);
      },
    );

  addIdentityOptions(verify.command('bundle'))
    .description(
      'verify one Sigstore bundle against a file or digest (the Sigstore conformance client protocol)',
    )
    .argument(
      '<file-or-digest>',
      'the artifact, or sha256:<64 hex>; for a DSSE in-toto bundle, a statement subject',
    )
    .requiredOption('--bundle <file>', 'the Sigstore bundle (v0.1 to v0.3)')
    .option('--key <pem>', 'verify with this public key instead of a certificate identity')
    .option(
      '--trusted-root <file>',
      'trusted_root.json (default: the embedded Sigstore public-good root)',
    )
    .option('--staging', 'the Sigstore staging instance: needs --trusted-root (no root is fetched)')
    .option('--json', 'print the report as JSON')
    .action(
      jsonErrors(
        async (
          input: string,
          flags: IdentityFlags & {
            bundle: string;
            key?: string;
            trustedRoot?: string;
            staging?: boolean;
            json?: boolean;
          },
        ) => {
          if (flags.staging && flags.trustedRoot === undefined)
            throw new CliError(
              'USAGE',
              '--staging needs --trusted-root: the staging root is not embedded and nothing is fetched',
            );
          const identityGiven = [
            flags.certificateIdentity,
            flags.certificateIdentityRegexp,
            flags.certificateOidcIssuer,
            flags.certificateOidcIssuerRegexp,
          ].some((v) => v !== undefined);
          if (flags.key !== undefined && identityGiven)
            throw new CliError(
              'USAGE',
              'give either --key or a certificate identity and issuer, not both',
            );
          const bundle = parseJson(await readInput(flags.bundle, 'bundle'), flags.bundle);
          const artifact = /^sha256:/.test(input) ? input : await readInput(input, 'artifact');
          const report = verifyBundle({
            bundle,
            artifact,
            ...(flags.key !== undefined
              ? { publicKey: (await readInput(flags.key, 'public key')).toString('utf8') }
              : { policy: identityPolicy(flags) }),
            ...(flags.trustedRoot !== undefined ? { trust: flags.trustedRoot } : {}),
          });
          emit(report, flags.json);
        },
      ),
    );
}
