import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Identity for every git child process of the tests: nothing depends on the machine's git config. */
export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Release Tester',
  GIT_AUTHOR_EMAIL: 'tester@example.test',
  GIT_COMMITTER_NAME: 'Release Tester',
  GIT_COMMITTER_EMAIL: 'tester@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A bare remote and a clone of it with `files` committed and pushed on `main`. */
export function projectWithRemote(
  root: string,
  files: Record<string, string>,
  remoteUrl?: string,
): { work: string; bare: string } {
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'Initial commit');
  git(work, 'remote', 'add', 'origin', bare);
  git(work, 'push', '--quiet', '-u', 'origin', 'main');
  if (remoteUrl) git(work, 'remote', 'set-url', 'origin', remoteUrl);
  return { work, bare };
}
