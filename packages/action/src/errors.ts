export type ActionErrorCode =
  /** An input is missing or malformed. */
  | 'INVALID_INPUT'
  /** The runner environment lacks something the command needs (GITHUB_* variable, event field). */
  | 'MISSING_CONTEXT'
  /** A git command (clone, fetch, config) failed; git's message is kept, tokens removed. */
  | 'GIT'
  /** Verification ran and did not pass. */
  | 'VERIFICATION_FAILED'
  /** An immutable release already holds an asset of that name that this run cannot stand behind (another build, or malformed). */
  | 'RELEASE_ASSET_CONFLICT';

export interface ActionErrorDetails {
  expected?: unknown;
  found?: unknown;
  cause?: unknown;
}

/** The one error class of @oci-sd/action; library errors pass through with their own class. */
export class ActionError extends Error {
  readonly code: ActionErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: ActionErrorCode, message: string, details: ActionErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ActionError';
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
