export type CliErrorCode =
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

export interface CliErrorDetails {
  /** What the check or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/** The one error type @oci-sd/cli throws; `code` is stable, the message is for people. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: CliErrorCode, message: string, details: CliErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
