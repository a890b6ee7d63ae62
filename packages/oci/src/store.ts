import type { Digest, ImageSource } from './types';

/** Where images and signatures are written: a registry repository or an OCI image layout directory. */
export interface ImageTarget {
  readonly location: string;
  /** Stores a blob (skipped when already present) and returns its descriptor fields. */
  pushBlob(bytes: Buffer): Promise<{ digest: Digest; size: number }>;
  /** Stores a manifest by digest, and under `tag` when given. Returns its digest. */
  pushManifest(bytes: Buffer, mediaType: string, tag?: string): Promise<Digest>;
}

/** Both sources can read and write. */
export type ImageStore = ImageSource & ImageTarget;

/** Largest manifest accepted, as containerd and distribution do (4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
