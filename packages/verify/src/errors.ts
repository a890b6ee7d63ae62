export type VerificationErrorCode =
  | 'NO_SIGNATURES'
  | 'SIGNATURE_INVALID'
  | 'IDENTITY_MISMATCH'
  | 'DIGEST_MISMATCH'
  | 'PREDICATE_MISMATCH'
  | 'PROVENANCE_MISMATCH'
  | 'TUF_MISMATCH'
  | 'REGISTRY'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'MALFORMED';
// REGISTRY: network or registry failure (exit 3). NOT_FOUND: an image, tag or blob that does not exist.
// MALFORMED: bytes that were read intact but are not the format they claim (manifest, layout, cosign annotations).

export interface VerificationErrorDetails {
  /** What the check or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/** The one error type @oci-sd/verify throws; `code` is stable, the message is for people. */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
  readonly code: VerificationErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(
    code: VerificationErrorCode,
    message: string,
    details: VerificationErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
