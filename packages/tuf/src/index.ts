export { TufError } from './errors';
export type { TufErrorCode, TufErrorDetails } from './errors';
export { releaseTargetName, signingBranchName } from './naming';
export { canonicalize } from './metadata/canonical';
export {
  assertSignedMetadata,
  publicGoodTrustedRoot,
  verifyRoleThreshold,
  verifySignature,
  type RoleKeys,
  type SignatureOptions,
  type SignatureVerdict,
  type SignedMetadata,
  type SigstoreTrustedRootJSON,
  type ThresholdResult,
  type TufKey,
  type TufSignature,
} from './crypto';
export { addSignerBranchName } from './naming';
export {
  parseReleaseManifest,
  releaseManifest,
  type ReleaseManifest,
  type ReleaseManifestInput,
} from './manifest';
export type { PushOptions } from './git';
export * from './events/index';
export * from './signers/index';
export {
  cacheFolderName,
  CheckoutSource,
  DEFAULT_LIMITS,
  HttpSource,
  targetFile,
  Updater,
  userCacheRoot,
  withCachedUpdater,
  type CachedUpdaterOptions,
  type CacheUse,
  type LockOptions,
  type MetadataCache,
  type TufWarning,
  type FetchFunction,
  type RepositorySource,
  type TrustedState,
  type UpdaterLimits,
  type UpdaterOptions,
} from './client';
export type { DelegatedRole, MetaFile, TargetInfo } from './metadata/model';
