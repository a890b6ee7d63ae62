/**
 * The contract between the OCI side (sources, cosign layout readers and writers) and whoever checks
 * what they read. Sources only move bytes and prove they are the bytes asked for.
 */

/** `sha256:<64 hex>` */
export type Digest = `sha256:${string}`;

export interface ManifestResponse {
  digest: Digest;
  mediaType: string;
  /** The exact bytes; `digest` is their sha256, checked by the source. */
  bytes: Buffer;
}

/** Where images and their signatures are read from: a registry, or an OCI image layout directory. */
export interface ImageSource {
  /** Human-readable location for reports, e.g. `127.0.0.1:5000/acme/app` or `oci-layout:/tmp/x`. */
  readonly location: string;
  /** Resolves a tag (or checks a digest) once; later reads use the returned digest only. */
  resolve(reference: string): Promise<ManifestResponse>;
  manifest(digest: Digest): Promise<ManifestResponse>;
  /** Manifest by tag; undefined when the tag does not exist (e.g. no `sha256-<hex>.sig`). */
  manifestByTag(tag: string): Promise<ManifestResponse | undefined>;
  /** Blob bytes, size and digest checked. */
  blob(digest: Digest, size?: number): Promise<Buffer>;
  /** OCI 1.1 referrers of a digest (API, or the `sha256-<hex>` tag fallback); [] when none. */
  referrers(digest: Digest): Promise<ReferrerDescriptor[]>;
}

export interface ReferrerDescriptor {
  digest: Digest;
  mediaType: string;
  artifactType?: string;
  size: number;
  annotations?: Record<string, string>;
}
