export { VerificationError } from './errors';
export type { VerificationErrorCode, VerificationErrorDetails } from './errors';
export { PREDICATE_TYPE_SHORT_NAMES, resolvePredicateType } from './predicate-types';
export type * from './types';
