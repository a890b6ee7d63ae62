import { mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CoreError } from './errors';

let tempCounter = 0;

/** A temp file name beside `target`, unique to this process and call (node:crypto costs a cold CLI ~4 ms to load). */
function tempName(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.${tempCounter++}.tmp`,
  );
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

/**
 * Replaces a file's content all at once: the content (or its pieces, in order) goes to a temp file
 * beside it (same mode; folders created), is flushed, then renamed over it, so readers see the old
 * file or the new one, never half of one, and a crash leaves the old content in place. Through a
 * symlink, the file it points to is replaced and the link kept. Fails with CoreError IO naming `path`.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array | readonly (string | Uint8Array)[],
): Promise<void> {
  const target = await realpath(path).catch(() => path);
  let temp: string | undefined;
  try {
    await mkdir(dirname(target), { recursive: true });
    const mode = await stat(target).then(
      (s) => s.mode & 0o777,
      () => 0o644,
    );
    const handle = await openTemp(target, mode);
    temp = handle.path;
    try {
      // Consecutive writeFile calls on one handle append; each piece is encoded on its own.
      for (const piece of typeof content === 'string' || content instanceof Uint8Array
        ? [content]
        : content)
        await handle.file.writeFile(piece);
      await handle.file.sync();
    } finally {
      await handle.file.close();
    }
    await rename(temp, target);
  } catch (cause) {
    // Only a temp file this call created is removed.
    if (temp !== undefined) await unlink(temp).catch(() => undefined);
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CoreError('IO', `${path}: cannot write: ${reason}`, {
      expected: 'a writable file',
      found: (cause as { code?: string }).code ?? reason,
      cause,
    });
  }
}
