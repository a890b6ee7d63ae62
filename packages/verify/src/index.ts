export { VerificationError } from './errors';
export type { VerificationErrorCode, VerificationErrorDetails } from './errors';
export { PREDICATE_TYPE_SHORT_NAMES, resolvePredicateType } from './predicate-types';
export type * from './types';
export { verifyBundle } from './api/verify-bundle';
export type { VerifyBundleOptions } from './api/verify-bundle';
export { regExpSyntaxProblem } from './policy/identity';
export type { IdentityPolicy } from './policy/identity';
export {
  loadTrustMaterial,
  publicGoodTrustMaterial,
  trustMaterialFromFile,
  trustMaterialFromJSON,
} from './trust/trusted-root';
export type { LoadedTrustMaterial } from './trust/trusted-root';
export type { CertificateIdentity, FulcioExtensionName } from './checks/certificate';
export { verifyImage, verifyImageAttestation, verifyProvenance } from './api/verify-image';
export { verifyAttestation } from './attestation/verify-attestation';
export type { AttestationBundle, VerifyAttestationOptions } from './attestation/verify-attestation';
export { GITHUB_ACTIONS_OIDC_ISSUER } from './attestation/policy';
export { GITHUB_WORKFLOW_BUILD_TYPES, SLSA_PROVENANCE_V1 } from './slsa/provenance-v1';
export type { AttestationPolicy, DigestAlgorithm } from './attestation/policy';
export {
  GITHUB_ISSUER_ORGANIZATION,
  PUBLIC_GOOD_ISSUER_ORGANIZATION,
} from './attestation/instances';
export type { SigstoreInstance } from './attestation/instances';
export type { WorkflowRun } from './attestation/workflow-run';
export {
  GITHUB_TRUSTED_ROOT_TARGET,
  GITHUB_TUF_URL,
  githubTrustMaterial,
} from './attestation/github-trust';
export type { GitHubTrustOptions } from './attestation/github-trust';
export { GITHUB_TUF_ROOT } from './attestation/github-tuf-root';
export {
  parseAttestationBundles,
  parseJsonDocuments,
  parseTrustedRoots,
} from './attestation/json-lines';
export type { VerifyImageOptions } from './api/verify-image';
export type { SlsaPolicy } from './slsa/provenance';
export { formatReport } from './report/format';
export type { FormatOptions } from './report/format';
export { discoverSignatures } from './cosign/discover';
export { legacyLayerToBundle } from './cosign/legacy';
export { verifyRelease } from './api/verify-release';
export type { TufLocation, VerifyReleaseOptions } from './api/verify-release';
