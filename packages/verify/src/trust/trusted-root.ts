import { readFileSync } from 'node:fs';
import {
  CoreError,
  PUBLIC_GOOD_TRUSTED_ROOT_SOURCE,
  prepareTrustedChain,
  publicGoodTrustedRoot,
} from '@oci-sd/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import type { TrustMaterial } from '@sigstore/verify';
import { VerificationError } from '../errors';

/** Where the trust material came from, for reports. */
export interface LoadedTrustMaterial {
  source: string;
  material: TrustMaterial;
  /** The trusted_root.json document, for consumers that take JSON (the TUF client's sigstore-oidc keys). */
  json: unknown;
}

let publicGood: LoadedTrustMaterial | undefined;

/**
 * The Sigstore public-good trusted root as shipped inside @sigstore/tuf's `seeds.json` (loaded by
 * @oci-sd/core, never fetched): verification stays offline.
 */
export function publicGoodTrustMaterial(): LoadedTrustMaterial {
  if (publicGood) return publicGood;
  let json: object;
  try {
    json = publicGoodTrustedRoot();
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    throw new VerificationError('INVALID_INPUT', error.message, {
      expected: error.expected,
      found: error.found,
      cause: error,
    });
  }
  publicGood = trustMaterialFromJSON(json, PUBLIC_GOOD_TRUSTED_ROOT_SOURCE);
  return publicGood;
}

/** A user-given `trusted_root.json` (private or test Sigstore instances). */
export function trustMaterialFromFile(path: string): LoadedTrustMaterial {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new VerificationError(
      'INVALID_INPUT',
      `cannot read trusted root ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return { source: path, ...parseTrustedRoot(text, path) };
}

export function trustMaterialFromJSON(json: unknown, source: string): LoadedTrustMaterial {
  return { source, material: toMaterial(json, source), json };
}

/** `path` given: that file; otherwise the embedded public-good root. */
export function loadTrustMaterial(path?: string): LoadedTrustMaterial {
  return path === undefined ? publicGoodTrustMaterial() : trustMaterialFromFile(path);
}

function parseTrustedRoot(
  text: string,
  source: string,
): { material: TrustMaterial; json: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new VerificationError(
      'INVALID_INPUT',
      `${source}: trusted root is not JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
  return { material: toMaterial(json, source), json };
}

function toMaterial(json: unknown, source: string): TrustMaterial {
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (
    typeof mediaType !== 'string' ||
    !mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')
  ) {
    throw new VerificationError(
      'INVALID_INPUT',
      `${source}: field mediaType is not a Sigstore trusted root`,
      {
        expected: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1 (or v0.2)',
        found: mediaType,
      },
    );
  }
  requireValidityStarts(json as Record<string, unknown>, source);
  try {
    const root = TrustedRoot.fromJSON(json);
    // GitHub's instance has no transparency log: its witness is a timestamp authority.
    if (
      root.certificateAuthorities.length === 0 ||
      root.tlogs.length + root.timestampAuthorities.length === 0
    ) {
      throw new Error(
        `needs at least one certificate authority and one transparency log or timestamp authority (found ${root.certificateAuthorities.length}, ${root.tlogs.length} and ${root.timestampAuthorities.length})`,
      );
    }
    const material = toTrustMaterial(root);
    for (const authority of material.certificateAuthorities)
      prepareTrustedChain(authority.certChain);
    return material;
  } catch (cause) {
    throw new VerificationError(
      'INVALID_INPUT',
      `${source}: invalid trusted root: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** The trusted root's key lists and where each entry keeps its `validFor` (a protobuf `TimeRange`). */
const VALIDITY_FIELDS = [
  ['certificateAuthorities', 'validFor'],
  ['timestampAuthorities', 'validFor'],
  ['tlogs', 'publicKey.validFor'],
  ['ctlogs', 'publicKey.validFor'],
] as const;

/**
 * Every CA, TSA, transparency log and CT log of a trusted root carries `validFor` with a start
 * (the `TimeRange` start is required, the end optional). @sigstore/verify reads a missing start as
 * the beginning of time, which would let a key vouch for signatures made before it existed, so a
 * root whose entry lacks it is malformed and refused as a whole.
 */
function requireValidityStarts(json: Record<string, unknown>, source: string): void {
  for (const [list, path] of VALIDITY_FIELDS) {
    const entries = json[list] ?? [];
    if (!Array.isArray(entries)) {
      throw new VerificationError('INVALID_INPUT', `${source}: field ${list} is not an array`, {
        expected: 'an array',
        found: typeof entries,
      });
    }
    entries.forEach((entry: unknown, index) => {
      let value: unknown = entry;
      for (const key of path.split('.'))
        value =
          typeof value === 'object' && value !== null
            ? (value as Record<string, unknown>)[key]
            : undefined;
      const start =
        typeof value === 'object' && value !== null
          ? (value as { start?: unknown }).start
          : undefined;
      if (typeof start !== 'string' || Number.isNaN(Date.parse(start))) {
        throw new VerificationError(
          'INVALID_INPUT',
          `${source}: field ${list}[${index}].${path}.start is missing or not a timestamp: a key without the start of its validity window is refused`,
          { expected: 'an RFC 3339 timestamp', found: start === undefined ? value : start },
        );
      }
    });
  }
}
