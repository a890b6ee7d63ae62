import { OciError } from '@oci-sd/oci';

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

/** An @oci-sd/oci error under this package's class (same code, the original as `cause`); anything else as it is. */
export function asVerificationError(error: unknown): unknown {
  if (!(error instanceof OciError)) return error;
  return new VerificationError(error.code, error.message, {
    ...('expected' in error && { expected: error.expected }),
    ...('found' in error && { found: error.found }),
    cause: error,
  });
}

/** For `.catch()` on reads through @oci-sd/oci: what escapes verify is a VerificationError. */
export function rethrowAsVerificationError(error: unknown): never {
  throw asVerificationError(error);
}

/** `run()`, with an OciError it throws rethrown as a VerificationError. */
export function withVerificationErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    return rethrowAsVerificationError(error);
  }
}

/** Whether `error` carries `code`, from verify or from the OCI reads it makes. */
export function hasErrorCode(
  error: unknown,
  code: VerificationErrorCode,
): error is VerificationError | OciError {
  return (error instanceof VerificationError || error instanceof OciError) && error.code === code;
}
