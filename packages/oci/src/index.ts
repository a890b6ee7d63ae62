export { OciError } from './errors';
export type { OciErrorCode, OciErrorDetails } from './errors';
export type * from './types';
export { parseImageReference, registryBaseUrl, OCI_LAYOUT_PREFIX } from './reference';
export type { ImageReference } from './reference';
export { RegistryClient, RequestCounter, parseChallenge } from './http';
export type {
  HttpResponse,
  RegistryClientOptions,
  RegistryCredentials,
  RequestOptions,
  ResponseHeaders,
} from './http';
export { RegistrySource } from './registry';
export type { RegistrySourceOptions } from './registry';
export { OciLayoutSource } from './layout';
export { openImageSource, resolveImage } from './open';
export type { OpenedImage } from './open';
export { MAX_MANIFEST_BYTES } from './store';
export type { ImageStore, ImageTarget } from './store';
export { pushImage, copyImage, tarLayer } from './image';
export type { ImageSpec, PlatformSpec, PushedImage } from './image';
export { addToReferrersTag } from './referrers-tag';
export { assertDigest, checkContent, digestHex, digestTag, isDigest, sha256Digest } from './digest';
export { parseDescriptor, parseManifest, parseManifestLayers, serializeManifest } from './manifest';
export type { Descriptor, ParsedManifest } from './manifest';
export { EMPTY_JSON, MANIFEST_ACCEPT, MEDIA_TYPES, isIndexMediaType } from './media-types';
export { dockerConfigCredentials, dockerConfigPath } from './docker-config';
export type { DockerConfigOptions } from './docker-config';
export { credentialHelperCredentials } from './credential-helper';
export type { CredentialHelperOptions } from './credential-helper';
export {
  BUNDLE_ANNOTATIONS,
  BUNDLE_V01_MEDIA_TYPE,
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
  derBase64ToPem,
  inTotoPredicateType,
  pemToDerBase64,
} from './cosign/annotations';
export type { CosignRekorBundle } from './cosign/annotations';
export {
  attachReferrerBundle,
  attachLegacySignature,
  attachLegacyAttestation,
  bundleToLegacyAnnotations,
  simpleSigningPayload,
} from './cosign/attach';
export type { LegacyAttachOptions } from './cosign/attach';
