import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TufError } from './errors';

/** Where and how to push a signing-event branch. The token reaches git through its environment only. */
export interface PushOptions {
  /** A remote name (`origin`) or URL (`https://github.com/OWNER/REPO.git`, a local bare repository path). */
  remote: string;
  /** An HTTPS token (GitHub: `x-access-token`), sent as a basic-auth header; never put in the URL or in messages. */
  token?: string;
}

const GIT_TIMEOUT_MS = 120_000;

/** Removes the secrets, and credentials embedded in URLs, from text that may reach users. */
function redact(text: string, secrets: readonly string[]): string {
  const withoutSecrets = secrets
    .filter((s) => s.length > 0)
    .reduce((out, secret) => out.replaceAll(secret, '***'), text);
  return redactUrl(withoutSecrets);
}

/** Runs git in `repoDir`; fails with a TufError (code GIT) naming the command and git's own message. */
export async function git(
  repoDir: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; secrets?: readonly string[] } = {},
): Promise<string> {
  const secrets = options.secrets ?? [];
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: repoDir,
        env: { ...process.env, ...options.env },
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const command = redact(`git ${args.join(' ')}`, secrets);
          const detail = redact((stderr || error.message).trim(), secrets);
          reject(
            new TufError('GIT', `${command} failed in ${repoDir}: ${detail}`, { found: detail }),
          );
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** Like `git`, but a non-zero exit is an answer (`null`), not an error: for `rev-parse --verify` and `show`. */
export async function gitMaybe(repoDir: string, args: readonly string[]): Promise<string | null> {
  try {
    return await git(repoDir, args);
  } catch (error) {
    if (error instanceof TufError && error.code === 'GIT') return null;
    throw error;
  }
}

export async function currentBranch(repoDir: string): Promise<string | null> {
  const name = (await gitMaybe(repoDir, ['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim();
  return name ? name : null;
}

export async function branchExists(repoDir: string, branch: string): Promise<boolean> {
  return (
    (await gitMaybe(repoDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])) !== null
  );
}

/** Switches to `branch`, creating it at `startPoint` when it does not exist yet. Refuses a dirty checkout. */
export async function switchToBranch(
  repoDir: string,
  branch: string,
  startPoint: string,
): Promise<void> {
  const dirty = (await git(repoDir, ['status', '--porcelain', '--untracked-files=no'])).trim();
  if (dirty && (await currentBranch(repoDir)) !== branch) {
    throw new TufError(
      'GIT',
      `${repoDir} has uncommitted changes; commit or discard them before switching to ${branch}`,
      { expected: 'clean work tree', found: dirty },
    );
  }
  if (await branchExists(repoDir, branch)) {
    if ((await currentBranch(repoDir)) !== branch)
      await git(repoDir, ['switch', '--quiet', branch]);
  } else {
    await git(repoDir, ['switch', '--quiet', '--create', branch, startPoint]);
  }
}

/** The file at `ref` (a commit, branch or merge base), or `null` when it does not exist there. */
export async function showFile(repoDir: string, ref: string, path: string): Promise<Buffer | null> {
  const text = await gitMaybe(repoDir, ['show', `${ref}:${path}`]);
  return text === null ? null : Buffer.from(text, 'utf8');
}

/** The commit id `ref` names; fails naming the ref when there is none. */
export async function resolveCommit(repoDir: string, ref: string): Promise<string> {
  const id = await gitMaybe(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!id)
    throw new TufError('GIT', `${ref} is not a commit in ${repoDir}`, {
      expected: 'a branch, tag or commit',
      found: ref,
    });
  return id.trim();
}

/** The branch signing events are based on: `main` when it exists (TUF-on-CI's default branch), else HEAD. */
export async function defaultBase(repoDir: string): Promise<string> {
  return (await branchExists(repoDir, 'main')) ? 'main' : 'HEAD';
}

export async function mergeBase(repoDir: string, a: string, b: string): Promise<string> {
  return (await git(repoDir, ['merge-base', a, b])).trim();
}

/** Commits exactly `paths` (additions, edits and deletions); returns the new commit id, or null when nothing changed. */
export async function commitPaths(
  repoDir: string,
  paths: readonly string[],
  message: string,
): Promise<string | null> {
  // git add refuses a path that is neither in the work tree nor in the index (a deletion already staged).
  const tracked = new Set((await git(repoDir, ['ls-files', '--', ...paths])).split('\n'));
  const addable = paths.filter((path) => tracked.has(path) || existsSync(join(repoDir, path)));
  if (addable.length > 0) await git(repoDir, ['add', '--all', '--', ...addable]);
  const staged = await gitMaybe(repoDir, ['diff', '--cached', '--quiet', '--', ...paths]);
  if (staged !== null) return null;
  await git(repoDir, ['commit', '--quiet', '--no-verify', '-m', message, '--', ...paths]);
  return (await git(repoDir, ['rev-parse', 'HEAD'])).trim();
}

/** Git environment carrying the token as an `http.extraHeader`, and the strings to redact. */
function authEnv(push: PushOptions): { env: NodeJS.ProcessEnv; secrets: string[] } {
  if (!push.token) return { env: {}, secrets: [] };
  const basic = Buffer.from(`x-access-token:${push.token}`).toString('base64');
  return {
    env: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: basic ${basic}`,
      GIT_TERMINAL_PROMPT: '0',
    },
    secrets: [push.token, basic],
  };
}

/** Pushes `branch` to the remote; a token goes in as an `http.extraHeader` through git's environment. */
export async function pushBranch(
  repoDir: string,
  branch: string,
  push: PushOptions,
): Promise<void> {
  await git(
    repoDir,
    ['push', '--quiet', push.remote, `refs/heads/${branch}:refs/heads/${branch}`],
    authEnv(push),
  );
}

/**
 * Brings the local `branch` up to date with the remote before signing (as `tuf-on-ci-sign`
 * pulls): creates it from the remote when missing, fast-forwards it when behind, and fails
 * when the two have diverged. A branch the remote does not have is left alone.
 */
export async function syncBranch(
  repoDir: string,
  branch: string,
  push: PushOptions,
): Promise<void> {
  const auth = authEnv(push);
  const listed = (
    await git(repoDir, ['ls-remote', '--heads', push.remote, `refs/heads/${branch}`], auth)
  ).trim();
  if (!listed) return;
  await git(repoDir, ['fetch', '--quiet', '--no-tags', push.remote, `refs/heads/${branch}`], auth);
  const remote = (await git(repoDir, ['rev-parse', 'FETCH_HEAD'])).trim();
  if (!(await branchExists(repoDir, branch))) {
    await git(repoDir, ['branch', '--quiet', branch, remote]);
    return;
  }
  const local = (await git(repoDir, ['rev-parse', `refs/heads/${branch}`])).trim();
  if (
    local === remote ||
    (await gitMaybe(repoDir, ['merge-base', '--is-ancestor', remote, local])) !== null
  )
    return;
  if ((await gitMaybe(repoDir, ['merge-base', '--is-ancestor', local, remote])) === null) {
    throw new TufError(
      'GIT',
      `${branch} has diverged from ${redactUrl(push.remote)}; rebase or reset it before signing`,
      { expected: 'local behind or ahead of the remote', found: 'diverged' },
    );
  }
  if ((await currentBranch(repoDir)) === branch)
    await git(repoDir, ['merge', '--quiet', '--ff-only', remote]);
  else await git(repoDir, ['branch', '--quiet', '--force', branch, remote]);
}

/** Text fit for messages: credentials in URLs (`https://user:token@host`) are dropped. */
function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/g, '//***@');
}
