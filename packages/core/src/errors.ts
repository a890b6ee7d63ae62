export type CoreErrorCode =
  /** A request that got no usable response after its retries (network, timeout, 5xx, 429). */
  | 'FETCH'
  /** A response body over the size limit (not retried). */
  | 'TOO_LARGE'
  /** A git command that failed; the message carries git's own, with tokens removed. */
  | 'GIT'
  /** A file that could not be read or written. */
  | 'IO'
  /** A version string that is not semantic versioning 2.0.0. */
  | 'INVALID_VERSION'
  /** Trust material that is missing or not the format it claims. */
  | 'INVALID_INPUT';

export interface CoreErrorDetails {
  /** What the operation or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/**
 * The one error type @oci-sd/core throws; `code` is stable, the message is for people. Packages
 * built on core translate it into their own error class, keeping it as `cause`.
 */
export class CoreError extends Error {
  override readonly name = 'CoreError';
  readonly code: CoreErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: CoreErrorCode, message: string, details: CoreErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
