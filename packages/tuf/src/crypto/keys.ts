/** A TUF public key as it appears in a delegator's `keys` map (x- fields kept). */
export interface TufKey {
  keytype: string;
  scheme: string;
  keyval: Record<string, unknown>;
  [extension: string]: unknown;
}

/** One entry of a metadata file's `signatures`; `bundle` carries sigstore-oidc signatures. */
export interface TufSignature {
  keyid: string;
  sig: string;
  bundle?: unknown;
}

/** The part of a delegation that authorises signers: who may sign and how many must. */
export interface RoleKeys {
  /** Role name, used in messages only. */
  name?: string;
  keyids: readonly string[];
  threshold: number;
}

export type SignatureVerdict =
  | { valid: true }
  /** `unsigned`: a placeholder (`sig: ""`) or a sigstore-oidc entry without bundle; never counted, not an attack. */
  | { valid: false; unsigned: boolean; reason: string };
