import { OciError } from './errors';
import type { Digest, ImageSource } from './types';
import { digestTag } from './digest';
import { parseManifest, serializeManifest, type Descriptor } from './manifest';
import { MEDIA_TYPES, isIndexMediaType } from './media-types';
import { addToReferrersTag } from './referrers-tag';
import type { ImageStore, ImageTarget } from './store';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
  /** Files of the single layer, path -> content. */
  files: Record<string, string | Buffer>;
}

export interface ImageSpec {
  platforms: PlatformSpec[];
  /** Tag for the index; untagged images are only reachable by digest. */
  tag?: string;
  /** Image creation time in the config (default: the epoch, for reproducible digests). */
  created?: string;
  annotations?: Record<string, string>;
}

export interface PushedImage {
  /** The multi-arch index digest: what cosign signs. */
  digest: Digest;
  mediaType: string;
  size: number;
  platforms: {
    digest: Digest;
    size: number;
    platform: { os: string; architecture: string; variant?: string };
  }[];
}

const BLOCK = 512;

function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100)
    throw new OciError(
      'INVALID_INPUT',
      `layer file ${name}: expected a path of at most 100 bytes, found ${Buffer.byteLength(name)}`,
      { expected: '<= 100 bytes', found: name },
    );
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, 'utf8');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(size, 12));
  field(136, 12, octal(0, 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  field(148, 8, `${octal(checksum, 7)}\0`);
  return header;
}

/** A reproducible uncompressed ustar archive (sorted names, zero times and owners). */
export function tarLayer(files: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const name of Object.keys(files).sort()) {
    const content = Buffer.from(files[name]!);
    parts.push(
      tarHeader(name, content.length),
      content,
      Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/**
 * Pushes a multi-platform image (one layer per platform, OCI index on top) to a registry or an
 * OCI layout: what a release's build workflow publishes, for tests, the demo and the action.
 */
export async function pushImage(target: ImageTarget, spec: ImageSpec): Promise<PushedImage> {
  const created = spec.created ?? '1970-01-01T00:00:00Z';
  const platforms = await Promise.all(
    spec.platforms.map(async ({ os, architecture, variant, files }) => {
      const layer = tarLayer(files);
      const layerDescriptor = {
        mediaType: MEDIA_TYPES.ociLayerTar,
        ...(await target.pushBlob(layer)),
      };
      const platform = { os, architecture, ...(variant === undefined ? {} : { variant }) };
      const config = serializeManifest({
        ...platform,
        created,
        config: {},
        rootfs: { type: 'layers', diff_ids: [layerDescriptor.digest] },
      });
      const configDescriptor = {
        mediaType: MEDIA_TYPES.ociConfig,
        ...(await target.pushBlob(config)),
      };
      const manifest = serializeManifest({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: configDescriptor,
        layers: [layerDescriptor],
      });
      const digest = await target.pushManifest(manifest, MEDIA_TYPES.ociManifest);
      return { digest, size: manifest.length, platform };
    }),
  );
  const index = serializeManifest({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: platforms.map(({ digest, size, platform }) => ({
      mediaType: MEDIA_TYPES.ociManifest,
      digest,
      size,
      platform,
    })),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  const digest = await target.pushManifest(index, MEDIA_TYPES.ociIndex, spec.tag);
  return { digest, mediaType: MEDIA_TYPES.ociIndex, size: index.length, platforms };
}

async function copyTree(
  from: ImageSource,
  to: ImageTarget,
  digest: Digest,
  tag?: string,
): Promise<{ mediaType: string; size: number }> {
  const { bytes, mediaType } = await from.manifest(digest);
  const manifest = parseManifest(bytes, `${from.location}@${digest}`, mediaType);
  if (isIndexMediaType(mediaType)) {
    await Promise.all((manifest.manifests ?? []).map((child) => copyTree(from, to, child.digest)));
  } else {
    const blobs: Descriptor[] = [
      ...(manifest.config ? [manifest.config] : []),
      ...(manifest.layers ?? []),
    ];
    await Promise.all(
      blobs.map(async (blob) => to.pushBlob(await from.blob(blob.digest, blob.size))),
    );
  }
  await to.pushManifest(bytes, mediaType, tag);
  return { mediaType, size: bytes.length };
}

/**
 * Copies an image (index, platform manifests, blobs) byte for byte, so digests and signatures stay
 * valid; with `signatures`, also its legacy `.sig`/`.att` tags and its referrers (fallback tag kept).
 */
export async function copyImage(
  from: ImageSource,
  digest: Digest,
  to: ImageStore,
  options: { tag?: string; signatures?: boolean } = {},
): Promise<void> {
  await copyTree(from, to, digest, options.tag);
  if (!options.signatures) return;
  for (const suffix of ['.sig', '.att'] as const) {
    const legacy = await from.manifestByTag(digestTag(digest, suffix));
    if (legacy) await copyTree(from, to, legacy.digest, digestTag(digest, suffix));
  }
  const referrers = await from.referrers(digest);
  await Promise.all(referrers.map((referrer) => copyTree(from, to, referrer.digest)));
  if (referrers.length > 0) await addToReferrersTag(to, digest, referrers);
}
