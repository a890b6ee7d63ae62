import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BUNDLE = new URL('../dist/main.js', import.meta.url).pathname;

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface RunnerEnvironment {
  /** `INPUT_*` values by input name. */
  inputs: Record<string, string>;
  /** The event payload written to GITHUB_EVENT_PATH. */
  event?: unknown;
  /** GITHUB_* and other variables. */
  env?: Record<string, string>;
  workspace?: string;
}

/** Parses GITHUB_OUTPUT as @actions/core writes it: `name<<DELIMITER\nvalue\nDELIMITER`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(ghadelimiter_[^\n]+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

/**
 * Runs the committed bundle as a runner does: a fresh node process, inputs in INPUT_*, the
 * event in GITHUB_EVENT_PATH, outputs and summary in files; HOME points at an empty folder so
 * no global git configuration leaks in.
 */
export async function runAction(run: RunnerEnvironment): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'oci-sd-action-run-'));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  const eventPath = join(dir, 'event.json');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  writeFileSync(eventPath, JSON.stringify(run.event ?? {}));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: run.workspace ?? dir,
    ...run.env,
  };
  for (const [name, value] of Object.entries(run.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BUNDLE],
      { env, cwd: run.workspace ?? dir, timeout: 120_000 },
      (error, stdout, stderr) => {
        // A non-numeric code means the process did not run to an exit (spawn failure, timeout kill): keep why.
        if (error && typeof error.code !== 'number')
          resolve({ code: -1, stdout, stderr: `${stderr}\n[runAction] ${error.message}` });
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
  return {
    ...result,
    outputs: parseOutputFile(readFileSync(output, 'utf8')),
    summary: readFileSync(summary, 'utf8'),
  };
}

/** git with a fixed identity and no global configuration. */
export function gitSync(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `oci-sd-action-${prefix}-`));
}
