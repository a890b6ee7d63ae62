import { createHash } from 'node:crypto';
import { OciError } from './errors';
import type { Digest } from './types';

const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/** Throws MALFORMED (or the given code) naming the field unless `value` is `sha256:<64 lowercase hex>`. */
export function assertDigest(
  value: unknown,
  field: string,
  code: 'MALFORMED' | 'INVALID_INPUT' = 'MALFORMED',
): Digest {
  if (!isDigest(value)) {
    throw new OciError(
      code,
      `${field}: expected a sha256 digest (sha256:<64 lowercase hex>), found ${JSON.stringify(value)}`,
      {
        expected: 'sha256:<64 hex>',
        found: value,
      },
    );
  }
  return value;
}

export function sha256Digest(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** The OCI referrers fallback tag and the cosign legacy tags are all derived from `sha256-<hex>`. */
export function digestTag(digest: Digest, suffix: '' | '.sig' | '.att' = ''): string {
  return `sha256-${digestHex(digest)}${suffix}`;
}

/** Checks that `bytes` are exactly what `digest` (and `size`, when known) promise. */
export function checkContent(
  bytes: Uint8Array,
  digest: Digest,
  size: number | undefined,
  what: string,
): void {
  if (size !== undefined && bytes.length !== size) {
    throw new OciError(
      'DIGEST_MISMATCH',
      `${what}: expected ${size} bytes, found ${bytes.length}`,
      { expected: size, found: bytes.length },
    );
  }
  const actual = sha256Digest(bytes);
  if (actual !== digest) {
    throw new OciError(
      'DIGEST_MISMATCH',
      `${what}: content digest is ${actual}, expected ${digest}`,
      { expected: digest, found: actual },
    );
  }
}
