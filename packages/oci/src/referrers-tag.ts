import type { Digest, ReferrerDescriptor } from './types';
import { digestTag } from './digest';
import { parseManifest, serializeManifest } from './manifest';
import { MEDIA_TYPES } from './media-types';
import type { ImageStore } from './store';

/**
 * Adds referrers to the `sha256-<hex>` tag schema index (OCI distribution 1.1 fallback for registries
 * without the referrers API, such as docker-registry 2.8 and GHCR). Entries with the same digest are
 * replaced. Read-modify-write: concurrent writers to one subject can lose entries, as with cosign.
 */
export async function addToReferrersTag(
  store: ImageStore,
  subject: Digest,
  referrers: readonly ReferrerDescriptor[],
): Promise<Digest> {
  const tag = digestTag(subject);
  const existing = await store.manifestByTag(tag);
  const kept = existing
    ? (parseManifest(existing.bytes, `${store.location}:${tag}`, existing.mediaType).manifests ??
      [])
    : [];
  const added = new Set(referrers.map((referrer) => referrer.digest));
  const index = serializeManifest({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [...kept.filter((entry) => !added.has(entry.digest)), ...referrers],
  });
  return store.pushManifest(index, MEDIA_TYPES.ociIndex, tag);
}
