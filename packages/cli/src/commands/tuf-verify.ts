import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TufError,
  Updater,
  parseReleaseManifest,
  type ReleaseManifest,
  type SigstoreTrustedRootJSON,
  type TargetInfo,
  type TrustedState,
} from '@oci-sd/tuf';
import type { Command } from 'commander';
import { CliError } from '../errors';

interface VerifyFlags {
  metadataUrl?: string;
  repo?: string;
  root: string;
  target?: string;
  targetBaseUrl?: string;
  metadataDir?: string;
  at?: string;
  trustedRoot?: string;
  json?: boolean;
}

interface VerifyReport {
  source: string;
  at: string;
  trusted: TrustedState;
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

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
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
  const now = parseTime(flags.at);
  const sigstoreTrustedRoot = await readTrustedRoot(flags.trustedRoot);
  const workDir = await mkdtemp(join(tmpdir(), 'oci-sd-tuf-verify-'));
  try {
    const metadataDir = flags.metadataDir ?? join(workDir, 'metadata');
    // A metadata dir that already trusts a root keeps it: a newer trusted root must not be replaced by the pin.
    if (!(await exists(join(metadataDir, 'root.json')))) {
      await mkdir(metadataDir, { recursive: true });
      try {
        await copyFile(flags.root, join(metadataDir, 'root.json'));
      } catch (error) {
        throw new CliError(
          'USAGE',
          `--root ${flags.root} cannot be read: ${(error as Error).message}`,
          { expected: 'a root.json file', found: flags.root, cause: error },
        );
      }
    }
    const updater = new Updater({
      metadataDir,
      ...(flags.repo !== undefined
        ? { repositoryDir: flags.repo }
        : {
            metadataBaseUrl: flags.metadataUrl!,
            targetBaseUrl: flags.targetBaseUrl ?? siblingTargetsUrl(flags.metadataUrl!),
          }),
      targetDir: join(workDir, 'targets'),
      ...(now && { now }),
      ...(sigstoreTrustedRoot && { sigstoreTrustedRoot }),
    });
    const trusted = await updater.refresh();
    const report: VerifyReport = {
      source: flags.repo ?? flags.metadataUrl!,
      at: (now ?? new Date()).toISOString(),
      trusted,
    };
    if (flags.target !== undefined) {
      const info = await updater.getTargetInfo(flags.target);
      if (!info)
        throw new TufError(
          'NOT_FOUND',
          `target ${flags.target} is not listed by targets v${trusted.targets.version} or its delegations`,
          { expected: flags.target, found: 'not listed' },
        );
      const bytes = await readFile(await updater.downloadTarget(info));
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
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
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
      'keep trusted metadata here between runs (default: a temporary directory, a cold verify)',
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
