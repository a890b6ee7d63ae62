export type SandboxErrorCode = 'USAGE' | 'RUN_FAILED' | 'CHECK_FAILED';

export interface SandboxErrorDetails {
  /** What the check or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/** The one error type @oci-sd/sandbox throws; `code` is stable, the message is for people. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly code: SandboxErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: SandboxErrorCode, message: string, details: SandboxErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
