export { ChangelogError } from './errors';
export type { ChangelogErrorCode, ChangelogErrorDetails } from './errors';
export { compareSemVer, parseSemVer, requireSemVer } from './semver';
export type { SemVer } from './semver';
