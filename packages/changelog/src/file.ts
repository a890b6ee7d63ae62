import { open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Changelog } from './changelog';
import { editedParts } from './edit';
import { ChangelogError } from './errors';
import type { PromoteOptions, PromoteResult } from './promote';

function ioError(file: string, action: string, cause: unknown): ChangelogError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ChangelogError('IO', `cannot ${action}: ${reason}`, {
    file,
    cause,
    expected: `a ${action === 'read' ? 'readable' : 'writable'} file`,
    found: (cause as { code?: string }).code ?? reason,
  });
}

/** Reads and parses a changelog; errors and problems name `path`. */
export async function readChangelog(path: string): Promise<Changelog> {
  let text: string;
  try {
    // One decode of the whole file: reading with an encoding decodes chunk by chunk.
    text = (await readFile(path)).toString('utf8');
  } catch (cause) {
    throw ioError(path, 'read', cause);
  }
  return Changelog.parse(text, { file: path });
}

let tempCounter = 0;

/** A temp file name beside `target`, unique to this process and call (node:crypto costs a cold CLI ~4 ms to load). */
function tempName(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.${tempCounter++}.tmp`,
  );
}

/**
 * Replaces a file's content all at once: the text (or its pieces, in order) goes to a temp file beside it (same mode),
 * is flushed, then renamed over it, so readers see the old file or the new one, never half of one.
 */
export async function writeFileAtomic(
  path: string,
  text: string | readonly string[],
): Promise<void> {
  // Through a symlink, replace the file it points to and keep the link.
  const target = await realpath(path).catch(() => path);
  let temp: string | undefined;
  try {
    const mode = await stat(target).then(
      (s) => s.mode & 0o777,
      () => 0o644,
    );
    const handle = await openTemp(target, mode);
    temp = handle.path;
    try {
      // Consecutive writeFile calls on one handle append; each piece is encoded on its own.
      for (const piece of typeof text === 'string' ? [text] : text)
        await handle.file.writeFile(piece, 'utf8');
      await handle.file.sync();
    } finally {
      await handle.file.close();
    }
    await rename(temp, target);
  } catch (cause) {
    // Only a temp file this call created is removed.
    if (temp !== undefined) await unlink(temp).catch(() => undefined);
    throw ioError(path, 'write', cause);
  }
}

/** Creates a new temp file beside `target`; 'wx' never opens an existing one (a crashed process's leftover with the same pid). */
async function openTemp(target: string, mode: number): Promise<{ file: FileHandle; path: string }> {
  for (let attempt = 0; ; attempt++) {
    const path = tempName(target);
    try {
      return { file: await open(path, 'wx', mode), path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt === 9) throw error;
    }
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
export async function promoteFile(
  path: string,
  target: string,
  options: PromoteFileOptions = {},
): Promise<PromoteFileResult> {
  const changelog = await readChangelog(path);
  const { dryRun, ...promoteOptions } = options;
  const result = changelog.promote(target, promoteOptions);
  // The pieces go to the file as they are: a large file is not joined into one more string first.
  if (!dryRun) await writeFileAtomic(path, editedParts(changelog, result.edits));
  // Assigned onto the result, so its `text` stays built on demand.
  return Object.assign(result, { file: path, written: !dryRun });
}
