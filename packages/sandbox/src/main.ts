import { parseArgs } from 'node:util';
import { SandboxError } from './errors';
import { sandboxReporter } from './output';
import { runDemo } from './run';

const USAGE = `Usage: oci-sd-sandbox [--json] [--keep] [--registry <host>]

A whole signed-container release, end to end, in a local sandbox (no account, no network):
a sample project with a changelog and a git remote, a TUF-on-CI repository, the GitHub API test
server, a test Sigstore instance and an OCI image layout as the registry. \`oci-sd release minor\`
runs while simulated workflows build, sign, attest and publish; then a consumer runs
\`oci-sd verify release\`. Everything stops when it ends.

Options:
  --json             one JSON event per line
  --keep             keep the sandbox folder for inspection
  --registry <host>  push to this registry (e.g. 127.0.0.1:5000) instead of an OCI image layout
  -h, --help         show this help
`;

/** `oci-sd-sandbox` (and `oci-sd demo`): 0 done, 1 the release or its verification failed, 2 bad usage, 130 interrupted. */
export async function main(args: readonly string[]): Promise<number> {
  let flags: { json?: boolean; keep?: boolean; registry?: string; help?: boolean };
  try {
    ({ values: flags } = parseArgs({
      args: [...args],
      options: {
        json: { type: 'boolean' },
        keep: { type: 'boolean' },
        registry: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`oci-sd-sandbox: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const reporter = sandboxReporter(flags.json === true, process.stdout);
  const abort = new AbortController();
  const interrupted = () => abort.abort();
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await runDemo({
      reporter,
      json: flags.json === true,
      signal: abort.signal,
      ...(flags.keep ? { keep: true } : {}),
      ...(flags.registry ? { registryHost: flags.registry } : {}),
    });
    return 0;
  } catch (error) {
    if (abort.signal.aborted) return 130;
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof SandboxError ? error.code : 'ERROR';
    if (flags.json) reporter.emit({ type: 'error', message, code, exitCode: 1 });
    process.stderr.write(`oci-sd-sandbox: ${message} [${code}]\n`);
    return 1;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    reporter.close();
  }
}
