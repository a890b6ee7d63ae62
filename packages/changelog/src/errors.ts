export type ChangelogErrorCode = 'PARSE' | 'EMPTY_UNRELEASED' | 'VERSION_EXISTS' | 'VERSION_NOT_GREATER' | 'INVALID_DATE' | 'INVALID_VERSION' | 'NOT_FOUND' | 'BODY_TOO_LONG';

export interface ChangelogErrorDetails {
  /** What the check or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/** The one error type @oci-sd/changelog throws; `code` is stable, the message is for people. */
export class ChangelogError extends Error {
  override readonly name = 'ChangelogError';
  readonly code: ChangelogErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: ChangelogErrorCode, message: string, details: ChangelogErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
