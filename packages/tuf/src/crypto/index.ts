export type { RoleKeys, SignatureVerdict, TufKey, TufSignature } from './keys';
export { publicGoodTrustedRoot, type SigstoreTrustedRootJSON } from './sigstore';
export {
  assertSignedMetadata,
  verifyRoleThreshold,
  verifySignature,
  type SignatureOptions,
  type SignedMetadata,
  type ThresholdResult,
} from './verify';
