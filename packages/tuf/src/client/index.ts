export {
  DEFAULT_LIMITS,
  Updater,
  type TrustedState,
  type TufWarning,
  type UpdaterLimits,
  type UpdaterOptions,
} from './updater';
export { CheckoutSource, HttpSource, type FetchFunction, type RepositorySource } from './source';
export { cacheFolderName, userCacheRoot, type LockOptions, type MetadataCache } from './cache';
export {
  targetFile,
  withCachedUpdater,
  type CacheUse,
  type CachedUpdaterOptions,
} from './cached-updater';
