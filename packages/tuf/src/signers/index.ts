export type { SignatureMaterial, TufSigner } from './types';
export { keyFileSigner, keySigner } from './key-file';
export {
  sigstoreSigner,
  PUBLIC_GOOD_FULCIO_URL,
  PUBLIC_GOOD_REKOR_URL,
  type SigstoreSignerOptions,
} from './sigstore';
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
