import { execFile } from 'node:child_process';
import { ActionError } from './errors';

const GIT_TIMEOUT_MS = 120_000;

export interface GitOptions {
  cwd?: string;
  /** An HTTPS token, sent as a basic-auth `http.extraHeader` through git's environment (never in argv or URLs). */
  token?: string;
}

/** Runs git; errors name the command and carry git's message with the token removed. */
export function git(args: readonly string[], options: GitOptions = {}): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  const secrets: string[] = [];
  if (options.token) {
    const basic = Buffer.from(`x-access-token:${options.token}`).toString('base64');
    Object.assign(env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: basic ${basic}`,
    });
    secrets.push(options.token, basic);
  }
  const redact = (text: string) =>
    secrets.reduce((out, secret) => out.replaceAll(secret, '***'), text);
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env,
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const detail = redact((stderr || error.message).trim());
        reject(
          new ActionError(
            'GIT',
            `git ${redact(args.join(' '))} failed${options.cwd ? ` in ${options.cwd}` : ''}: ${detail}`,
            { found: detail },
          ),
        );
      },
    );
  });
}
