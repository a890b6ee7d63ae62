import type { SigstoreTrustedRootJSON, TufKey } from '../crypto';

/** A signature entry's content: `sig` always, `bundle` for sigstore-oidc keys. */
export interface SignatureMaterial {
  sig: string;
  bundle?: unknown;
}

/**
 * Something that signs TUF metadata: a key file, Sigstore (Fulcio certificate + Rekor entry),
 * or anything else that can produce a signature its public key verifies.
 */
export interface TufSigner {
  /** Human-readable, for messages: never contains secrets. */
  readonly description: string;
  /** The public key as it goes in a delegator's `keys` (without `x-tuf-on-ci-keyowner`). */
  publicKey(): Promise<TufKey>;
  /** Signs the canonical JSON of a role's `signed`. */
  sign(signedBytes: Uint8Array): Promise<SignatureMaterial>;
  /** The Sigstore trusted root that verifies this signer's bundles (sigstore-oidc signers only). */
  readonly sigstoreTrustedRoot?: SigstoreTrustedRootJSON;
}
