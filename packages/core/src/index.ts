export { CoreError } from './errors';
export type { CoreErrorCode, CoreErrorDetails } from './errors';
export { HttpClient, RequestCounter } from './http';
export type {
  FetchFunction,
  HttpClientOptions,
  HttpRequest,
  HttpResponse,
  ResponseHeaders,
} from './http';
export { encodeOnce, prepareTrustedChain } from './certificates';
export type { ParsedCertificate } from './certificates';
export { writeFileAtomic } from './fs';
export { git, gitMaybe } from './git';
export type { GitOptions } from './git';
export { definedOnly } from './objects';
export { redact } from './redact';
export {
  compareSemVer,
  formatSemVer,
  incrementSemVer,
  parseSemVer,
  PRERELEASE_AND_BUILD,
  requireSemVer,
  sameCore,
} from './semver';
export type { Bump, SemVer } from './semver';
export {
  PUBLIC_GOOD_FULCIO_URL,
  PUBLIC_GOOD_REKOR_URL,
  PUBLIC_GOOD_TRUSTED_ROOT_SOURCE,
  PUBLIC_GOOD_TUF_MIRROR,
  publicGoodTrustedRoot,
} from './sigstore';
