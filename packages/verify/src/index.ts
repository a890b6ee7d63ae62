export { VerificationError } from './errors';
export type { VerificationErrorCode, VerificationErrorDetails } from './errors';
export { PREDICATE_TYPE_SHORT_NAMES, resolvePredicateType } from './predicate-types';
export type * from './types';
export { verifyBundle } from './api/verify-bundle';
export type { VerifyBundleOptions } from './api/verify-bundle';
export type { IdentityPolicy } from './policy/identity';
export {
  loadTrustMaterial,
  publicGoodTrustMaterial,
  trustMaterialFromFile,
  trustMaterialFromJSON,
} from './trust/trusted-root';
export type { LoadedTrustMaterial } from './trust/trusted-root';
export type { CertificateIdentity, FulcioExtensionName } from './checks/certificate';
export { verifyAttestation, verifyImage, verifyProvenance } from './api/verify-image';
export type { VerifyImageOptions } from './api/verify-image';
export type { SlsaPolicy } from './slsa/provenance';
export { formatReport } from './report/format';
export type { FormatOptions } from './report/format';
export { parseImageReference, registryBaseUrl, OCI_LAYOUT_PREFIX } from './oci/reference';
export type { ImageReference } from './oci/reference';
export { RegistryClient, RequestCounter } from './oci/http';
export type { RegistryClientOptions, RegistryCredentials } from './oci/http';
export { RegistrySource } from './oci/registry';
export type { RegistrySourceOptions } from './oci/registry';
export { OciLayoutSource } from './oci/layout';
export { openImageSource, resolveImage } from './oci/open';
export type { OpenedImage } from './oci/open';
export type { ImageStore, ImageTarget } from './oci/store';
export { pushImage, copyImage, tarLayer } from './oci/image';
export type { ImageSpec, PlatformSpec, PushedImage } from './oci/image';
export { addToReferrersTag } from './oci/referrers-tag';
export { digestTag, isDigest, sha256Digest } from './oci/digest';
export { MEDIA_TYPES } from './oci/media-types';
export { discoverSignatures } from './cosign/discover';
export { legacyLayerToBundle, bundleToLegacyAnnotations } from './cosign/legacy';
export {
  attachReferrerBundle,
  attachLegacySignature,
  attachLegacyAttestation,
  simpleSigningPayload,
} from './cosign/attach';
export type { LegacyAttachOptions } from './cosign/attach';
export {
  COSIGN_ANNOTATIONS,
  BUNDLE_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
} from './cosign/annotations';
export { verifyRelease } from './api/verify-release';
export type { TufLocation, VerifyReleaseOptions } from './api/verify-release';
export { dockerConfigCredentials, dockerConfigPath } from './oci/docker-config';
export type { DockerConfigOptions } from './oci/docker-config';
