import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Git settings for tests: an identity, and nothing read from the machine's or the user's config. */
const TEST_GIT_SETTINGS = {
  GIT_AUTHOR_NAME: 'Release Tester',
  GIT_AUTHOR_EMAIL: 'tester@example.test',
  GIT_COMMITTER_NAME: 'Release Tester',
  GIT_COMMITTER_EMAIL: 'tester@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

/** The environment for every git child process a test starts itself. */
export const GIT_ENV = { ...process.env, ...TEST_GIT_SETTINGS };

/**
 * Puts the test git settings into `process.env`, for suites whose code under test starts git
 * itself with the inherited environment.
 */
export function useTestGitSettings(): void {
  Object.assign(process.env, TEST_GIT_SETTINGS);
}

/** Runs git in `cwd` and returns its standard output as written. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs git in `cwd` and returns its standard output without the surrounding whitespace. */
export function gitSync(cwd: string, ...args: string[]): string {
  return git(cwd, ...args).trim();
}

/** Commits everything in `work` on `main` and pushes it to a new bare repository at `bare`. */
export function publishToBareRemote(work: string, bare: string, message: string): void {
  git(dirname(bare), 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', message);
  git(work, 'remote', 'add', 'origin', bare);
  git(work, 'push', '--quiet', '-u', 'origin', 'main');
}

/** A bare remote and a clone of it with `files` committed and pushed on `main`. */
export function projectWithRemote(
  root: string,
  files: Record<string, string>,
  remoteUrl?: string,
): { work: string; bare: string } {
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  mkdirSync(work, { recursive: true });
  publishToBareRemote(work, bare, 'Initial commit');
  if (remoteUrl) git(work, 'remote', 'set-url', 'origin', remoteUrl);
  return { work, bare };
}
