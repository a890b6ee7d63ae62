import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { createGitHubClient, GitHubError, type GitHubClient } from '@oci-sd/gh';
import { createServices, GitRepo, loadConfig, runRelease } from '@oci-sd/release';
import { CliError } from '../errors';
import { exitCodeFor } from '../exit';
import { createReporter, outputMode, type Output } from '../ui/reporter';

/** `oci-sd release` flags as commander parses them (commands/release.ts declares them). */
export interface ReleaseFlags {
  resume?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  dir: string;
  timeout: string;
  pollInterval: string;
  date?: string;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError('USAGE', `${flag}: expected a positive number, found "${value}"`, {
      expected: 'a positive number',
      found: value,
    });
  return n;
}

async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** A client without a token still lets preflight report the missing token with everything else. */
async function githubClient(
  apiUrl: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv,
): Promise<{ client: GitHubClient; hasToken: boolean }> {
  try {
    const client = await createGitHubClient({ apiUrl, serverUrl, env });
    return { client, hasToken: true };
  } catch (error) {
    if (!(error instanceof GitHubError) || error.code !== 'NO_TOKEN') throw error;
    return {
      client: await createGitHubClient({ apiUrl, serverUrl, env, anonymous: true, ghCli: false }),
      hasToken: false,
    };
  }
}

/** `oci-sd release`: maps flags onto the release state machine and renders its events. */
export async function runReleaseCommand(
  requested: string | undefined,
  flags: ReleaseFlags,
  out: Output = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const projectDir = resolve(flags.dir);
  const waits = {
    timeoutMs: positive(flags.timeout, '--timeout') * 60_000,
    intervalMs: positive(flags.pollInterval, '--poll-interval') * 1000,
  };
  const reporter = createReporter(outputMode(flags.json === true, out, env), out, env);
  // Ctrl-C: every step is safe to stop anywhere; say how to continue
  const interrupted = () => {
    reporter.emit({
      type: 'error',
      message: 'interrupted; `oci-sd release --resume` continues where this stopped',
      code: 'ABORTED',
      exitCode: 130,
    });
    reporter.close();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    const config = await loadConfig(projectDir, env);
    const { client, hasToken } = await githubClient(config.apiUrl, config.serverUrl, env);
    const interactive = !flags.yes && !flags.dryRun;
    if (interactive && !process.stdin.isTTY) {
      throw new CliError(
        'USAGE',
        'stdin is not a terminal: pass --yes to release without a confirmation prompt',
        { expected: '--yes', found: 'no terminal' },
      );
    }
    await runRelease({
      projectDir,
      config,
      requested,
      resume: flags.resume === true,
      dryRun: flags.dryRun === true,
      services: createServices(config, projectDir, client, waits, env),
      reporter,
      git: new GitRepo(projectDir, env),
      hasToken,
      waits,
      ...(flags.date ? { today: flags.date } : {}),
      ...(interactive ? { confirm: askYesNo } : {}),
    });
    if (!flags.dryRun)
      reporter.emit({
        type: 'info',
        message: `GitHub API: ${client.requestCount} requests (retries included)`,
      });
  } catch (error) {
    // --json consumers get the failure as an event too; people get it on stderr from main()
    if (flags.json)
      reporter.emit({
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
        code: (error as { code?: string }).code ?? 'ERROR',
        exitCode: exitCodeFor(error),
      });
    throw error;
  } finally {
    process.off('SIGINT', interrupted);
    reporter.close();
  }
}
