import type { SerializedBundle } from '@sigstore/bundle';
import { readBundle } from '../checks/bundle';
import {
  asVerificationError,
  hasErrorCode,
  rethrowAsVerificationError,
  VerificationError,
} from '../errors';
import {
  BUNDLE_ANNOTATIONS,
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
  MEDIA_TYPES,
  digestTag,
  inTotoPredicateType,
  isIndexMediaType,
  parseManifest,
  type Descriptor,
  type OciError,
  parseManifestLayers,
  type ParsedManifest,
} from '@oci-sd/oci';
import type {
  DiscoveredSignature,
  Digest,
  ImageSource,
  MalformedSignature,
  ManifestResponse,
  ReferrerDescriptor,
  SignatureCandidate,
} from '../types';
import { legacyLayerToBundle } from './legacy';

/** Sigstore bundle media types cosign and sigstore-js write as referrer artifacts. */
function isBundleMediaType(mediaType: string | undefined): boolean {
  return (
    mediaType !== undefined &&
    /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.[0-9]+)?\+json/.test(mediaType)
  );
}

/** What a candidate is and where it was found, known before (and kept if) its bytes turn out malformed. */
type CandidateHint = Omit<MalformedSignature, 'malformed'>;

/**
 * A MALFORMED read becomes a candidate that fails alone: whoever can push a referrer or a legacy layer
 * must not be able to block the signatures next to it. Registry and network errors stay fatal.
 */
function asMalformed(error: unknown, hint: CandidateHint): MalformedSignature {
  if (!hasErrorCode(error, 'MALFORMED')) throw asVerificationError(error);
  const { message, expected, found } = error;
  return {
    ...hint,
    malformed: {
      message,
      ...(expected === undefined ? {} : { expected }),
      ...(found === undefined ? {} : { found: excerpt(found) }),
    },
  };
}

const EXCERPT_CHARS = 200;

/** Whoever pushed the bytes chose them: a report quotes at most an excerpt (a manifest may hold megabytes). */
function excerpt(found: unknown): unknown {
  const text = typeof found === 'string' ? found : JSON.stringify(found);
  return text !== undefined && text.length > EXCERPT_CHARS
    ? `${text.slice(0, EXCERPT_CHARS)}… (${text.length} characters)`
    : found;
}

type LegacySuffix = '.sig' | '.att';

/** The whole `.sig`/`.att` manifest as one candidate, for when it cannot be read at all. */
function legacyManifestHint(digest: Digest, suffix: LegacySuffix): CandidateHint {
  return {
    kind: suffix === '.sig' ? 'signature' : 'attestation',
    layout: 'legacy',
    location: digestTag(digest, suffix),
  };
}

/** The `.sig`/`.att` manifest by tag; one that is not a manifest is a malformed candidate, not a failed discovery. */
function lookupLegacyManifest(
  source: ImageSource,
  digest: Digest,
  suffix: LegacySuffix,
): Promise<ManifestResponse | MalformedSignature | undefined> {
  return source
    .manifestByTag(digestTag(digest, suffix))
    .catch((error: unknown) => asMalformed(error, legacyManifestHint(digest, suffix)));
}

async function readLegacyLayers(
  source: ImageSource,
  digest: Digest,
  suffix: LegacySuffix,
  manifest: ManifestResponse | MalformedSignature | undefined,
): Promise<SignatureCandidate[]> {
  if (!manifest) return [];
  if ('malformed' in manifest) return [manifest];
  const tag = digestTag(digest, suffix);
  const where = `${source.location}:${tag}`;
  const kind = suffix === '.sig' ? 'signature' : 'attestation';
  let layers: (Descriptor | OciError)[];
  try {
    ({ layers } = parseManifestLayers(manifest.bytes, where, manifest.mediaType));
  } catch (error) {
    return [asMalformed(error, legacyManifestHint(digest, suffix))];
  }
  const expectedMediaType =
    kind === 'signature' ? MEDIA_TYPES.cosignSimpleSigning : MEDIA_TYPES.dsseEnvelope;
  return Promise.all(
    layers.map(async (layer, i) => {
      if (layer instanceof Error)
        return asMalformed(layer, { kind, layout: 'legacy', location: `${tag} layer ${i}` });
      const predicateType = layer.annotations?.[COSIGN_ANNOTATIONS.predicateType];
      const hint: CandidateHint = {
        kind,
        layout: 'legacy',
        ...(predicateType === undefined ? {} : { predicateType }),
        location: `${tag} layer ${i}`,
      };
      try {
        if (layer.mediaType !== expectedMediaType) {
          throw new VerificationError(
            'MALFORMED',
            `${where} layer ${i}: mediaType: expected ${expectedMediaType}, found ${layer.mediaType}`,
            { expected: expectedMediaType, found: layer.mediaType },
          );
        }
        // blob() checks size and digest, so a `.sig` payload is exactly what the layer digest names.
        const blob = await readLayerBlob(source, layer, `${where} layer ${i}`);
        const bundle = legacyLayerToBundle(layer, blob, kind, `${where} layer ${i}`);
        return {
          ...hint,
          kind,
          bundle,
          ...(kind === 'signature' ? { payload: blob } : {}),
        } satisfies DiscoveredSignature;
      } catch (error) {
        return asMalformed(error, hint);
      }
    }),
  );
}

/** The kind a referrer's annotations claim (unverified), for filing it under a check when its bundle is unreadable. */
function referrerHint(
  referrer: ReferrerDescriptor,
  annotations: Record<string, string> | undefined,
): CandidateHint {
  const predicateType = annotations?.[BUNDLE_ANNOTATIONS.predicateType];
  const content = annotations?.[BUNDLE_ANNOTATIONS.content];
  const kind =
    content === 'message-signature' || predicateType === COSIGN_SIGN_PREDICATE_TYPE
      ? 'signature'
      : predicateType !== undefined || content === 'dsse-envelope'
        ? 'attestation'
        : undefined;
  return {
    ...(kind === undefined ? {} : { kind }),
    layout: 'referrer',
    ...(predicateType === undefined ? {} : { predicateType }),
    location: `referrer ${referrer.digest}`,
  };
}

interface ReferrerBundleLayer {
  referrer: ReferrerDescriptor;
  manifest: ParsedManifest;
  layer: Descriptor;
  where: string;
}

/** The referrer's manifest, when it is a Sigstore bundle artifact about `digest`. */
async function referrerBundleLayer(
  source: ImageSource,
  digest: Digest,
  referrer: ReferrerDescriptor,
): Promise<ReferrerBundleLayer | MalformedSignature | undefined> {
  // Fallback index entries written by GHCR may carry no artifactType: only a declared other type is skipped unread.
  if (referrer.artifactType !== undefined && !isBundleMediaType(referrer.artifactType))
    return undefined;
  if (isIndexMediaType(referrer.mediaType)) return undefined;
  const where = `${source.location}@${referrer.digest} (referrer of ${digest})`;
  let manifest: ParsedManifest;
  try {
    const response = await source.manifest(referrer.digest);
    manifest = parseManifest(response.bytes, where, response.mediaType);
  } catch (error) {
    // A fallback index can outlive a deleted referrer; a stale entry is no evidence either way.
    if (hasErrorCode(error, 'NOT_FOUND')) return undefined;
    return asMalformed(error, referrerHint(referrer, referrer.annotations));
  }
  const layer = manifest.layers?.length === 1 ? manifest.layers[0] : undefined;
  if (!layer || !isBundleMediaType(layer.mediaType)) return undefined;
  // A fallback tag index is writable by anyone who can push; only manifests that name this digest count.
  if (manifest.subject?.digest !== digest) return undefined;
  return { referrer, manifest, layer, where };
}

async function readReferrerBundle(
  source: ImageSource,
  { referrer, manifest, layer, where }: ReferrerBundleLayer,
): Promise<SignatureCandidate> {
  const hint = referrerHint(referrer, { ...referrer.annotations, ...manifest.annotations });
  let blob: Buffer;
  try {
    blob = await readLayerBlob(source, layer, `${where}: layer ${layer.digest}`);
  } catch (error) {
    return asMalformed(error, hint);
  }
  let json: unknown;
  try {
    json = JSON.parse(blob.toString('utf8'));
  } catch (error) {
    return notABundle(hint, where, layer, `bytes that are not JSON (${(error as Error).message})`);
  }
  const read = readBundle(json);
  if (!read.ok) return notABundle(hint, where, layer, read.message);
  const bundle = json as SerializedBundle;
  const predicateType =
    inTotoPredicateType(bundle) ?? manifest.annotations?.[BUNDLE_ANNOTATIONS.predicateType];
  const kind =
    bundle.messageSignature || predicateType === COSIGN_SIGN_PREDICATE_TYPE
      ? 'signature'
      : 'attestation';
  return {
    kind,
    layout: 'referrer',
    bundle,
    ...(predicateType === undefined ? {} : { predicateType }),
    location: `referrer ${referrer.digest}`,
  };
}

function notABundle(
  hint: CandidateHint,
  where: string,
  layer: Descriptor,
  problem: string,
): MalformedSignature {
  const found = excerpt(problem);
  return {
    ...hint,
    malformed: {
      message: `${where}: layer ${layer.digest}: expected a Sigstore bundle, found ${String(found)}`,
      expected: 'a Sigstore bundle',
      found,
    },
  };
}

/**
 * A candidate's layer blob. Its descriptor is part of that candidate's manifest, chosen by whoever pushed it:
 * a blob that does not exist, or a size the blob does not have, fails the candidate alone (MALFORMED).
 * Bytes that differ from their digest are a transfer fault, not a candidate's, and stay fatal.
 */
async function readLayerBlob(
  source: ImageSource,
  layer: Descriptor,
  where: string,
): Promise<Buffer> {
  let blob: Buffer;
  try {
    blob = await source.blob(layer.digest);
  } catch (error) {
    if (!hasErrorCode(error, 'NOT_FOUND')) throw error;
    throw new VerificationError('MALFORMED', error.message, {
      expected: error.expected,
      found: error.found,
      cause: error,
    });
  }
  if (blob.length !== layer.size)
    throw new VerificationError(
      'MALFORMED',
      `${where}: size: expected ${layer.size} bytes (its descriptor), found ${blob.length}`,
      { expected: layer.size, found: blob.length },
    );
  return blob;
}

/**
 * Every cosign signature and attestation stored for `digest`, in both layouts: legacy
 * `sha256-<hex>.sig`/`.att` tags (converted to v0.1 bundles) and OCI 1.1 referrer bundles.
 * Both are always read: SLSA provenance stays legacy while cosign v3 writes referrers.
 * An empty array means nothing was found; nothing here is verified. A candidate whose bytes are not what
 * they claim comes back as a {@link MalformedSignature} in its place; what is not about one candidate (an
 * unparsable referrers index, bytes changed in transit, a registry or network error) still throws: an
 * unreadable referrers index is the registry's whole answer, and guessing past it could hide every signature.
 */
export function discoverSignatures(
  source: ImageSource,
  digest: Digest,
): Promise<SignatureCandidate[]> {
  return discoverAll(source, digest).catch(rethrowAsVerificationError);
}

async function discoverAll(source: ImageSource, digest: Digest): Promise<SignatureCandidate[]> {
  // Three waves, each started when the previous one has finished: lookups; legacy layers and referrer
  // manifests; bundles. Waiting for the slowest small read of a wave keeps the round trips a fixed three,
  // which the request budget (and RequestCounter's count) relies on.
  const [sigManifest, attManifest, referrers] = await Promise.all([
    lookupLegacyManifest(source, digest, '.sig'),
    lookupLegacyManifest(source, digest, '.att'),
    source.referrers(digest),
  ]);
  const [signatures, attestations, bundleLayers] = await Promise.all([
    readLegacyLayers(source, digest, '.sig', sigManifest),
    readLegacyLayers(source, digest, '.att', attManifest),
    Promise.all(referrers.map((referrer) => referrerBundleLayer(source, digest, referrer))),
  ]);
  const fromReferrers = await Promise.all(
    bundleLayers
      .filter((found) => found !== undefined)
      .map((found) => ('malformed' in found ? found : readReferrerBundle(source, found))),
  );
  return [...signatures, ...attestations, ...fromReferrers];
}
