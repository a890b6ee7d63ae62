import { readFile } from 'node:fs/promises';
import {
  TufError,
  parseReleaseManifest,
  targetFile,
  withCachedUpdater,
  type ReleaseManifest,
  type SigstoreTrustedRootJSON,
  type TargetInfo,
  type TrustedState,
  type TufWarning,
} from '@oci-sd/tuf';
import type { Command } from 'commander';
import { CliError } from '../errors';
import { metadataCacheFlags } from './metadata-cache-flags';

interface VerifyFlags {
  metadataUrl?: string;
  repo?: string;
  root: string;
  target?: string;
  targetBaseUrl?: string;
  metadataDir?: string;
  /** `--no-cache` sets it false. */
  cache: boolean;
  at?: string;
  trustedRoot?: string;
  json?: boolean;
}

interface VerifyReport {
  source: string;
  at: string;
  trusted: TrustedState;
  /** Where trusted metadata is kept between runs; absent for a cold run (`--no-cache`). */
  metadataDir?: string;
  warnings?: TufWarning[];
  target?: TargetInfo;
  manifest?: Pick<
    ReleaseManifest,
    'project' | 'version' | 'tag' | 'image' | 'digest' | 'image_ref_digest'
  >;
}

const EXAMPLES = `
Examples:
  $ oci-sd tuf verify --metadata-url https://OWNER.github.io/REPO-tuf-on-ci/metadata/ --root 1.root.json \\
      --target myapp/releases/v1.5.0.json
  $ oci-sd tuf verify --repo ./REPO-tuf-on-ci --root 1.root.json --at 2026-04-20T12:00:00Z --json

Verifies the whole chain (root rotation, timestamp, snapshot, targets, delegations; sigstore-oidc,
ecdsa, ed25519 and RSA keys) and, with --target, downloads the target and checks its length and hashes.
Trusted metadata is kept between runs (in $XDG_CACHE_HOME/oci-sd/tuf, else ~/.cache/oci-sd/tuf, one
folder per repository and pinned root): a repository state older than one verified before fails as a
rollback. A cached file that cannot be read is reported and the run starts again from --root.
Exit codes: 0 everything verified, 1 verification failed, 2 bad usage or input, 3 network failure.`;

function parseTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new CliError(
      'USAGE',
      `--at must be an ISO 8601 time with a zone, found ${JSON.stringify(value)}`,
      { expected: 'YYYY-MM-DDTHH:MM:SSZ', found: value },
    );
  }
  return new Date(value);
}

async function readTrustedRoot(
  path: string | undefined,
): Promise<SigstoreTrustedRootJSON | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      'USAGE',
      `--trusted-root ${path} cannot be read: ${(error as Error).message}`,
      { expected: 'a trusted_root.json file', found: path, cause: error },
    );
  }
  try {
    return JSON.parse(text) as SigstoreTrustedRootJSON;
  } catch (error) {
    throw new CliError('USAGE', `--trusted-root ${path} is not JSON: ${(error as Error).message}`, {
      expected: 'JSON',
      found: path,
      cause: error,
    });
  }
}

/** A published site keeps artifacts beside metadata: `<site>/metadata/` and `<site>/targets/`. */
function siblingTargetsUrl(metadataUrl: string): string {
  return new URL('../targets/', metadataUrl.endsWith('/') ? metadataUrl : `${metadataUrl}/`).href;
}

async function verify(flags: VerifyFlags): Promise<VerifyReport> {
  if ((flags.metadataUrl === undefined) === (flags.repo === undefined)) {
    throw new CliError('USAGE', 'give exactly one of --metadata-url URL and --repo DIR', {
      expected: 'one source',
      found: { metadataUrl: flags.metadataUrl, repo: flags.repo },
    });
  }
  const cache = metadataCacheFlags(flags);
  const now = parseTime(flags.at);
  const sigstoreTrustedRoot = await readTrustedRoot(flags.trustedRoot);
  let pinnedRoot: Buffer;
  try {
    pinnedRoot = await readFile(flags.root);
  } catch (error) {
    throw new CliError(
      'USAGE',
      `--root ${flags.root} cannot be read: ${(error as Error).message}`,
      {
        expected: 'a root.json file',
        found: flags.root,
        cause: error,
      },
    );
  }
  return withCachedUpdater(
    {
      pinnedRoot,
      cache,
      ...(flags.repo !== undefined
        ? { repositoryDir: flags.repo }
        : {
            metadataBaseUrl: flags.metadataUrl!,
            targetBaseUrl: flags.targetBaseUrl ?? siblingTargetsUrl(flags.metadataUrl!),
          }),
      ...(now && { now }),
      ...(sigstoreTrustedRoot && { sigstoreTrustedRoot }),
      onWarning: (warning) => process.stderr.write(`oci-sd: warning: ${warning.message}\n`),
    },
    async (updater, use) => {
      const trusted = await updater.refresh();
      const report: VerifyReport = {
        source: flags.repo ?? flags.metadataUrl!,
        at: (now ?? new Date()).toISOString(),
        trusted,
        ...(use.metadataDir !== undefined && { metadataDir: use.metadataDir }),
        ...(use.warnings.length > 0 && { warnings: use.warnings }),
      };
      if (flags.target !== undefined) {
        const info = await updater.getTargetInfo(flags.target);
        if (!info)
          throw new TufError(
            'NOT_FOUND',
            `target ${flags.target} is not listed by targets v${trusted.targets.version} or its delegations`,
            { expected: flags.target, found: 'not listed' },
          );
        const bytes = await readFile(await targetFile(updater, info));
        report.target = info;
        if (isReleaseManifest(bytes)) {
          const { project, version, tag, image, digest, image_ref_digest } = parseReleaseManifest(
            bytes,
            `target ${flags.target}`,
          );
          report.manifest = { project, version, tag, image, digest, image_ref_digest };
        }
      }
      return report;
    },
  );
}

/** Release manifests announce themselves with `schema_version`; other targets are reported by hash only. */
function isReleaseManifest(bytes: Uint8Array): boolean {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && 'schema_version' in value;
  } catch {
    return false;
  }
}

function formatText(report: VerifyReport): string {
  const { root, timestamp, snapshot, targets } = report.trusted;
  const role = (name: string, state: { version: number; expires: Date }) =>
    `${name} v${state.version} (expires ${state.expires.toISOString()})`;
  const lines = [
    `TUF repository ${report.source} verified as of ${report.at}`,
    `  ${[role('root', root), role('timestamp', timestamp), role('snapshot', snapshot), role('targets', targets)].join(', ')}`,
  ];
  if (report.target) {
    const hashes = Object.entries(report.target.hashes)
      .map(([algorithm, digest]) => `${algorithm}:${digest}`)
      .join(' ');
    lines.push(`target ${report.target.path}: ${report.target.length} bytes, ${hashes}`);
  }
  if (report.manifest)
    lines.push(
      `release ${report.manifest.tag} of ${report.manifest.project}: ${report.manifest.image_ref_digest}`,
      `digest ${report.manifest.digest}`,
    );
  return `${lines.join('\n')}\n`;
}

/** `oci-sd tuf verify`: the TUF client workflow as a command; `tuf.ts` attaches it to the `tuf` command. */
export function registerTufVerify(tufCommand: Command): void {
  tufCommand
    .command('verify')
    .description(
      'verify a TUF-on-CI repository (published site or git checkout) from a pinned root, and optionally one target',
    )
    .option(
      '--metadata-url <url>',
      'published metadata base URL (consistent snapshots: <N>.root.json, timestamp.json, ...)',
    )
    .option(
      '--repo <dir>',
      'a TUF-on-CI git checkout instead (metadata/, metadata/root_history/, targets/)',
    )
    .requiredOption(
      '--root <file>',
      'the pinned trusted root (e.g. 1.root.json); rotation to the newest root is verified',
    )
    .option(
      '--target <name>',
      'target to look up, download and check (e.g. myapp/releases/v1.5.0.json)',
    )
    .option(
      '--target-base-url <url>',
      'artifact base URL (default: ../targets/ next to --metadata-url)',
    )
    .option(
      '--metadata-dir <dir>',
      'keep trusted metadata here between runs (default: the per-user cache, $XDG_CACHE_HOME/oci-sd/tuf/...)',
    )
    .option(
      '--no-cache',
      'a cold run: start from --root alone, keep nothing (no rollback check against earlier runs)',
    )
    .option('--at <time>', 'check expiry as of this ISO 8601 time instead of now')
    .option(
      '--trusted-root <file>',
      'Sigstore trusted_root.json for sigstore-oidc keys (default: the public-good root)',
    )
    .option('--json', 'print the result as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: VerifyFlags) => {
      const report = await verify(flags);
      process.stdout.write(
        flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report),
      );
    });
}
