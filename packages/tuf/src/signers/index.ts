export type { SignatureMaterial, TufSigner } from './types';
export { keyFileSigner, keySigner } from './key-file';
export { sigstoreSigner, type SigstoreSignerOptions } from './sigstore';
export { PUBLIC_GOOD_FULCIO_URL, PUBLIC_GOOD_REKOR_URL } from '@oci-sd/core';
export {
  SIGSTORE_OAUTH_ISSUER,
  browserToken,
  githubActionsToken,
  identityFromToken,
  staticToken,
  type BrowserTokenOptions,
  type GitHubActionsTokenOptions,
  type IdentityTokenProvider,
  type TokenIdentity,
} from './identity';
