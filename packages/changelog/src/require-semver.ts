import { CoreError, requireSemVer as requireSemVerCore, type SemVer } from '@oci-sd/core';
import { ChangelogError } from './errors';

/** `raw` parsed as semantic versioning 2.0.0; fails with ChangelogError INVALID_VERSION. */
export function requireSemVer(raw: string): SemVer {
  try {
    return requireSemVerCore(raw);
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    throw new ChangelogError('INVALID_VERSION', error.message, {
      expected: error.expected,
      found: error.found,
      cause: error,
    });
  }
}
