import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreError, git } from '@oci-sd/core';
import { ReleaseError } from './errors';

/** The project's git work tree, driven through the git CLI (the user's credentials and hooks apply). */
export class GitRepo {
  constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async git(...args: string[]): Promise<string> {
    return this.exec(args);
  }

  /** Runs git with `input` on stdin. */
  async gitWithInput(input: string, ...args: string[]): Promise<string> {
    return this.exec(args, { input });
  }

  private async exec(
    args: string[],
    options: { input?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<string> {
    try {
      return await git(args, {
        cwd: this.dir,
        env: { ...this.env, ...options.env },
        ...(options.input === undefined ? {} : { input: options.input }),
      });
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      throw new ReleaseError('GIT', error.message, {
        expected: 'exit 0',
        found: error.found,
        cause: error,
      });
    }
  }

  /** A tree equal to `base`'s with one file replaced, built in a throwaway index (the user's index and work tree stay as they are). */
  async treeWithFile(base: string, path: string, mode: string, blob: string): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'oci-sd-index-'));
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    try {
      await this.exec(['read-tree', base], { env });
      await this.exec(['update-index', '--add', '--cacheinfo', `${mode},${blob},${path}`], { env });
      return (await this.exec(['write-tree'], { env })).trim();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Paths with uncommitted changes (tracked or untracked), ignoring oci-sd's own state folder. */
  async dirtyPaths(): Promise<string[]> {
    const out = await this.git('status', '--porcelain', '--untracked-files=all');
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3))
      .filter((path) => !path.startsWith('.oci-sd/'));
  }

  async currentBranch(): Promise<string> {
    return (await this.git('rev-parse', '--abbrev-ref', 'HEAD')).trim();
  }

  async head(ref = 'HEAD'): Promise<string> {
    return (await this.git('rev-parse', '--verify', `${ref}^{commit}`)).trim();
  }

  async fetch(remote: string): Promise<void> {
    await this.git('fetch', '--quiet', '--prune', '--tags', remote);
  }

  /** The commit a branch points to on the remote, or undefined when the branch is not there. */
  async remoteBranch(remote: string, branch: string): Promise<string | undefined> {
    const out = await this.git('ls-remote', '--heads', remote, `refs/heads/${branch}`);
    return out.split(/\s+/)[0] || undefined;
  }

  async remoteTag(remote: string, tag: string): Promise<string | undefined> {
    const out = await this.git('ls-remote', '--tags', remote, `refs/tags/${tag}`);
    return out.split(/\s+/)[0] || undefined;
  }

  /** A file's content at a commit. */
  async show(commit: string, path: string): Promise<string> {
    return this.git('show', `${commit}:${path}`);
  }
}
