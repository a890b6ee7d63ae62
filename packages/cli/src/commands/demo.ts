import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError } from '../errors';

/** The sandbox is its own package (it carries the test servers); the CLI runs it when installed. */
const SANDBOX_PACKAGE = '@oci-sd/sandbox';

export interface DemoFlags {
  json?: boolean;
  keep?: boolean;
  registry?: string;
}

/** The sandbox's bin, or undefined when @oci-sd/sandbox is not installed where the CLI resolves. */
export function sandboxBin(
  resolve: (specifier: string) => string = import.meta.resolve,
): string | undefined {
  let manifestUrl: string;
  try {
    manifestUrl = resolve(`${SANDBOX_PACKAGE}/package.json`);
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(readFileSync(fileURLToPath(manifestUrl), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bin =
    typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  return bin === undefined ? undefined : fileURLToPath(new URL(bin, manifestUrl));
}

export function demoArgs(flags: DemoFlags): string[] {
  return [
    ...(flags.json ? ['--json'] : []),
    ...(flags.keep ? ['--keep'] : []),
    ...(flags.registry ? ['--registry', flags.registry] : []),
  ];
}

/**
 * `oci-sd demo`: runs the sandbox's bin with the same arguments in a child process, forwarding
 * SIGINT and SIGTERM to it, then leaves with the child's exit status (or its signal).
 */
export async function runDemoCommand(flags: DemoFlags): Promise<never> {
  const bin = sandboxBin();
  if (!bin)
    throw new CliError(
      'USAGE',
      `the demo is its own package: run \`npx ${SANDBOX_PACKAGE}\` (or install ${SANDBOX_PACKAGE})`,
      { expected: `${SANDBOX_PACKAGE} installed`, found: 'not installed' },
    );
  const child = spawn(process.execPath, [bin, ...demoArgs(flags)], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    },
  );
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
}

export function register(program: Command): void {
  program
    .command('demo')
    .summary('run a whole release end to end in a local sandbox (no account, no network)')
    .description(
      `Runs ${SANDBOX_PACKAGE} (\`npx ${SANDBOX_PACKAGE}\`): a sandbox in a temp folder (a sample project with a changelog and a git remote, a TUF-on-CI repository, the GitHub API test server, a test Sigstore instance, an OCI image layout as the registry), where \`oci-sd release minor\` runs end to end while simulated workflows build, sign, attest and publish, then a consumer verifies the release. Everything stops when it ends. Without ${SANDBOX_PACKAGE} installed, says how to get it and exits 2.`,
    )
    .option('--json', 'one JSON event per line')
    .option('--keep', 'keep the sandbox folder for inspection')
    .option(
      '--registry <host>',
      'push to this registry (e.g. 127.0.0.1:5000) instead of an OCI image layout',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ oci-sd demo            # seconds, no account, no network; leaves nothing running\n',
    )
    .action((flags: DemoFlags) => runDemoCommand(flags));
}
