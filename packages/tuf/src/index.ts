export { TufError } from './errors';
export type { TufErrorCode, TufErrorDetails } from './errors';
export { releaseTargetName, signingBranchName } from './naming';
