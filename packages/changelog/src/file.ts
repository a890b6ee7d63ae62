import { randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Changelog } from './changelog';
import { ChangelogError } from './errors';
import type { PromoteOptions, PromoteResult } from './promote';

function ioError(file: string, action: string, cause: unknown): ChangelogError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ChangelogError('IO', `cannot ${action}: ${reason}`, { file, cause, expected: `a ${action === 'read' ? 'readable' : 'writable'} file`, found: (cause as { code?: string }).code ?? reason });
}

/** Reads and parses a changelog; errors and problems name `path`. */
export async function readChangelog(path: string): Promise<Changelog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw ioError(path, 'read', cause);
  }
  return Changelog.parse(text, { file: path });
}

/**
 * Replaces a file's content all at once: the text goes to a temp file beside it (same mode),
 * is flushed, then renamed over it, so readers see the old file or the new one, never half of one.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  // Through a symlink, replace the file it points to and keep the link.
  const target = await realpath(path).catch(() => path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const mode = await stat(target).then((s) => s.mode & 0o777, () => 0o644);
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (cause) {
    await unlink(temp).catch(() => undefined);
    throw ioError(path, 'write', cause);
  }
}

export interface PromoteFileOptions extends PromoteOptions {
  /** Compute the change (text and diff) without writing the file. */
  dryRun?: boolean;
}

export interface PromoteFileResult extends PromoteResult {
  file: string;
  written: boolean;
}

/** Promotes Unreleased in a changelog file to `target` (a version, or major, minor or patch) and writes it atomically. */
export async function promoteFile(path: string, target: string, options: PromoteFileOptions = {}): Promise<PromoteFileResult> {
  const changelog = await readChangelog(path);
  const { dryRun, ...promoteOptions } = options;
  const result = changelog.promote(target, promoteOptions);
  if (!dryRun) await writeFileAtomic(path, result.text);
  return { ...result, file: path, written: !dryRun };
}
