import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreError, git, gitMaybe } from '../src/index';

const dirs: string[] = [];
function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oci-sd-core-git-'));
  dirs.push(dir);
  execFileSync('git', ['init', '--quiet', dir]);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('git', () => {
  it('resolves with stdout', async () => {
    const dir = repo();
    expect((await git(['rev-parse', '--is-inside-work-tree'], { cwd: dir })).trim()).toBe('true');
  });

  it('fails with CoreError GIT naming the command and folder, the token and its header removed', async () => {
    const dir = repo();
    const token = 'ghs_' + 'Z9y8'.repeat(9);
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    const error = await git(['push', `https://u:${token}@127.0.0.1:9/${token}.git`, 'HEAD'], {
      cwd: dir,
      token,
    }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CoreError);
    const coreError = error as CoreError;
    expect(coreError.code).toBe('GIT');
    expect(coreError.message).toContain(`git push`);
    expect(coreError.message).toContain(dir);
    for (const text of [coreError.message, String(coreError.found)]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(basic);
    }
  });

  it('writes `input` to standard input and closes it', async () => {
    const dir = repo();
    const blob = (await git(['hash-object', '--stdin'], { cwd: dir, input: 'hello\n' })).trim();
    // git's own id of the blob "hello\n"
    expect(blob).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('gitMaybe answers null for a non-zero exit', async () => {
    const dir = repo();
    expect(
      await gitMaybe(['rev-parse', '--verify', '--quiet', 'refs/heads/none'], { cwd: dir }),
    ).toBe(null);
  });
});
