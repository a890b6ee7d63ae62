import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreError, writeFileAtomic } from '../src/index';

const dirs: string[] = [];
function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oci-sd-core-fs-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates folders and writes strings, bytes and pieces in order', async () => {
    const dir = fresh();
    const path = join(dir, 'a', 'b', 'file');
    await writeFileAtomic(path, ['x', Buffer.from('ü'), '😀']);
    expect(readFileSync(path, 'utf8')).toBe('xü😀');
    await writeFileAtomic(path, Buffer.from([1, 2]));
    expect([...readFileSync(path)]).toEqual([1, 2]);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['file']);
  });

  it('keeps the mode and a symlink, replacing the file it points to', async () => {
    const dir = fresh();
    const real = join(dir, 'real');
    writeFileSync(real, 'old');
    chmodSync(real, 0o600);
    symlinkSync(real, join(dir, 'link'));
    await writeFileAtomic(join(dir, 'link'), 'new');
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['link', 'real']);
  });

  it('fails with CoreError IO naming the path, keeps the target and leaves no temp file', async () => {
    const dir = fresh();
    const target = join(dir, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    const error = await writeFileAtomic(target, 'new').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ code: 'IO', expected: 'a writable file' });
    expect((error as CoreError).message).toContain(target);
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readdirSync(target)).toEqual(['keep']);
  });
});
