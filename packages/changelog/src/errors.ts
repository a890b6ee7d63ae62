export type ChangelogErrorCode =
  | 'PARSE'
  | 'NO_UNRELEASED'
  | 'DUPLICATE_UNRELEASED'
  | 'UNRELEASED_NOT_FIRST'
  | 'EMPTY_UNRELEASED'
  | 'VERSION_EXISTS'
  | 'VERSION_NOT_GREATER'
  | 'INVALID_DATE'
  | 'INVALID_VERSION'
  | 'INVALID_OPTION'
  | 'NOT_FOUND'
  | 'NO_REPOSITORY'
  | 'UNSUPPORTED_LINK'
  | 'LINK_MISMATCH'
  | 'BODY_TOO_LONG'
  | 'INVALID_CHANGELOG'
  | 'IO';

export interface ChangelogErrorDetails {
  /** The changelog file the problem is in, when there is one. */
  file?: string;
  /** 1-based line and column of the offending text. */
  line?: number;
  column?: number;
  /** What the check or the format required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/** `file:line:col` as compilers print it; parts that are unknown are left out. */
export function formatLocation(file: string | undefined, line?: number, column?: number): string {
  const parts = [file ?? '<changelog>'];
  if (line !== undefined) parts.push(String(line));
  if (line !== undefined && column !== undefined) parts.push(String(column));
  return parts.join(':');
}

/**
 * The one error type @oci-sd/changelog throws; `code` is stable, the message is for people.
 * When the error points into a file the message starts with `file:line:col: `.
 */
export class ChangelogError extends Error {
  override readonly name = 'ChangelogError';
  readonly code: ChangelogErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: ChangelogErrorCode, message: string, details: ChangelogErrorDetails = {}) {
    const located = details.file !== undefined || details.line !== undefined;
    super(
      located
        ? `${formatLocation(details.file, details.line, details.column)}: ${message}`
        : message,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    if (details.file !== undefined) this.file = details.file;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
