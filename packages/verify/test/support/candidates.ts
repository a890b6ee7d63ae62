import {
  addToReferrersTag,
  digestTag,
  EMPTY_JSON,
  MEDIA_TYPES,
  parseManifest,
  serializeManifest,
  type ImageStore,
} from '@oci-sd/oci';
import type { Digest, DiscoveredSignature, SignatureCandidate } from '../../src/types';

/** The readable signatures of a discovery; throws when one is malformed, so no test passes over it unseen. */
export function readable(found: SignatureCandidate[]): DiscoveredSignature[] {
  const malformed = found.filter((candidate) => 'malformed' in candidate);
  if (malformed.length > 0)
    throw new Error(`unexpected malformed candidates: ${JSON.stringify(malformed)}`);
  return found as DiscoveredSignature[];
}

/**
 * What anyone with push access can write: a referrer of `subject` shaped like a cosign v3 bundle
 * artifact whose one layer holds `layer` (garbage, or JSON that is not a bundle), listed in the
 * `sha256-<hex>` fallback index. `manifestBytes` replaces the whole manifest (OCI layouts store it as is).
 */
export async function attachRawReferrer(
  store: ImageStore,
  subject: Digest,
  options: { layer?: Buffer; annotations?: Record<string, string>; manifestBytes?: Buffer } = {},
): Promise<Digest> {
  const subjectManifest = await store.manifest(subject);
  const [layer, config] = await Promise.all([
    store.pushBlob(options.layer ?? Buffer.from('\u0000not a bundle\u00ff')),
    store.pushBlob(EMPTY_JSON),
  ]);
  const manifest =
    options.manifestBytes ??
    serializeManifest({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactType: MEDIA_TYPES.sigstoreBundleV03,
      config: { mediaType: MEDIA_TYPES.ociEmpty, ...config, data: EMPTY_JSON.toString('base64') },
      layers: [{ mediaType: MEDIA_TYPES.sigstoreBundleV03, ...layer }],
      subject: {
        mediaType: subjectManifest.mediaType,
        digest: subject,
        size: subjectManifest.bytes.length,
      },
      ...(options.annotations ? { annotations: options.annotations } : {}),
    });
  const digest = await store.pushManifest(manifest, MEDIA_TYPES.ociManifest);
  await addToReferrersTag(store, subject, [
    {
      mediaType: MEDIA_TYPES.ociManifest,
      digest,
      size: manifest.length,
      artifactType: MEDIA_TYPES.sigstoreBundleV03,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
  ]);
  return digest;
}

/**
 * Adds a copy of the first layer of the `.sig`/`.att` manifest with some annotations replaced, at the
 * front (`first`) or the end, as a damaged or hostile cosign v2 writer would leave it.
 */
export async function addLegacyLayerCopy(
  store: ImageStore,
  subject: Digest,
  suffix: '.sig' | '.att',
  annotations: Record<string, string>,
  position: 'first' | 'last',
): Promise<void> {
  const tag = digestTag(subject, suffix);
  const existing = await store.manifestByTag(tag);
  if (!existing) throw new Error(`no ${tag} to add a layer to`);
  const manifest = parseManifest(existing.bytes, tag, existing.mediaType);
  const [layer] = manifest.layers ?? [];
  if (!layer) throw new Error(`${tag} has no layer to copy`);
  const copy = { ...layer, annotations: { ...layer.annotations, ...annotations } };
  const layers = position === 'first' ? [copy, ...manifest.layers!] : [...manifest.layers!, copy];
  await store.pushManifest(
    serializeManifest({
      schemaVersion: 2,
      mediaType: manifest.mediaType,
      config: manifest.config,
      layers,
    }),
    manifest.mediaType,
    tag,
  );
}
