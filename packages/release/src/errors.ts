export type ReleaseErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'PREFLIGHT'
  | 'STATE'
  | 'GIT'
  | 'REMOTE_STATE'
  | 'CHECK_FAILED'
  | 'RUN_FAILED'
  | 'TIMEOUT'
  | 'ABORTED';

export interface ReleaseErrorDetails {
  /** What the check or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/** The one error type @oci-sd/release throws; `code` is stable, the message is for people. */
export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
  readonly code: ReleaseErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: ReleaseErrorCode, message: string, details: ReleaseErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
