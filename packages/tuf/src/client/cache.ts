import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, readdir, rm, stat, unlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { TufError } from '../errors';

/**
 * Where trusted TUF metadata lives between runs. Rollback and freeze protection (TUF specification
 * 5.3-5.6) only exist across runs when the versions a client once trusted are still there the next
 * time: a client that starts every run from the pinned root alone accepts any older, unexpired state.
 */
export type MetadataCache =
  /** The per-user cache: `$XDG_CACHE_HOME` (else `~/.cache`) `/oci-sd/tuf/<location and pinned root>`. */
  | { kind: 'user'; env?: Record<string, string | undefined> }
  /** This directory, as is (`--metadata-dir`). */
  | { kind: 'dir'; dir: string }
  /** A temporary directory removed afterwards: every run starts from the pinned root (`--no-cache`). */
  | { kind: 'none' };

/** `$XDG_CACHE_HOME/oci-sd/tuf`, or `~/.cache/oci-sd/tuf` (XDG Base Directory: a relative value is ignored). */
export function userCacheRoot(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
  return join(base, 'oci-sd', 'tuf');
}

/**
 * One folder per TUF location and pinned root: `<readable location>-<sha256 of location and root, 24 hex>`.
 * A different pin (or a different site) never sees another's trusted state.
 */
export function cacheFolderName(location: string, pinnedRoot: Uint8Array): string {
  const rootDigest = createHash('sha256').update(pinnedRoot).digest('hex');
  const key = createHash('sha256').update(`${location}\n${rootDigest}`).digest('hex').slice(0, 24);
  const readable = location
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[_.]+|_+$/g, '')
    .slice(-80);
  return `${readable || 'tuf'}-${key}`;
}

export interface OpenedMetadataDir {
  /** Where the Updater keeps trusted metadata (`root_history/`, `timestamp.json`, ...). */
  metadataDir: string;
  /** Where verified targets are kept (beside the metadata, so a rerun downloads nothing it has). */
  targetDir: string;
  /** Whether the metadata outlives this run. */
  persistent: boolean;
  /** Releases the lock (or removes the temporary directory). */
  close(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another run to finish with the folder (default 60 s). */
  waitMs?: number;
  /** A lock older than this is left by a crashed run and broken (default 10 min). */
  staleMs?: number;
}

const LOCK_FILE = '.lock';

/**
 * Opens the metadata folder for one run: creates it, and for persistent folders takes `.lock`
 * (O_EXCL create, holding this process's pid) so two concurrent runs never interleave their reads
 * and writes of one trusted state. Every file inside is still written by temp file and rename.
 */
export async function openMetadataDir(
  cache: MetadataCache,
  folderName: string,
  lock: LockOptions = {},
): Promise<OpenedMetadataDir> {
  if (cache.kind === 'none') {
    const work = await mkdtemp(join(tmpdir(), 'oci-sd-tuf-'));
    return {
      metadataDir: join(work, 'metadata'),
      targetDir: join(work, 'targets'),
      persistent: false,
      close: () => rm(work, { recursive: true, force: true }),
    };
  }
  const dir = cache.kind === 'dir' ? cache.dir : join(userCacheRoot(cache.env), folderName);
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new TufError('INVALID_INPUT', `TUF metadata directory ${dir} cannot be created`, {
      expected: 'a writable directory',
      found: (cause as NodeJS.ErrnoException).code ?? String(cause),
      cause,
    });
  }
  const release = await acquireLock(join(dir, LOCK_FILE), lock);
  return { metadataDir: dir, targetDir: join(dir, 'targets'), persistent: true, close: release };
}

async function acquireLock(path: string, options: LockOptions): Promise<() => Promise<void>> {
  const waitMs = options.waitMs ?? 60_000;
  const staleMs = options.staleMs ?? 10 * 60_000;
  const started = Date.now();
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw new TufError('INVALID_INPUT', `cannot lock TUF metadata directory: ${path}`, {
          expected: 'a writable directory',
          found: code ?? String(error),
          cause: error,
        });
    }
    if (await isStale(path, staleMs)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() - started >= waitMs)
      throw new TufError(
        'INVALID_INPUT',
        `TUF metadata directory is locked by another run (${path}); remove the file if no run is active`,
        { expected: `no ${LOCK_FILE} after ${waitMs} ms`, found: path },
      );
    await new Promise((done) => setTimeout(done, delay));
  }
}

/** Left by a process that no longer runs (same host), or older than `staleMs`. */
async function isStale(path: string, staleMs: number): Promise<boolean> {
  const [text, info] = await Promise.all([
    readFile(path, 'utf8').catch(() => undefined),
    stat(path).catch(() => undefined),
  ]);
  if (!info) return false; // released meanwhile: retry at once
  if (Date.now() - info.mtimeMs > staleMs) return true;
  const pid = Number.parseInt(text ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false; // being written
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The metadata files a trusted state consists of: what a corrupt cache is cleared of. */
export async function clearTrustedMetadata(metadataDir: string): Promise<void> {
  const entries = await readdir(metadataDir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name === 'root_history' || name.endsWith('.json'))
      .map((name) => rm(join(metadataDir, name), { recursive: true, force: true })),
  );
}
