import type { SerializedBundle } from '@sigstore/bundle';
import type { VerificationErrorCode } from './errors';

// The OCI side's contract (sources only move bytes and prove they are the bytes asked for); checks decide what they mean.
import type { Digest } from '@oci-sd/oci';
export type { Digest, ImageSource, ManifestResponse, ReferrerDescriptor } from '@oci-sd/oci';

export type SignatureLayout = 'legacy' | 'referrer';

/** One signature or attestation found for an image digest, normalised to a Sigstore bundle. */
export interface DiscoveredSignature {
  kind: 'signature' | 'attestation';
  layout: SignatureLayout;
  /** Legacy layers are converted to a v0.1 bundle (certificate chain, tlog entry with inclusion promise). */
  bundle: SerializedBundle;
  /**
   * For legacy `.sig` layers: the simple-signing payload blob, already checked against its layer digest.
   * The bundle's messageDigest is derived from it.
   */
  payload?: Buffer;
  /**
   * Unverified hint for selecting attestations: the `predicateType` annotation of legacy layers, or the
   * in-toto statement's predicateType of referrer bundles (their `dev.sigstore.bundle.predicateType` annotation
   * when the payload is not a statement). Checks must read the verified statement.
   */
  predicateType?: string;
  /** Where it was found, for reports: e.g. `sha256-<hex>.sig layer 0` or `referrer sha256:...`. */
  location: string;
}

/**
 * A signature or attestation stored for the image that cannot be read as one (a referrer whose layer is
 * not a Sigstore bundle, a legacy layer with broken annotations, an unparsable referrer manifest, ...).
 * Anyone who can push may write one, so it fails alone, as a candidate, and never blocks the others.
 */
export interface MalformedSignature {
  /** What it claims to be, from unverified hints; undefined when nothing says, and then it counts for every check. */
  kind?: 'signature' | 'attestation';
  layout: SignatureLayout;
  predicateType?: string;
  /** `sha256-<hex>.sig layer 1`, `referrer sha256:...`, ... */
  location: string;
  /** Why it could not be read: the field, what was expected and what was there. */
  malformed: { message: string; expected?: unknown; found?: unknown };
}

/** What discovery returns: readable signatures and the malformed ones, in the order found. */
export type SignatureCandidate = DiscoveredSignature | MalformedSignature;

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One entry per check in a verification report. */
export interface CheckResult {
  /** Stable id, e.g. `image-signature`, `attestation:https://cyclonedx.org/bom`, `slsa-provenance`, `tuf-target`. */
  check: string;
  status: CheckStatus;
  /** One line for people. */
  summary: string;
  expected?: unknown;
  found?: unknown;
  /** Log index, integrated time, certificate identity and extensions, predicate, ... */
  evidence?: Record<string, unknown>;
  /** Why a failed check failed, e.g. `NO_SIGNATURES` (nothing found) versus `SIGNATURE_INVALID` (found, none verify). */
  code?: VerificationErrorCode;
}

/** A candidate a check turned down, listed in its `evidence.rejected` whether the check passed or failed. */
export interface RejectedCandidate {
  /** `referrer sha256:...`, `sha256-<hex>.sig layer 1`, ... */
  location: string;
  /** `bundle` for a bundle given directly (a file, a line of a JSON lines file). */
  layout: SignatureLayout | 'bundle';
  /** `MALFORMED` for bytes that are not a signature, else why the signature did not verify. */
  code: VerificationErrorCode;
  /** Names the field or stage that failed. */
  reason: string;
  expected?: unknown;
  found?: unknown;
}

/** Something the verification worked around that does not change the verdict, e.g. a cached file it could not use. */
export interface ReportWarning {
  code: string;
  message: string;
  /** The file concerned, when there is one. */
  path?: string;
}

export interface VerificationReport {
  ok: boolean;
  /** The image as verified: always by digest. */
  image?: { reference: string; digest: Digest };
  /** The artifact as its attestations name it (`sha256:<hex>` or `sha512:<hex>`). */
  artifact?: { digest: string };
  checks: CheckResult[];
  warnings?: ReportWarning[];
}
