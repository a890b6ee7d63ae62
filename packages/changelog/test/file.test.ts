import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangelogError, promoteFile, readChangelog, writeFileAtomic } from '../src/index';
import { changelogDirs } from '@oci-sd/test-support';

const TEXT =
  '# Changelog\r\n\r\n## [Unreleased]\r\n\r\n### Added\r\n\r\n- a\r\n\r\n## [1.0.0] - 2024-01-01\r\n\r\n- b\r\n\r\n[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD\r\n[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0\r\n';

describe('file API', () => {
  const { root, fresh, remove } = changelogDirs('changelog-file-', TEXT);
  afterAll(remove);

  it('reads a changelog that names its file in errors', async () => {
    const { file } = fresh();
    const cl = await readChangelog(file);
    expect(cl.file).toBe(file);
    expect(cl.toString()).toBe(TEXT);
    await expect(readChangelog(join(root, 'missing.md'))).rejects.toMatchObject({
      code: 'IO',
      file: join(root, 'missing.md'),
      found: 'ENOENT',
    });
  });

  it('promotes in place, keeping CRLF and the file mode, leaving no temp file', async () => {
    const { dir, file } = fresh();
    chmodSync(file, 0o640);
    const result = await promoteFile(file, 'minor', { date: '2024-03-01' });
    expect(result).toMatchObject({
      file,
      version: '1.1.0',
      written: true,
      previousVersion: '1.0.0',
    });
    const written = readFileSync(file, 'utf8');
    expect(written).toBe(result.text);
    expect(written).toContain('## [Unreleased]\r\n\r\n## [1.1.0] - 2024-03-01\r\n\r\n### Added');
    expect(written).toContain('[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0\r\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['CHANGELOG.md']);
  });

  it('writes through a symlink, keeping the link', async () => {
    const { dir, file } = fresh();
    const link = join(dir, 'LINKED.md');
    symlinkSync('CHANGELOG.md', link);
    await promoteFile(link, '1.0.1', { date: '2024-03-01' });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('## [1.0.1] - 2024-03-01');
    expect(readdirSync(dir).sort()).toEqual(['CHANGELOG.md', 'LINKED.md']);
  });

  it('writes nothing on a dry run, and returns the diff', async () => {
    const { file } = fresh();
    const result = await promoteFile(file, '1.0.1', { date: '2024-03-01', dryRun: true });
    expect(result.written).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(TEXT);
    expect(result.diff).toContain('+## [1.0.1] - 2024-03-01\r\n');
    // The new text is still there for whoever asks, and is what a real run writes.
    const written = await promoteFile(fresh().file, '1.0.1', { date: '2024-03-01' });
    expect(result.text).toBe(readFileSync(written.file, 'utf8'));
    expect(written.text).toBe(result.text);
  });

  it('writes pieces in order as one file, multi-byte characters included', async () => {
    const { dir } = fresh();
    const file = join(dir, 'PIECES.md');
    await writeFileAtomic(file, ['# Ä\n', '', 'ü – 😀\n', 'end']);
    expect(readFileSync(file, 'utf8')).toBe('# Ä\nü – 😀\nend');
    expect(readdirSync(dir).sort()).toEqual(['CHANGELOG.md', 'PIECES.md']);
  });

  it('leaves the file untouched when promote refuses', async () => {
    const { dir, file } = fresh();
    const error = await promoteFile(file, '1.0.0', { date: '2024-03-01' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangelogError);
    expect((error as ChangelogError).message).toBe(
      `${file}:9:5: version 1.0.0 is already released here`,
    );
    expect(readFileSync(file, 'utf8')).toBe(TEXT);
    expect(readdirSync(dir)).toEqual(['CHANGELOG.md']);
  });

  // Root writes into read-only directories, so this needs an ordinary user; the next test covers root.
  it.skipIf(process.getuid?.() === 0)(
    'reports a write it cannot do and cleans up (read-only directory)',
    async () => {
      const { dir, file } = fresh();
      chmodSync(dir, 0o555);
      try {
        await expect(writeFileAtomic(file, 'new')).rejects.toMatchObject({
          code: 'IO',
          file: file,
          found: 'EACCES',
        });
        expect(readFileSync(file, 'utf8')).toBe(TEXT);
      } finally {
        chmodSync(dir, 0o755);
      }
      expect(readdirSync(dir)).toEqual(['CHANGELOG.md']);
    },
  );

  it('reports a rename it cannot do, keeps the target and removes its temp file', async () => {
    const { dir } = fresh();
    const target = join(dir, 'CHANGELOG.md');
    rmSync(target);
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    await expect(writeFileAtomic(target, 'new')).rejects.toMatchObject({
      code: 'IO',
      file: target,
    });
    expect(readdirSync(dir)).toEqual(['CHANGELOG.md']);
    expect(readdirSync(target)).toEqual(['keep']);
  });
});
