export type TufErrorCode =
  | 'METADATA_INVALID'
  | 'SIGNATURE_THRESHOLD'
  | 'EXPIRED'
  | 'ROLLBACK'
  | 'HASH_MISMATCH'
  | 'LENGTH_MISMATCH'
  | 'NOT_FOUND'
  | 'FETCH'
  | 'GIT'
  | 'INVALID_INPUT'
  | 'SIGNER'
  | 'EVENT';

export interface TufErrorDetails {
  /** What the check or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/** The one error type @oci-sd/tuf throws; `code` is stable, the message is for people. */
export class TufError extends Error {
  override readonly name = 'TufError';
  readonly code: TufErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: TufErrorCode, message: string, details: TufErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
