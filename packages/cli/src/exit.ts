/** Exit codes shared by every command: 0 ok, 1 verification failed, 2 bad usage or input, 3 network or registry failure. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, NETWORK: 3 } as const;

interface CodedError {
  name: string;
  code: string;
  message: string;
}

function isCoded(error: unknown): error is CodedError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

const NETWORK_CODES = new Set(['REGISTRY', 'FETCH', 'NETWORK', 'TIMEOUT', 'RATE_LIMITED']);
const FAILURE_ERRORS = new Set(['VerificationError', 'TufError', 'OciError']);
/** Codes meaning "the release (or a check it waited for) failed", not "you called it wrong". */
const FAILURE_CODES = new Set([
  'CHECK_FAILED',
  'RUN_FAILED',
  'REMOTE_STATE',
  'ABORTED',
  'NOT_MERGEABLE',
  'HEAD_MOVED',
]);

export function exitCodeFor(error: unknown): number {
  if (!isCoded(error)) return EXIT.FAILED;
  if (NETWORK_CODES.has(error.code)) return EXIT.NETWORK;
  if (error.code === 'INVALID_INPUT' || error.code === 'USAGE') return EXIT.USAGE;
  if (FAILURE_CODES.has(error.code)) return EXIT.FAILED;
  return FAILURE_ERRORS.has(error.name) ? EXIT.FAILED : EXIT.USAGE;
}

export function formatError(error: unknown): string {
  if (isCoded(error)) return `oci-sd: ${error.message} [${error.code}]`;
  return `oci-sd: ${error instanceof Error ? error.message : String(error)}`;
}
