import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CoreError, git as runGit, redact } from '@oci-sd/core';
import { TufError } from './errors';

/** Where and how to push a signing-event branch. The token reaches git through its environment only. */
export interface PushOptions {
  /** A remote name (`origin`) or URL (`https://github.com/OWNER/REPO.git`, a local bare repository path). */
  remote: string;
  /** An HTTPS token (GitHub: `x-access-token`), sent as a basic-auth header; never put in the URL or in messages. */
  token?: string | undefined;
}

/** Runs git in `repoDir` (core's runner: tokens kept out of messages); fails with a TufError (code GIT) naming the command and git's own message. */
export async function git(
  repoDir: string,
  args: readonly string[],
  options: { token?: string | undefined } = {},
): Promise<string> {
  try {
    return await runGit(args, { cwd: repoDir, ...options });
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    throw new TufError('GIT', error.message, { found: error.found, cause: error });
  }
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

/**
 * The branch signing events are based on: `main` when it exists (TUF-on-CI's default branch),
 * else `origin/main` (what tuf-on-ci's status compares with, and all a CI checkout of an event
 * branch has), else HEAD.
 */
export async function defaultBase(repoDir: string): Promise<string> {
  if (await branchExists(repoDir, 'main')) return 'main';
  const remoteMain = await gitMaybe(repoDir, [
    'rev-parse',
    '--verify',
    '--quiet',
    'refs/remotes/origin/main',
  ]);
  return remoteMain ? 'origin/main' : 'HEAD';
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

/** Pushes `branch` to the remote; a token goes in as an `http.extraHeader` through git's environment. */
export async function pushBranch(
  repoDir: string,
  branch: string,
  push: PushOptions,
): Promise<void> {
  await git(
    repoDir,
    ['push', '--quiet', push.remote, `refs/heads/${branch}:refs/heads/${branch}`],
    { token: push.token },
  );
}

/** Whether the remote has `branch` (asked with `ls-remote`, the token through git's environment). */
export async function remoteHasBranch(
  repoDir: string,
  branch: string,
  push: PushOptions,
): Promise<boolean> {
  const listed = await git(repoDir, ['ls-remote', '--heads', push.remote, `refs/heads/${branch}`], {
    token: push.token,
  });
  return listed.trim() !== '';
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
  const auth = { token: push.token };
  if (!(await remoteHasBranch(repoDir, branch, push))) return;
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
      `${branch} has diverged from ${redact(push.remote)}; rebase or reset it before signing`,
      { expected: 'local behind or ahead of the remote', found: 'diverged' },
    );
  }
  if ((await currentBranch(repoDir)) === branch)
    await git(repoDir, ['merge', '--quiet', '--ff-only', remote]);
  else await git(repoDir, ['branch', '--quiet', '--force', branch, remote]);
}
