export type GitHubErrorCode =
  /** 401: the token is missing, expired or revoked. */
  | 'UNAUTHORIZED'
  /** 403 (not a rate limit): the token lacks a scope or permission. */
  | 'FORBIDDEN'
  /** 404: no such repository/release/run, or the token cannot see it. */
  | 'NOT_FOUND'
  /** 409: a conflicting state (e.g. the repository is empty). */
  | 'CONFLICT'
  /** 422 not covered by a more precise code. */
  | 'UNPROCESSABLE'
  /** 405, or `mergeable: false`: the pull request cannot be merged as is. */
  | 'NOT_MERGEABLE'
  /** 409 on merge, or the head is not the sha we were told to merge. */
  | 'HEAD_MOVED'
  /** The tag was used by an immutable release (published releases with immutable releases on). */
  | 'TAG_BURNED'
  /** A published immutable release cannot take or change assets. */
  | 'IMMUTABLE_RELEASE'
  /** A downloaded asset's size or sha256 is not what GitHub reports for it. */
  | 'ASSET_MISMATCH'
  /** An asset is larger than the caller allows to hold in memory. */
  | 'ASSET_TOO_LARGE'
  /** The release body is over GitHub's 125,000 characters. */
  | 'BODY_TOO_LONG'
  /** Primary or secondary rate limit still hit after the allowed waits. */
  | 'RATE_LIMITED'
  /** Network failure, timeout or 5xx after the retries. */
  | 'NETWORK'
  /** A wait ran out of time (check, run, mergeability). */
  | 'TIMEOUT'
  /** A check finished with a conclusion other than success/neutral/skipped. */
  | 'CHECK_FAILED'
  /** A workflow run finished with a conclusion other than success. */
  | 'RUN_FAILED'
  /** No token from the option, GH_TOKEN/GITHUB_TOKEN, or `gh auth token`. */
  | 'NO_TOKEN'
  /** Bad input from the caller (repository name, file, option). */
  | 'INVALID_INPUT';

export interface GitHubErrorDetails {
  /** What the check or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  /** The request, as `METHOD /path`, that failed. */
  request?: string;
  /** The HTTP status GitHub answered, when there was an answer. */
  status?: number;
  cause?: unknown;
}

/** The one error type @oci-sd/gh throws; `code` is stable, the message is for people (tokens redacted). */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly code: GitHubErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;
  readonly request?: string;
  readonly status?: number;

  constructor(code: GitHubErrorCode, message: string, details: GitHubErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
    if (details.request !== undefined) this.request = details.request;
    if (details.status !== undefined) this.status = details.status;
  }
}
