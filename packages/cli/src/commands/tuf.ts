import { readFile } from 'node:fs/promises';
import {
  TufError,
  addReleaseTarget,
  addSignerBranchName,
  browserToken,
  checkTarget,
  expiryEvents,
  formatStatusMarkdown,
  formatStatusText,
  githubActionsToken,
  initCheckout,
  inviteSigner,
  keyFileSigner,
  onlineSign,
  signEvent,
  signingBranchName,
  signingEventStatus,
  sigstoreSigner,
  staticToken,
  updateTargets,
  type IdentityTokenProvider,
  type PushOptions,
  type SigstoreTrustedRootJSON,
  type TufSigner,
} from '@oci-sd/tuf';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CliError } from '../errors';
import { registerTufVerify } from './tuf-verify';

const PUSH_TOKEN_ENV = 'OCI_SD_PUSH_TOKEN';
const CLOCK_ENV = 'OCI_SD_NOW';

const EXAMPLES = `
Examples:
  $ oci-sd tuf init --repo tuf-repo --user @me --key me.pem --online-key online.pem \\
      --online-uri gcpkms:projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/1
  $ oci-sd tuf add-release --repo tuf-repo --project myapp --repository OWNER/REPO --tag v1.5.0 \\
      --image ghcr.io/OWNER/REPO --digest sha256:<hex> --run-id 24609867231 --push origin
  $ oci-sd tuf status --repo tuf-repo --format markdown
  $ oci-sd tuf sign sign/release-1-5-0-24609867231 --repo tuf-repo --user @me --sigstore --push origin
  $ oci-sd tuf invite-signer --repo tuf-repo --role targets --user @newmaintainer --threshold 2 --push origin
  $ oci-sd tuf check-target --repo tuf-repo --name myapp/releases/v1.5.0.json --sha256 <hex>

Pushing over HTTPS takes the token from ${PUSH_TOKEN_ENV} (never from a flag, never printed).
The clock (expiry dates, expiry checks) is --at where given, else ${CLOCK_ENV} (ISO time), else now.
Exit codes: 0 ok, 1 verification failed or event incomplete, 2 bad usage or input, 3 network failure.`;

interface RepoFlags {
  repo: string;
  base?: string;
  push?: string;
  json?: boolean;
}

interface SignerFlags {
  key?: string;
  keyPassphraseEnv?: string;
  sigstore?: boolean;
  identityTokenFile?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  identity?: string;
  issuer?: string;
  trustedRoot?: string;
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Layout warnings go to stderr, once per run, so `--json` output stays parseable. */
function warn(warnings: readonly string[] | undefined): void {
  for (const warning of warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
}

function pushOptions(remote: string | undefined): PushOptions | undefined {
  if (!remote) return undefined;
  const token = process.env[PUSH_TOKEN_ENV];
  return token ? { remote, token } : { remote };
}

function parseDate(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new CliError(
      'USAGE',
      `${flag} must be an ISO 8601 time, found ${JSON.stringify(value)}`,
      { expected: 'YYYY-MM-DDTHH:MM:SSZ', found: value },
    );
  return date;
}

/**
 * The clock of a command: `--at`, else OCI_SD_NOW (an ISO time, to run a step at the same clock
 * as another tool, e.g. tuf-on-ci's create-signing-events), else now (undefined).
 */
function clock(at: string | undefined): Date | undefined {
  return parseDate(at, '--at') ?? parseDate(process.env[CLOCK_ENV], CLOCK_ENV);
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value))
    throw new CliError('USAGE', `expected a positive integer, found ${JSON.stringify(value)}`, {
      expected: 'integer',
      found: value,
    });
  return Number(value);
}

async function readJsonFile(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError('USAGE', `cannot read ${what} ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new CliError('USAGE', `${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function trustedRootOption(
  path: string | undefined,
): Promise<{ sigstoreTrustedRoot?: SigstoreTrustedRootJSON }> {
  return path ? { sigstoreTrustedRoot: await readJsonFile(path, 'Sigstore trusted root') } : {};
}

function addSignerOptions(command: Command): Command {
  return command
    .option('--key <file>', 'sign with a PEM private key (ecdsa P-256/P-384 or ed25519)')
    .option('--key-passphrase-env <var>', 'environment variable holding the key passphrase')
    .option('--sigstore', 'sign keylessly with Sigstore (Fulcio certificate, Rekor entry)')
    .option(
      '--identity-token-file <file>',
      'OIDC token for Fulcio (default: SIGSTORE_ID_TOKEN, then the GitHub Actions token)',
    )
    .option('--fulcio-url <url>', 'Fulcio URL (default public good)')
    .option('--rekor-url <url>', 'Rekor URL (default public good)')
    .option('--tsa-url <url>', 'RFC 3161 timestamp authority URL (default none)')
    .option(
      '--identity <identity>',
      'certificate identity to record in the key (default: from the token)',
    )
    .option('--issuer <url>', 'certificate issuer to record in the key (default: from the token)')
    .option(
      '--trusted-root <file>',
      'Sigstore trusted_root.json verifying the signatures (default public good)',
    );
}

async function tokenProvider(flags: SignerFlags): Promise<IdentityTokenProvider> {
  if (flags.identityTokenFile) {
    try {
      return staticToken(await readFile(flags.identityTokenFile, 'utf8'));
    } catch (error) {
      if (error instanceof TufError) throw error;
      throw new CliError(
        'USAGE',
        `cannot read identity token file ${flags.identityTokenFile}: ${(error as Error).message}`,
      );
    }
  }
  if (process.env.SIGSTORE_ID_TOKEN) return staticToken(process.env.SIGSTORE_ID_TOKEN);
  if (process.env.ACTIONS_ID_TOKEN_REQUEST_URL) return githubActionsToken();
  if (!process.stdin.isTTY) {
    throw new CliError(
      'USAGE',
      'no Sigstore identity token: pass --identity-token-file, set SIGSTORE_ID_TOKEN, run in GitHub Actions with id-token: write, or run in a terminal to sign in with a browser',
      {
        expected: 'an identity token source',
        found: 'none',
      },
    );
  }
  return browserToken({
    onUrl: (url) =>
      process.stderr.write(
        `Sign in to Sigstore in your browser; if it does not open, visit:\n${url}\n`,
      ),
  });
}

async function signerFrom(flags: SignerFlags): Promise<TufSigner> {
  if (Boolean(flags.key) === Boolean(flags.sigstore))
    throw new CliError('USAGE', 'give exactly one of --key FILE and --sigstore', {
      expected: 'one signer',
      found: { key: flags.key, sigstore: flags.sigstore },
    });
  if (flags.key) {
    const passphrase = flags.keyPassphraseEnv ? process.env[flags.keyPassphraseEnv] : undefined;
    if (flags.keyPassphraseEnv && passphrase === undefined)
      throw new CliError('USAGE', `${flags.keyPassphraseEnv} is not set`, {
        expected: 'the key passphrase',
        found: 'unset',
      });
    return keyFileSigner(flags.key, passphrase === undefined ? {} : { passphrase });
  }
  const trusted = await trustedRootOption(flags.trustedRoot);
  return sigstoreSigner({
    token: await tokenProvider(flags),
    ...(flags.fulcioUrl ? { fulcioUrl: flags.fulcioUrl } : {}),
    ...(flags.rekorUrl ? { rekorUrl: flags.rekorUrl } : {}),
    ...(flags.tsaUrl ? { tsaUrl: flags.tsaUrl } : {}),
    ...(flags.identity ? { identity: flags.identity } : {}),
    ...(flags.issuer ? { issuer: flags.issuer } : {}),
    ...(trusted.sigstoreTrustedRoot ? { trustedRoot: trusted.sigstoreTrustedRoot } : {}),
  });
}

function repoOptions(command: Command): Command {
  return command
    .requiredOption('--repo <dir>', 'checkout of the TUF-on-CI repository')
    .option('--base <ref>', 'branch signing events fork from (default main)');
}

function registerStatus(tuf: Command): void {
  repoOptions(tuf.command('status'))
    .description(
      'status of the checked-out signing event: per changed role invites, signatures, threshold, artifact changes, validity',
    )
    .option('--event <branch>', 'fail unless this signing event is checked out')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'markdown', 'json'])
        .default('text'),
    )
    .option('--at <time>', 'evaluate expiry at this ISO time (default now)')
    .option(
      '--trusted-root <file>',
      'Sigstore trusted_root.json for sigstore-oidc signatures (default public good)',
    )
    .action(
      async (
        flags: RepoFlags & { event?: string; format: string; at?: string; trustedRoot?: string },
      ) => {
        const now = clock(flags.at);
        const status = await signingEventStatus(flags.repo, {
          ...(flags.event ? { event: flags.event } : {}),
          ...(flags.base ? { base: flags.base } : {}),
          ...(now ? { now } : {}),
          ...(await trustedRootOption(flags.trustedRoot)),
        });
        if (flags.format === 'json') warn(status.warnings);
        write(
          flags.format === 'json'
            ? JSON.stringify(status, null, 2)
            : flags.format === 'markdown'
              ? formatStatusMarkdown(status)
              : formatStatusText(status),
        );
        if (!status.complete) {
          throw new TufError(
            'SIGNATURE_THRESHOLD',
            `signing event ${status.event} is not complete`,
            {
              expected: 'every changed role valid and signed',
              found: status.roles.filter((r) => !r.valid).map((r) => r.role),
            },
          );
        }
      },
    );
}

interface AddReleaseFlags extends RepoFlags {
  releaseMetadata?: string;
  project: string;
  repository: string;
  tag?: string;
  releaseVersion?: string;
  image?: string;
  digest?: string;
  runId?: string;
  createdAt?: string;
  branch?: string;
  workflowPath?: string;
  replace?: boolean;
}

function registerAddRelease(tuf: Command): void {
  repoOptions(tuf.command('add-release'))
    .description(
      'write the release manifest, list it in metadata/targets.json and commit it on the signing branch (idempotent)',
    )
    .requiredOption('--project <name>', 'project name, the first segment of the target name')
    .requiredOption('--repository <owner/repo>', 'GitHub repository of the project')
    .option(
      '--release-metadata <file>',
      'release-metadata.json of the build: tag, version, image, digest and run id from it',
    )
    .option('--tag <tag>', 'release tag, e.g. v1.5.0')
    .option('--release-version <version>', 'version without the v (default: from the tag)')
    .option('--image <image>', 'image repository, e.g. ghcr.io/OWNER/REPO')
    .option('--digest <digest>', 'image digest, sha256:<hex>')
    .option('--run-id <id>', 'build workflow run id')
    .option('--created-at <time>', 'manifest creation time (default now)')
    .option(
      '--workflow-path <path>',
      'workflow that signs the image (default .github/workflows/docker-build-push.yml)',
    )
    .option('--branch <branch>', 'signing branch (default sign/release-<version>-<run id>)')
    .option(
      '--replace',
      're-point a tag already listed with another image digest (refused otherwise, exit 2)',
    )
    .option('--push <remote>', 'push the branch to this remote name or URL when something changed')
    .option('--json', 'print the result as JSON')
    .action(async (flags: AddReleaseFlags) => {
      const fromFile = flags.releaseMetadata
        ? await readJsonFile(flags.releaseMetadata, 'release metadata')
        : {};
      const pick = (flag: string | undefined, field: string, name: string): string => {
        const value = flag ?? fromFile[field];
        if (typeof value !== 'string' || value === '')
          throw new CliError(
            'USAGE',
            `give --${name}${flags.releaseMetadata ? ` (${flags.releaseMetadata} has no ${field})` : ' or --release-metadata'}`,
            { expected: name, found: value ?? 'nothing' },
          );
        return value;
      };
      const version =
        flags.releaseVersion ??
        (typeof fromFile.version === 'string' ? fromFile.version : undefined);
      const now = clock(undefined);
      const createdAt = parseDate(flags.createdAt, '--created-at') ?? now ?? new Date();
      const result = await addReleaseTarget(flags.repo, {
        manifest: {
          project: flags.project,
          repository: flags.repository,
          tag: pick(flags.tag, 'tag', 'tag'),
          ...(version ? { version } : {}),
          image: pick(flags.image, 'image', 'image'),
          digest: pick(flags.digest, 'digest', 'digest'),
          runId: pick(flags.runId, 'run_id', 'run-id'),
          createdAt,
          ...(flags.workflowPath ? { workflowPath: flags.workflowPath } : {}),
        },
        ...(flags.branch ? { branch: flags.branch } : {}),
        ...(flags.base ? { base: flags.base } : {}),
        ...(flags.push ? { push: pushOptions(flags.push)! } : {}),
        ...(flags.replace ? { replace: true } : {}),
        ...(now ? { now } : {}),
      });
      warn(result.warnings);
      if (flags.json) write(JSON.stringify(result, null, 2));
      else if (!result.changed)
        write(
          `${result.targetName} is already listed on ${result.branch} (sha256 ${result.sha256}); nothing to commit`,
        );
      else
        write(
          `${result.targetName} listed in metadata/targets.json v${result.version} (sha256 ${result.sha256}, ${result.length} bytes) on ${result.branch}${result.pushed ? ', pushed' : ''}`,
        );
    });
}

function registerUpdateTargets(tuf: Command): void {
  repoOptions(tuf.command('update-targets'))
    .description(
      'list changed artifacts under targets/ in their roles (sha256, length, version bump), one commit per role',
    )
    .option('--push <remote>', 'push the branch to this remote name or URL')
    .option('--json', 'print the result as JSON')
    .action(async (flags: RepoFlags) => {
      const now = clock(undefined);
      const result = await updateTargets(flags.repo, {
        ...(now ? { now } : {}),
        ...(flags.base ? { base: flags.base } : {}),
        ...(flags.push ? { push: pushOptions(flags.push)! } : {}),
      });
      warn(result.warnings);
      if (flags.json) {
        write(JSON.stringify(result, null, 2));
        return;
      }
      const lines = [
        result.roles.length === 0
          ? 'targets metadata already lists every artifact'
          : `updated ${result.roles.map((r) => `${r.role} v${r.version}`).join(', ')}${result.pushed ? ', pushed' : ''}`,
      ];
      if (result.kept.length > 0)
        lines.push(
          `kept ${result.kept.length} nested name${result.kept.length === 1 ? '' : 's'} in top-level targets that tuf-on-ci's update-targets would drop: ${result.kept.join(', ')}`,
        );
      write(lines.join('\n'));
    });
}

function registerExpiryEvents(tuf: Command): void {
  repoOptions(tuf.command('expiry-events'))
    .description(
      'open sign/<role>-v<N> for every offline role within its signing period of expiry (scheduled job)',
    )
    .option('--at <time>', 'check expiry at this ISO time (default now)')
    .option('--push <remote>', 'push new branches to this remote name or URL')
    .option('--json', 'print the result as JSON')
    .action(async (flags: RepoFlags & { at?: string }) => {
      const now = clock(flags.at);
      const events = await expiryEvents(flags.repo, {
        ...(flags.base ? { base: flags.base } : {}),
        ...(now ? { now } : {}),
        ...(flags.push ? { push: pushOptions(flags.push)! } : {}),
      });
      if (flags.json) write(JSON.stringify(events, null, 2));
      else if (events.length === 0) write('no role is within its signing period of expiry');
      else
        write(
          events
            .map(
              (e) =>
                `${e.branch}: ${e.role} v${e.version} expires ${e.expires}${e.created ? '' : ' (already open)'}`,
            )
            .join('\n'),
        );
    });
}

function registerInvite(tuf: Command): void {
  repoOptions(tuf.command('invite-signer'))
    .description('invite a signer to a role on sign/add-signer-<user> (tuf-on-ci-delegate)')
    .requiredOption('--role <role>', 'role the user will sign (root, targets or a delegated role)')
    .requiredOption('--user <user>', 'GitHub user name, @user')
    .option('--threshold <n>', 'new threshold of the role, counting the new signer', parseCount)
    .option('--push <remote>', 'push the branch to this remote name or URL')
    .option('--json', 'print the result as JSON')
    .action(async (flags: RepoFlags & { role: string; user: string; threshold?: number }) => {
      const now = clock(undefined);
      const result = await inviteSigner(flags.repo, {
        ...(now ? { now } : {}),
        role: flags.role,
        user: flags.user,
        ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
        ...(flags.base ? { base: flags.base } : {}),
        ...(flags.push ? { push: pushOptions(flags.push)! } : {}),
      });
      if (flags.json) write(JSON.stringify(result, null, 2));
      else
        write(
          `${result.user} invited to ${result.role} (threshold ${result.threshold}) on ${result.branch}${result.changed ? '' : ' (already invited, nothing changed)'}${result.pushed ? ', pushed' : ''}`,
        );
    });
}

function registerSign(tuf: Command): void {
  addSignerOptions(repoOptions(tuf.command('sign')))
    .description(
      'tuf-on-ci-sign: accept invites and sign every changed role of a signing event you may sign',
    )
    .argument('<event>', 'signing event branch, sign/...')
    .requiredOption('--user <user>', 'your GitHub user name, @user')
    .option('--push <remote>', 'push the signature to this remote name or URL')
    .option('--json', 'print the result as JSON')
    .action(async (event: string, flags: RepoFlags & SignerFlags & { user: string }) => {
      const now = clock(undefined);
      const result = await signEvent(flags.repo, event, await signerFrom(flags), {
        ...(now ? { now } : {}),
        user: flags.user,
        ...(flags.base ? { base: flags.base } : {}),
        ...(flags.push ? { push: pushOptions(flags.push)! } : {}),
        ...(await trustedRootOption(flags.trustedRoot)),
      });
      if (flags.json) write(JSON.stringify(result, null, 2));
      else if (!result.commit) write(`${result.user} has nothing to sign in ${event}`);
      else {
        const accepted =
          result.accepted.length > 0 ? `accepted invites for ${result.accepted.join(', ')}; ` : '';
        write(
          `${accepted}signed ${result.signed.join(', ') || 'nothing'} as ${result.user} on ${event}${result.pushed ? ', pushed' : ''}`,
        );
      }
    });
}

function registerOnlineSign(tuf: Command): void {
  addSignerOptions(tuf.command('online-sign'))
    .description(
      'refresh snapshot and timestamp with the online key (after a merge, or when they near expiry)',
    )
    .requiredOption('--repo <dir>', 'checkout of the TUF-on-CI repository, on main')
    .option('--force', 'make new snapshot and timestamp even when not needed')
    .option('--push <remote>', 'push the branch to this remote name or URL')
    .option('--json', 'print the result as JSON')
    .action(async (flags: RepoFlags & SignerFlags & { force?: boolean }) => {
      const now = clock(undefined);
      const result = await onlineSign(flags.repo, await signerFrom(flags), {
        ...(now ? { now } : {}),
        ...(flags.force ? { force: true } : {}),
        ...(flags.push ? { push: pushOptions(flags.push)! } : {}),
        ...(await trustedRootOption(flags.trustedRoot)),
      });
      if (flags.json) write(JSON.stringify(result, null, 2));
      else if (!result.commit) write('snapshot and timestamp are up to date');
      else
        write(
          `signed ${[result.snapshot !== undefined ? `snapshot v${result.snapshot}` : '', result.timestamp !== undefined ? `timestamp v${result.timestamp}` : ''].filter(Boolean).join(', ')}${result.pushed ? ', pushed' : ''}`,
        );
    });
}

function registerCheckTarget(tuf: Command): void {
  tuf
    .command('check-target')
    .description('confirm a target is listed in metadata/targets.json with its SHA-256')
    .requiredOption('--repo <dir>', 'checkout of the TUF-on-CI repository')
    .requiredOption('--name <target>', 'target name, <project>/releases/<tag>.json')
    .option('--sha256 <hex>', 'expected SHA-256 (default: hash of targets/<name> in the checkout)')
    .option('--role <role>', 'targets role listing it', 'targets')
    .option('--json', 'print the result as JSON')
    .action(
      async (flags: {
        repo: string;
        name: string;
        sha256?: string;
        role: string;
        json?: boolean;
      }) => {
        const result = await checkTarget(flags.repo, {
          name: flags.name,
          role: flags.role,
          ...(flags.sha256 ? { sha256: flags.sha256 } : {}),
        });
        write(
          flags.json
            ? JSON.stringify(result, null, 2)
            : `${result.name} is listed in ${result.role} v${result.version} with sha256 ${result.sha256} (${result.length} bytes)`,
        );
      },
    );
}

function registerBranchName(tuf: Command): void {
  tuf
    .command('branch-name')
    .description(
      'print the signing branch name: sign/release-<version>-<run id>, or sign/add-signer-<user>',
    )
    .argument('[version]', 'release version (or tag)')
    .argument('[run-id]', 'build workflow run id')
    .option('--add-signer <user>', 'the onboarding branch for this user instead')
    .action(
      (version: string | undefined, runId: string | undefined, flags: { addSigner?: string }) => {
        if (flags.addSigner) write(addSignerBranchName(flags.addSigner));
        else if (version && runId) write(signingBranchName(version, runId));
        else
          throw new CliError('USAGE', 'give VERSION RUN_ID, or --add-signer USER', {
            expected: 'version and run id',
            found: { version, runId },
          });
      },
    );
}

const INIT_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;

interface InitFlags extends SignerFlags {
  repo: string;
  user: string;
  signer: string[];
  rootThreshold?: number;
  targetsThreshold?: number;
  onlineKey: string;
  onlineUri: string;
  at?: string;
  json?: boolean;
  [period: string]: unknown;
}

/** `@user=FILE`: another offline signer of root and targets, signing with a PEM key file. */
async function extraSigner(value: string): Promise<{ user: string; signer: TufSigner }> {
  const match = /^(@?[^=\s]+)=(.+)$/.exec(value);
  if (!match)
    throw new CliError('USAGE', `--signer expects @user=KEYFILE, found ${JSON.stringify(value)}`, {
      expected: '@user=KEYFILE',
      found: value,
    });
  return { user: match[1]!, signer: await keyFileSigner(match[2]!) };
}

function registerInit(tuf: Command): void {
  const command = addSignerOptions(tuf.command('init'))
    .description(
      'bootstrap a TUF-on-CI repository (version 1 of every role, as tuf-on-ci writes it) in a new or empty git checkout, committed on main',
    )
    .requiredOption(
      '--repo <dir>',
      'a new directory or an empty git checkout (e.g. a clone of an empty repository)',
    )
    .requiredOption('--user <user>', 'your GitHub user name, @user: signs root and targets')
    .option(
      '--signer <@user=keyfile>',
      'another signer of root and targets with a PEM key file (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option('--root-threshold <n>', 'signatures root needs (default 1)', parseCount)
    .option('--targets-threshold <n>', 'signatures targets needs (default 1)', parseCount)
    .requiredOption(
      '--online-key <file>',
      'PEM private key of the online signer (snapshot, timestamp)',
    )
    .requiredOption(
      '--online-uri <uri>',
      'x-tuf-on-ci-online-uri of the online key, where online-sign finds it (gcpkms:..., azurekms:..., awskms:...)',
    );
  for (const role of INIT_ROLES) {
    const [expiry, signing] = role === 'timestamp' ? [2, 1] : [365, 60];
    command
      .option(
        `--${role}-expiry <days>`,
        `${role} expiry period in days (default ${expiry})`,
        parseCount,
      )
      .option(
        `--${role}-signing <days>`,
        `${role} signing period in days (default ${signing})`,
        parseCount,
      );
  }
  command
    .option('--at <time>', 'the clock for the expiry dates (default now)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: InitFlags) => {
      if (flags.onlineUri === 'sigstore:' || !/^[a-z][a-z0-9+.-]*:\S/.test(flags.onlineUri))
        throw new CliError(
          'USAGE',
          `--online-uri must name where the online key is (gcpkms:..., azurekms:..., awskms:...), found ${JSON.stringify(flags.onlineUri)}; a sigstore: online key signs only in the online-sign workflow`,
          {
            expected: 'SCHEME:LOCATION of the key given with --online-key',
            found: flags.onlineUri,
          },
        );
      const periods: Partial<
        Record<(typeof INIT_ROLES)[number], { expiry: number; signing: number }>
      > = {};
      for (const role of INIT_ROLES) {
        const expiry = flags[`${role}Expiry`] as number | undefined;
        const signing = flags[`${role}Signing`] as number | undefined;
        if (expiry === undefined && signing === undefined) continue;
        const [defaultExpiry, defaultSigning] = role === 'timestamp' ? [2, 1] : [365, 60];
        periods[role] = { expiry: expiry ?? defaultExpiry, signing: signing ?? defaultSigning };
      }
      const now = clock(flags.at);
      const thresholds = {
        ...(flags.rootThreshold !== undefined ? { root: flags.rootThreshold } : {}),
        ...(flags.targetsThreshold !== undefined ? { targets: flags.targetsThreshold } : {}),
      };
      const signers = [];
      for (const value of flags.signer) signers.push(await extraSigner(value));
      const result = await initCheckout(flags.repo, {
        maintainer: { user: flags.user, signer: await signerFrom(flags) },
        signers,
        thresholds,
        online: { signer: await keyFileSigner(flags.onlineKey), uri: flags.onlineUri },
        periods,
        ...(now ? { now } : {}),
      });
      if (flags.json) write(JSON.stringify(result, null, 2));
      else
        write(
          `initialised a TUF-on-CI repository in ${flags.repo}: version 1 of root, targets, snapshot and timestamp, committed on main (${result.commit.slice(0, 12)}); signers ${Object.keys(result.keyids).join(', ')}, online key ${flags.onlineUri}`,
        );
    });
}

export function register(program: Command): void {
  const tuf = program
    .command('tuf')
    .description('TUF-on-CI: verify metadata, signing events, release targets, signers')
    .addHelpText('after', EXAMPLES);
  registerInit(tuf);
  registerStatus(tuf);
  registerAddRelease(tuf);
  registerUpdateTargets(tuf);
  registerExpiryEvents(tuf);
  registerInvite(tuf);
  registerSign(tuf);
  registerOnlineSign(tuf);
  registerCheckTarget(tuf);
  registerBranchName(tuf);
  registerTufVerify(tuf);
}
