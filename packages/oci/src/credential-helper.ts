import { spawn } from 'node:child_process';
import { OciError } from './errors';
import type { RegistryCredentials } from './http';

export interface CredentialHelperOptions {
  /** Environment the helper is looked up in (its PATH) and runs with; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How long the helper may run before it is killed (default 10 s). */
  helperTimeoutMs?: number;
}

/** docker/cli's rule for helper names; anything else could name a path instead of a program on PATH. */
const HELPER_NAME = /^[A-Za-z0-9._-]+$/;
/** What docker-credential-helpers print (and exit 1 with) when the store has no entry for the server. */
const CREDENTIALS_NOT_FOUND = 'credentials not found in native keychain';
const DEFAULT_TIMEOUT_MS = 10_000;
/** A helper answers with one small JSON object; more is not a credential helper. */
const MAX_OUTPUT_BYTES = 64 * 1024;
/** The user name a helper gives when Secret is an identity token rather than a password. */
const IDENTITY_TOKEN_USER = '<token>';

type HelperOutcome =
  | {
      kind: 'exited';
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
      stderr: string;
    }
  | { kind: 'timeout' }
  | { kind: 'oversized' }
  | { kind: 'spawn-failed'; error: NodeJS.ErrnoException };

/** Runs `command get` without a shell, writes `input` to its stdin, and kills it after `timeoutMs`. */
function runHelper(
  command: string,
  input: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<HelperOutcome> {
  return new Promise((resolve) => {
    // With `env` given, Node looks the command up on env.PATH.
    const child = spawn(command, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: HelperOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.kind !== 'exited') {
        child.kill('SIGKILL');
        // A grandchild could hold the pipes open: stop reading rather than wait for it.
        child.stdout.destroy();
        child.stderr.destroy();
      }
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) finish({ kind: 'oversized' });
      else into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.once('error', (error: NodeJS.ErrnoException) => finish({ kind: 'spawn-failed', error }));
    child.once('close', (code, signal) =>
      finish({
        kind: 'exited',
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    // A helper that exits without reading stdin makes the write fail with EPIPE; its exit status tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** The first stderr line, shortened: helpers explain failures there (stdout may hold the secret and is never quoted). */
function stderrExcerpt(stderr: string): string {
  const line = stderr.trim().split('\n')[0]?.trim() ?? '';
  if (line === '') return '';
  return `: ${line.length > 200 ? `${line.slice(0, 200)}...` : line}`;
}

/**
 * Asks `docker-credential-<helper>` for the credentials of `serverUrl`, as docker and crane do:
 * `get` with the server URL on stdin, `{"ServerURL","Username","Secret"}` on stdout.
 * Undefined when the helper's store has no entry ("credentials not found in native keychain").
 * `where` names the config file and field that chose the helper; every error starts with it and
 * names the helper, never the secret or the helper's stdout.
 */
export async function credentialHelperCredentials(
  helper: string,
  serverUrl: string,
  where: string,
  options: CredentialHelperOptions = {},
): Promise<RegistryCredentials | undefined> {
  if (!HELPER_NAME.test(helper)) {
    throw new OciError(
      'INVALID_INPUT',
      `${where}: expected a credential helper name matching ${HELPER_NAME.source}, found ${JSON.stringify(helper.slice(0, 100))}`,
      { expected: HELPER_NAME.source, found: helper.slice(0, 100) },
    );
  }
  const command = `docker-credential-${helper}`;
  const timeoutMs = options.helperTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fail = (what: string, found: unknown, cause?: unknown) =>
    new OciError('INVALID_INPUT', `${where}: ${command} get for ${serverUrl}: ${what}`, {
      expected: 'credentials JSON from the helper',
      found,
      ...(cause === undefined ? {} : { cause }),
    });

  const outcome = await runHelper(command, serverUrl, options.env ?? process.env, timeoutMs);
  switch (outcome.kind) {
    case 'spawn-failed':
      if (outcome.error.code === 'ENOENT')
        throw fail(
          `${command} not found on PATH (install it, or remove the helper from the config)`,
          'no such program',
          outcome.error,
        );
      throw fail(
        `could not start the helper (${outcome.error.code ?? outcome.error.message})`,
        outcome.error.code ?? 'spawn error',
        outcome.error,
      );
    case 'timeout':
      throw fail(
        `no answer within ${timeoutMs} ms; the helper was killed`,
        `still running after ${timeoutMs} ms`,
      );
    case 'oversized':
      throw fail(
        `printed more than ${MAX_OUTPUT_BYTES} bytes; the helper was killed`,
        `over ${MAX_OUTPUT_BYTES} bytes`,
      );
    case 'exited':
      break;
  }
  if (outcome.code !== 0) {
    if (
      outcome.stdout.includes(CREDENTIALS_NOT_FOUND) ||
      outcome.stderr.includes(CREDENTIALS_NOT_FOUND)
    )
      return undefined;
    const status =
      outcome.code === null ? `was killed by ${outcome.signal}` : `exited with ${outcome.code}`;
    throw fail(
      `${status}${stderrExcerpt(outcome.stderr)}`,
      outcome.code === null ? outcome.signal : `exit ${outcome.code}`,
    );
  }
  let answer: unknown;
  try {
    answer = JSON.parse(outcome.stdout);
  } catch {
    throw fail(
      'expected JSON {"ServerURL","Username","Secret"} on stdout, found unparsable text',
      'unparsable text',
    );
  }
  const { Username: username, Secret: secret } = (answer ?? {}) as {
    Username?: unknown;
    Secret?: unknown;
  };
  if (typeof username !== 'string' || typeof secret !== 'string') {
    throw fail(
      'expected JSON {"ServerURL","Username","Secret"} with string Username and Secret on stdout',
      'other JSON',
    );
  }
  if (secret === '') return undefined;
  // An identity token goes to the registry as a bearer token (see the README's credentials section).
  if (username === IDENTITY_TOKEN_USER) return { token: secret };
  return { username, password: secret };
}
