import { VerificationError } from '../errors';
import type { Digest } from '../types';

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: string): value is Digest {
  return DIGEST_PATTERN.test(value);
}

/** `sha256:<64 lowercase hex>` or an INVALID_INPUT error naming the field. */
export function parseDigest(value: string, field: string): Digest {
  if (!isDigest(value)) {
    throw new VerificationError('INVALID_INPUT', `${field} is not a sha256 digest: ${JSON.stringify(value)}`, { expected: 'sha256:<64 lowercase hex>', found: value });
  }
  return value;
}
