import { resolve } from 'node:path';
import type { TargetInfo } from '../metadata/model';
import { cacheFolderName, openMetadataDir, type LockOptions, type MetadataCache } from './cache';
import { Updater, type TufWarning, type UpdaterOptions } from './updater';

export interface CachedUpdaterOptions extends Omit<
  UpdaterOptions,
  'metadataDir' | 'targetDir' | 'pinnedRoot'
> {
  /** The pinned root's bytes (e.g. `1.root.json`): the start of trust, and part of the cache folder's key. */
  pinnedRoot: Uint8Array;
  /** Where trusted metadata persists between runs (default: the per-user cache). */
  cache?: MetadataCache;
  lock?: LockOptions;
}

/** What a run with a metadata cache used, for reports. */
export interface CacheUse {
  /** The metadata folder, or undefined for a cold run in a removed temporary folder. */
  metadataDir: string | undefined;
  warnings: TufWarning[];
}

/**
 * One TUF client run over a persistent metadata folder: opens (and locks) the folder for this
 * location and pinned root, runs `work` with an Updater starting from the pinned root and the
 * folder's earlier trusted state, and closes the folder whatever happens.
 */
export async function withCachedUpdater<T>(
  options: CachedUpdaterOptions,
  work: (updater: Updater, cache: CacheUse) => Promise<T>,
): Promise<T> {
  const { pinnedRoot, cache = { kind: 'user' }, lock, onWarning, ...updaterOptions } = options;
  const location =
    updaterOptions.metadataBaseUrl !== undefined
      ? updaterOptions.metadataBaseUrl.replace(/\/+$/, '')
      : resolve(updaterOptions.repositoryDir ?? '.');
  const folder = await openMetadataDir(cache, cacheFolderName(location, pinnedRoot), lock);
  const use: CacheUse = {
    metadataDir: folder.persistent ? folder.metadataDir : undefined,
    warnings: [],
  };
  try {
    const updater = new Updater({
      ...updaterOptions,
      metadataDir: folder.metadataDir,
      targetDir: folder.targetDir,
      pinnedRoot,
      onWarning: (warning) => {
        use.warnings.push(warning);
        onWarning?.(warning);
      },
    });
    return await work(updater, use);
  } finally {
    await folder.close();
  }
}

/** The target's local copy: one a previous run verified and kept if it still matches, else a download. */
export async function targetFile(updater: Updater, info: TargetInfo): Promise<string> {
  return (await updater.findCachedTarget(info)) ?? (await updater.downloadTarget(info));
}
