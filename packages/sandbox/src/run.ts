import { createGitHubClient } from '@oci-sd/gh';
import { verifyRelease } from '@oci-sd/verify';
import { loadConfig } from '../config/load';
import { CliError } from '../errors';
import { EXIT } from '../exit';
import { main } from '../program';
import { createServices } from '../release/adapters';
import { GitRepo } from '../release/git';
import { runRelease } from '../release/run';
import type { Reporter } from '../ui/events';
import { createSandbox, SANDBOX_PROJECT } from './sandbox';

export interface DemoOptions {
  reporter: Reporter;
  /** Push the image to a registry (`127.0.0.1:PORT`) instead of an OCI image layout. */
  registryHost?: string;
  /** Leave the sandbox folder (not the servers) for inspection. */
  keep?: boolean;
  /** How the waits of the release poll (ms). */
  pollIntervalMs?: number;
  /**
   * `--json`: the consumer's verification is reported as check events (the command's own
   * output is a pretty-printed report, not JSON lines).
   */
  json?: boolean;
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

/**
 * `oci-sd demo`: the whole release, for real, on loopback. A sample project and its TUF-on-CI
 * repository on the GitHub API test server with real git remotes, the test Sigstore instance,
 * an OCI image layout as the registry; `oci-sd release minor` runs end to end while the simulated
 * workflows (the action's own commands among them) build, sign, attest and publish; then a
 * consumer runs `oci-sd verify release`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { reporter } = options;
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
    const config = await loadConfig(sandbox.projectDir, sandbox.env);
    const client = await createGitHubClient({
      token: sandbox.token,
      apiUrl: config.apiUrl,
      serverUrl: config.serverUrl,
      ghCli: false,
      minWriteIntervalMs: 0,
    });
    const waits = { timeoutMs: 120_000, intervalMs: options.pollIntervalMs ?? 250 };
    const before = sandbox.forge.api.requests.length;
    const state = await runRelease({
      projectDir: sandbox.projectDir,
      config,
      requested: 'minor',
      resume: false,
      dryRun: false,
      services: createServices(config, sandbox.projectDir, client, waits, sandbox.env),
      reporter,
      git: new GitRepo(sandbox.projectDir, sandbox.env),
      hasToken: true,
      waits,
    });
    const tag = state!.tag;
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
      verifyExitCode = report.ok ? EXIT.OK : EXIT.FAILED;
    } else {
      verifyExitCode = await main([
        'node',
        'oci-sd',
        'verify',
        'release',
        release,
        '--tuf-url',
        sandbox.pagesUrl,
        '--tuf-root',
        sandbox.tufRoot,
        '--trusted-root',
        sandbox.trustedRoot,
      ]);
    }
    await sandbox.actions.settled();
    const violations = [...sandbox.forge.api.violations];
    const result: DemoResult = {
      tag,
      ...(state!.facts.digest ? { digest: state!.facts.digest } : {}),
      apiRequests,
      violations,
      elapsedMs: Date.now() - started,
      verifyExitCode,
    };
    if (verifyExitCode !== 0)
      throw new CliError('CHECK_FAILED', `oci-sd verify release exited ${verifyExitCode}`, {
        expected: 0,
        found: verifyExitCode,
      });
    if (violations.length)
      throw new CliError(
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
