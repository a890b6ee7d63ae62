import { bundleFromJSON, type SerializedBundle } from '@sigstore/bundle';
import { VerificationError } from '../errors';
import { digestTag } from '../oci/digest';
import { parseManifest, type Descriptor, type ParsedManifest } from '../oci/manifest';
import { MEDIA_TYPES, isIndexMediaType } from '../oci/media-types';
import type { DiscoveredSignature, Digest, ImageSource, ManifestResponse, ReferrerDescriptor } from '../types';
import { BUNDLE_ANNOTATIONS, COSIGN_ANNOTATIONS, COSIGN_SIGN_PREDICATE_TYPE, inTotoPredicateType } from './annotations';
import { legacyLayerToBundle } from './legacy';

/** Sigstore bundle media types cosign and sigstore-js write as referrer artifacts. */
function isBundleMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.[0-9]+)?\+json/.test(mediaType);
}

async function readLegacyLayers(source: ImageSource, digest: Digest, suffix: '.sig' | '.att', manifest: ManifestResponse | undefined): Promise<DiscoveredSignature[]> {
  if (!manifest) return [];
  const tag = digestTag(digest, suffix);
  const where = `${source.location}:${tag}`;
  const layers = parseManifest(manifest.bytes, where, manifest.mediaType).layers ?? [];
  const kind = suffix === '.sig' ? 'signature' : 'attestation';
  const expectedMediaType = kind === 'signature' ? MEDIA_TYPES.cosignSimpleSigning : MEDIA_TYPES.dsseEnvelope;
  return Promise.all(
    layers.map(async (layer, i) => {
      const location = `${tag} layer ${i}`;
      if (layer.mediaType !== expectedMediaType) {
        throw new VerificationError('MALFORMED', `${where} layer ${i}: mediaType: expected ${expectedMediaType}, found ${layer.mediaType}`, { expected: expectedMediaType, found: layer.mediaType });
      }
      // blob() checks size and digest, so a `.sig` payload is exactly what the layer digest names.
      const blob = await source.blob(layer.digest, layer.size);
      const bundle = legacyLayerToBundle(layer, blob, kind, `${where} layer ${i}`);
      const predicateType = layer.annotations?.[COSIGN_ANNOTATIONS.predicateType];
      return {
        kind,
        layout: 'legacy',
        bundle,
        ...(kind === 'signature' ? { payload: blob } : {}),
        ...(predicateType === undefined ? {} : { predicateType }),
        location,
      } satisfies DiscoveredSignature;
    }),
  );
}

interface ReferrerBundleLayer {
  referrer: ReferrerDescriptor;
  manifest: ParsedManifest;
  layer: Descriptor;
  where: string;
}

/** The referrer's manifest, when it is a Sigstore bundle artifact about `digest`. */
async function referrerBundleLayer(source: ImageSource, digest: Digest, referrer: ReferrerDescriptor): Promise<ReferrerBundleLayer | undefined> {
  // Fallback index entries written by GHCR may carry no artifactType: only a declared other type is skipped unread.
  if (referrer.artifactType !== undefined && !isBundleMediaType(referrer.artifactType)) return undefined;
  if (isIndexMediaType(referrer.mediaType)) return undefined;
  const where = `${source.location}@${referrer.digest} (referrer of ${digest})`;
  // A fallback index can outlive a deleted referrer; a stale entry is no evidence either way.
  const response = await source.manifest(referrer.digest).catch((error: unknown) => {
    if (error instanceof VerificationError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  });
  if (!response) return undefined;
  const manifest = parseManifest(response.bytes, where, response.mediaType);
  const layer = manifest.layers?.length === 1 ? manifest.layers[0] : undefined;
  if (!layer || !isBundleMediaType(layer.mediaType)) return undefined;
  // A fallback tag index is writable by anyone who can push; only manifests that name this digest count.
  if (manifest.subject?.digest !== digest) return undefined;
  return { referrer, manifest, layer, where };
}

async function readReferrerBundle(source: ImageSource, { referrer, manifest, layer, where }: ReferrerBundleLayer): Promise<DiscoveredSignature> {
  const blob = await source.blob(layer.digest, layer.size);
  let bundle: SerializedBundle;
  try {
    bundle = JSON.parse(blob.toString('utf8')) as SerializedBundle;
    bundleFromJSON(bundle);
  } catch (error) {
    throw new VerificationError('MALFORMED', `${where}: layer ${layer.digest}: expected a Sigstore bundle, found ${(error as Error).message}`, { expected: 'a Sigstore bundle', found: (error as Error).message, cause: error });
  }
  const predicateType = inTotoPredicateType(bundle) ?? manifest.annotations?.[BUNDLE_ANNOTATIONS.predicateType];
  const kind = bundle.messageSignature || predicateType === COSIGN_SIGN_PREDICATE_TYPE ? 'signature' : 'attestation';
  return {
    kind,
    layout: 'referrer',
    bundle,
    ...(predicateType === undefined ? {} : { predicateType }),
    location: `referrer ${referrer.digest}`,
  };
}

/**
 * Every cosign signature and attestation stored for `digest`, in both layouts: legacy
 * `sha256-<hex>.sig`/`.att` tags (converted to v0.1 bundles) and OCI 1.1 referrer bundles.
 * Both are always read: SLSA provenance stays legacy while cosign v3 writes referrers.
 * An empty array means nothing was found; nothing here is verified.
 */
export async function discoverSignatures(source: ImageSource, digest: Digest): Promise<DiscoveredSignature[]> {
  // Three waves, each started when the previous one has finished: lookups; legacy layers and referrer
  // manifests; bundles. Waiting for the slowest small read of a wave keeps the round trips a fixed three,
  // which the request budget (and RequestCounter's count) relies on.
  const [sigManifest, attManifest, referrers] = await Promise.all([source.manifestByTag(digestTag(digest, '.sig')), source.manifestByTag(digestTag(digest, '.att')), source.referrers(digest)]);
  const [signatures, attestations, bundleLayers] = await Promise.all([
    readLegacyLayers(source, digest, '.sig', sigManifest),
    readLegacyLayers(source, digest, '.att', attManifest),
    Promise.all(referrers.map((referrer) => referrerBundleLayer(source, digest, referrer))),
  ]);
  const fromReferrers = await Promise.all(bundleLayers.filter((found) => found !== undefined).map((found) => readReferrerBundle(source, found)));
  return [...signatures, ...attestations, ...fromReferrers];
}
