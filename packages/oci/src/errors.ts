export type OciErrorCode =
  /** Network or registry failure: no usable answer after the retries, an auth refusal, a 5xx. */
  | 'REGISTRY'
  /** An image, tag, blob or layout entry that does not exist. */
  | 'NOT_FOUND'
  /** Bytes that were read intact but are not the format they claim (manifest, index, layout, annotations). */
  | 'MALFORMED'
  /** Content whose sha256 or size is not the one asked for. */
  | 'DIGEST_MISMATCH'
  /** A reference, digest, credential file or option that is not usable as given. */
  | 'INVALID_INPUT';

export interface OciErrorDetails {
  /** What the format or the operation required. */
  expected?: unknown;
  /** What was actually there. */
  found?: unknown;
  cause?: unknown;
}

/** The one error type @oci-sd/oci throws; `code` is stable, the message is for people. */
export class OciError extends Error {
  override readonly name = 'OciError';
  readonly code: OciErrorCode;
  readonly expected?: unknown;
  readonly found?: unknown;

  constructor(code: OciErrorCode, message: string, details: OciErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if ('expected' in details) this.expected = details.expected;
    if ('found' in details) this.found = details.found;
  }
}
