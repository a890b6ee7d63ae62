import { execFile } from 'node:child_process';
import { CoreError } from './errors';
import { redact } from './redact';

const GIT_TIMEOUT_MS = 120_000;

export interface GitOptions {
  /** The folder git runs in; the current one when omitted. */
  cwd?: string;
  /** Added to the process environment. */
  env?: NodeJS.ProcessEnv;
  /**
   * An HTTPS token (GitHub: `x-access-token`), sent as a basic-auth `http.extraHeader` through
   * git's environment: never in argv, URLs or messages.
   */
  token?: string | undefined;
  /** More strings to keep out of messages. */
  secrets?: readonly string[];
  /** Written to git's standard input, which is then closed. */
  input?: string;
}

/** Git environment carrying `token` as an `http.extraHeader`, and the strings that reveal it. */
function authEnv(token: string | undefined): { env: NodeJS.ProcessEnv; secrets: string[] } {
  if (!token) return { env: {}, secrets: [] };
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    env: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: basic ${basic}`,
    },
    secrets: [token, basic],
  };
}

/**
 * Runs git non-interactively (no credential prompts) with a 2-minute timeout; resolves with its
 * stdout. Fails with CoreError GIT naming the command, the folder and git's own message, with the
 * token, the given secrets and URL credentials removed from all three.
 */
export function git(args: readonly string[], options: GitOptions = {}): Promise<string> {
  const auth = authEnv(options.token);
  const secrets = [...auth.secrets, ...(options.secrets ?? [])];
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env, ...auth.env },
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const command = redact(`git ${args.join(' ')}`, secrets);
        const detail = redact((stderr || error.message).trim(), secrets);
        const where = options.cwd ? ` in ${redact(options.cwd, secrets)}` : '';
        reject(new CoreError('GIT', `${command} failed${where}: ${detail}`, { found: detail }));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like `git`, but a non-zero exit is an answer (`null`), not an error: for `rev-parse --verify` and `show`. */
export async function gitMaybe(
  args: readonly string[],
  options: GitOptions = {},
): Promise<string | null> {
  try {
    return await git(args, options);
  } catch (error) {
    if (error instanceof CoreError && error.code === 'GIT') return null;
    throw error;
  }
}
