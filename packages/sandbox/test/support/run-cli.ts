import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Sandbox } from '../../src/sandbox';

export interface JsonEvent {
  type: string;
  step?: string;
  state?: string;
  message?: string;
  ok?: boolean;
  name?: string;
  code?: string;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: JsonEvent[];
  stderr: string;
}

/** Runs `oci-sd release ... --json` as a child process; SIGKILLs it at the first event `killWhen` matches. */
export function runCli(
  bin: string,
  sandbox: Sandbox,
  args: string[],
  killWhen?: (e: JsonEvent) => boolean,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [bin, 'release', ...args, '--yes', '--json', '--poll-interval', '0.1', '--timeout', '2'],
      { cwd: sandbox.projectDir, env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const events: JsonEvent[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as JsonEvent;
      events.push(event);
      if (killWhen?.(event) && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, events, stderr }));
  });
}
