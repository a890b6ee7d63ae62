import { spawn, type StdioOptions } from 'node:child_process';
import type { Reporter } from '@oci-sd/release';
import { verifyRelease } from '@oci-sd/verify';
import { packageBin } from './bins';
import { SandboxError } from './errors';
import type { Output } from './output';
import { createSandbox, SANDBOX_PROJECT } from './sandbox';

export interface DemoOptions {
  reporter: Reporter;
  /** Where the `oci-sd` processes write (the reporter's stream): process.stdout by default. */
  out?: Output;
  /** Push the image to a registry (`127.0.0.1:PORT`) instead of an OCI image layout. */
  registryHost?: string;
  /** Leave the sandbox folder (not the servers) for inspection. */
  keep?: boolean;
  /** How the waits of the release poll (ms). */
  pollIntervalMs?: number;
  /**
   * `--json`: the release writes JSON events, and the consumer's verification is reported as
   * check events (the verify command's own output is a pretty-printed report, not JSON lines).
   */
  json?: boolean;
  /** The `oci-sd` bin to run (default: @oci-sd/cli's, resolved from this package). */
  cliBin?: string;
  /** Aborting stops the running `oci-sd` process (SIGINT, as Ctrl-C does) and the sandbox. */
  signal?: AbortSignal;
}

export interface DemoResult {
  tag: string;
  digest?: string;
  /** REST requests the release made to the GitHub API test server, and contract violations seen (must be 0). */
  apiRequests: number;
  violations: string[];
  elapsedMs: number;
  /** Exit code of `oci-sd verify release` run as a consumer. */
  verifyExitCode: number;
}

/** Runs the `oci-sd` bin as a user would, its stdout on `out`; resolves with its exit code. */
function runOciSd(
  bin: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; out: Output; signal?: AbortSignal },
): Promise<number> {
  const inherit = options.out === process.stdout;
  const stdio: StdioOptions = ['ignore', inherit ? 'inherit' : 'pipe', 'inherit'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.signal ? { signal: options.signal, killSignal: 'SIGINT' as const } : {}),
      stdio,
    });
    child.stdout?.on('data', (chunk: Buffer) => options.out.write(chunk.toString()));
    child.once('error', (error) => (options.signal?.aborted ? resolve(130) : reject(error)));
    child.once('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

/**
 * The whole release, for real, on loopback. A sample project and its TUF-on-CI repository on the
 * GitHub API test server with real git remotes, the test Sigstore instance, an OCI image layout as
 * the registry; `oci-sd release minor` runs end to end as a process in the maintainer's clone
 * while the simulated workflows (the action's bundle among their steps) build, sign, attest and
 * publish; then a consumer runs `oci-sd verify release`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { reporter } = options;
  const out = options.out ?? process.stdout;
  const cli = options.cliBin ?? packageBin('@oci-sd/cli', 'oci-sd');
  const started = Date.now();
  reporter.emit({
    type: 'info',
    message:
      'Starting the sandbox: GitHub API test server with git remotes, test Sigstore instance, image store, TUF Pages',
  });
  const sandbox = await createSandbox({
    ...(options.registryHost ? { registryHost: options.registryHost } : {}),
    log: (line) => reporter.emit({ type: 'info', message: line }),
  });
  try {
    reporter.emit({
      type: 'text',
      title: 'Sandbox',
      body: [
        `  project      ${sandbox.projectDir}  (remote ${sandbox.project.gitUrl})`,
        `  GitHub API   ${sandbox.forge.api.url}  (every request validated against GitHub's OpenAPI description)`,
        `  TUF repo     ${sandbox.tuf.gitUrl}`,
        `  TUF Pages    ${sandbox.pagesUrl}`,
        `  Sigstore     ${sandbox.sigstore.url}`,
        `  images       ${sandbox.image}`,
      ].join('\n'),
    });
    const before = sandbox.forge.api.requests.length;
    const pollSeconds = String((options.pollIntervalMs ?? 250) / 1000);
    const released = await runOciSd(
      cli,
      [
        'release',
        'minor',
        '--yes',
        ...(options.json ? ['--json'] : []),
        '--poll-interval',
        pollSeconds,
        '--timeout',
        '2',
      ],
      {
        cwd: sandbox.projectDir,
        env: sandbox.env,
        out,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    if (released !== 0)
      throw new SandboxError('RUN_FAILED', `oci-sd release minor exited ${released}`, {
        expected: 0,
        found: released,
      });
    const [tag, digest] = [...sandbox.actions.built].at(-1) ?? [];
    if (!tag)
      throw new SandboxError('RUN_FAILED', 'oci-sd release minor ended without a build', {
        expected: 'a release built by the build workflow',
        found: 'no build',
      });
    const apiRequests = sandbox.forge.api.requests.length - before;
    reporter.emit({
      type: 'text',
      title: `\nA consumer verifies ${SANDBOX_PROJECT}@${tag} (oci-sd verify release):`,
      body: '',
    });
    const release = `${SANDBOX_PROJECT}@${tag}`;
    let verifyExitCode: number;
    if (options.json) {
      const report = await verifyRelease({
        release,
        tuf: { url: sandbox.pagesUrl, root: sandbox.tufRoot },
        trust: sandbox.trustedRoot,
      });
      for (const check of report.checks)
        reporter.emit({
          type: 'check',
          step: 'consumer',
          name: check.check,
          ok: check.status === 'pass',
          detail: check.summary,
        });
      verifyExitCode = report.ok ? 0 : 1;
    } else {
      verifyExitCode = await runOciSd(
        cli,
        [
          'verify',
          'release',
          release,
          '--tuf-url',
          sandbox.pagesUrl,
          '--tuf-root',
          sandbox.tufRoot,
          '--trusted-root',
          sandbox.trustedRoot,
        ],
        { out, ...(options.signal ? { signal: options.signal } : {}) },
      );
    }
    await sandbox.actions.settled();
    const violations = [...sandbox.forge.api.violations];
    const result: DemoResult = {
      tag,
      ...(digest ? { digest } : {}),
      apiRequests,
      violations,
      elapsedMs: Date.now() - started,
      verifyExitCode,
    };
    if (verifyExitCode !== 0)
      throw new SandboxError('CHECK_FAILED', `oci-sd verify release exited ${verifyExitCode}`, {
        expected: 0,
        found: verifyExitCode,
      });
    if (violations.length)
      throw new SandboxError(
        'CHECK_FAILED',
        `the GitHub API test server saw requests or responses outside GitHub's OpenAPI description:\n  ${violations.join('\n  ')}`,
        { expected: [], found: violations },
      );
    reporter.emit({
      type: 'done',
      message: `Demo done in ${(result.elapsedMs / 1000).toFixed(1)}s: released ${tag} (${apiRequests} GitHub API requests, 0 contract violations)${options.keep ? `; sandbox kept in ${sandbox.root}` : ''}`,
    });
    return result;
  } finally {
    await sandbox.stop(options.keep);
  }
}
