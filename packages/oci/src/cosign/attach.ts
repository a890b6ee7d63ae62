import type { SerializedBundle } from '@sigstore/bundle';
import { OciError } from '../errors';
import { digestTag } from '../digest';
import { parseManifest, serializeManifest, type Descriptor } from '../manifest';
import { EMPTY_JSON, MEDIA_TYPES } from '../media-types';
import { addToReferrersTag } from '../referrers-tag';
import type { ImageStore } from '../store';
import type { Digest } from '../types';
import {
  BUNDLE_ANNOTATIONS,
  COSIGN_ANNOTATIONS,
  derBase64ToPem,
  inTotoPredicateType,
  type CosignRekorBundle,
} from './annotations';

/** `application/vnd.dev.sigstore.bundle+json;version=0.2` and `...bundle.v0.3+json` both become `...bundle.v0.X+json`. */
function bundleArtifactType(bundle: SerializedBundle): string {
  const legacy = /^application\/vnd\.dev\.sigstore\.bundle\+json;version=(0\.[0-9]+)$/.exec(
    bundle.mediaType,
  );
  return legacy ? `application/vnd.dev.sigstore.bundle.v${legacy[1]}+json` : bundle.mediaType;
}

/**
 * Attaches a Sigstore bundle the way cosign v3 does: an OCI 1.1 referrer manifest (artifactType the
 * bundle media type, empty config, the bundle JSON as its one layer, `subject` the image), then the
 * `sha256-<hex>` fallback index, since GHCR and docker-registry 2.8 have no referrers API.
 * Returns the referrer manifest digest.
 */
export async function attachReferrerBundle(
  store: ImageStore,
  subject: Digest,
  bundle: SerializedBundle,
  options: { created?: string } = {},
): Promise<Digest> {
  const subjectManifest = await store.manifest(subject);
  const artifactType = bundleArtifactType(bundle);
  const [layer, config] = await Promise.all([
    store.pushBlob(Buffer.from(JSON.stringify(bundle))),
    store.pushBlob(EMPTY_JSON),
  ]);
  const predicateType = inTotoPredicateType(bundle);
  const annotations: Record<string, string> = {
    [BUNDLE_ANNOTATIONS.content]: bundle.dsseEnvelope ? 'dsse-envelope' : 'message-signature',
    ...(predicateType === undefined ? {} : { [BUNDLE_ANNOTATIONS.predicateType]: predicateType }),
    [BUNDLE_ANNOTATIONS.created]: options.created ?? new Date().toISOString(),
  };
  const manifest = serializeManifest({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType,
    config: { mediaType: MEDIA_TYPES.ociEmpty, ...config, data: EMPTY_JSON.toString('base64') },
    layers: [{ mediaType: artifactType, ...layer }],
    subject: {
      mediaType: subjectManifest.mediaType,
      digest: subject,
      size: subjectManifest.bytes.length,
    },
    annotations,
  });
  const digest = await store.pushManifest(manifest, MEDIA_TYPES.ociManifest);
  await addToReferrersTag(store, subject, [
    {
      mediaType: MEDIA_TYPES.ociManifest,
      digest,
      size: manifest.length,
      artifactType,
      annotations,
    },
  ]);
  return digest;
}

/** The payload `cosign sign` (v2) signs: a simple-signing document naming the image digest. */
export function simpleSigningPayload(dockerReference: string, digest: Digest): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

/** cosign's config for signature manifests: an empty image whose diff_ids are the layers. */
function legacyConfig(layers: readonly Descriptor[]): Buffer {
  return serializeManifest({
    architecture: '',
    created: '0001-01-01T00:00:00Z',
    history: [{ created: '0001-01-01T00:00:00Z' }],
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
    config: {},
  });
}

/** Appends one layer to the `sha256-<hex>.sig|.att` manifest (created when absent), as cosign v2 does. */
async function appendLegacyLayer(
  store: ImageStore,
  subject: Digest,
  suffix: '.sig' | '.att',
  blob: Buffer,
  mediaType: string,
  annotations: Record<string, string>,
): Promise<Digest> {
  const tag = digestTag(subject, suffix);
  const existing = await store.manifestByTag(tag);
  const layers = existing
    ? (parseManifest(existing.bytes, `${store.location}:${tag}`, existing.mediaType).layers ?? [])
    : [];
  const layer: Descriptor = { mediaType, ...(await store.pushBlob(blob)), annotations };
  // The same signature attached twice stays one layer.
  const unchanged = layers.filter(
    (old) =>
      !(
        old.digest === layer.digest &&
        old.annotations?.[COSIGN_ANNOTATIONS.signature] ===
          annotations[COSIGN_ANNOTATIONS.signature] &&
        old.annotations?.[COSIGN_ANNOTATIONS.certificate] ===
          annotations[COSIGN_ANNOTATIONS.certificate]
      ),
  );
  const allLayers = [...unchanged, layer];
  const config = {
    mediaType: MEDIA_TYPES.ociConfig,
    ...(await store.pushBlob(legacyConfig(allLayers))),
  };
  return store.pushManifest(
    serializeManifest({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config,
      layers: allLayers,
    }),
    MEDIA_TYPES.ociManifest,
    tag,
  );
}

export interface LegacyAttachOptions {
  /** PEM CA chain (Fulcio intermediate and root) for `dev.sigstore.cosign/chain`. */
  chainPem?: string;
}

/**
 * Attaches a message-signature bundle over `payload` (normally {@link simpleSigningPayload}) as a
 * cosign v2 `.sig` layer. The bundle needs a certificate and a tlog entry with an inclusion promise.
 */
export async function attachLegacySignature(
  store: ImageStore,
  subject: Digest,
  bundle: SerializedBundle,
  payload: Buffer,
  options: LegacyAttachOptions = {},
): Promise<Digest> {
  if (!bundle.messageSignature) {
    throw new OciError(
      'INVALID_INPUT',
      'bundle: expected a messageSignature bundle for a cosign .sig layer, found a DSSE envelope',
      { expected: 'messageSignature', found: 'dsseEnvelope' },
    );
  }
  return appendLegacyLayer(
    store,
    subject,
    '.sig',
    payload,
    MEDIA_TYPES.cosignSimpleSigning,
    bundleToLegacyAnnotations(bundle, options),
  );
}

/** Attaches a DSSE (in-toto) bundle as a cosign v2 `.att` layer: the envelope JSON, `predicateType` annotated. */
export async function attachLegacyAttestation(
  store: ImageStore,
  subject: Digest,
  bundle: SerializedBundle,
  options: LegacyAttachOptions = {},
): Promise<Digest> {
  const envelope = bundle.dsseEnvelope;
  if (!envelope) {
    throw new OciError(
      'INVALID_INPUT',
      'bundle: expected a DSSE envelope bundle for a cosign .att layer, found a message signature',
      { expected: 'dsseEnvelope', found: 'messageSignature' },
    );
  }
  const predicateType = inTotoPredicateType(bundle);
  const annotations = bundleToLegacyAnnotations(bundle, {
    ...options,
    ...(predicateType === undefined ? {} : { predicateType }),
  });
  const layer = Buffer.from(
    JSON.stringify({
      payloadType: envelope.payloadType,
      payload: envelope.payload,
      signatures: envelope.signatures,
    }),
  );
  return appendLegacyLayer(store, subject, '.att', layer, MEDIA_TYPES.dsseEnvelope, annotations);
}

/**
 * The reverse, for writers: cosign v2 layer annotations from a bundle (v0.1 to v0.3) that has a
 * certificate and a tlog entry with an inclusion promise (legacy layouts cannot carry inclusion proofs).
 * `chainPem` adds the CA chain, as cosign stores Fulcio's intermediate and root.
 */
export function bundleToLegacyAnnotations(
  bundle: SerializedBundle,
  options: { chainPem?: string; predicateType?: string } = {},
): Record<string, string> {
  const material = bundle.verificationMaterial;
  const certificates = material.certificate
    ? [material.certificate]
    : (material.x509CertificateChain?.certificates ?? []);
  const [leaf, ...rest] = certificates;
  if (!leaf)
    throw new OciError(
      'INVALID_INPUT',
      'bundle.verificationMaterial: expected a certificate for cosign legacy annotations, found none',
      { expected: 'certificate', found: 'none' },
    );
  const entry = material.tlogEntries?.[0];
  if (!entry?.inclusionPromise) {
    throw new OciError(
      'INVALID_INPUT',
      'bundle.verificationMaterial.tlogEntries[0].inclusionPromise: expected a signed entry timestamp for cosign legacy annotations, found none',
      {
        expected: 'inclusionPromise',
        found: entry ? 'no inclusionPromise' : 'no tlog entry',
      },
    );
  }
  const rekor: CosignRekorBundle = {
    SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
    Payload: {
      body: entry.canonicalizedBody,
      integratedTime: Number(entry.integratedTime),
      logIndex: Number(entry.logIndex),
      logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
    },
  };
  const chain = [
    ...rest.map((certificate) => derBase64ToPem(certificate.rawBytes)),
    options.chainPem ?? '',
  ].join('');
  const annotations: Record<string, string> = {
    [COSIGN_ANNOTATIONS.signature]: bundle.messageSignature?.signature ?? '',
    [COSIGN_ANNOTATIONS.certificate]: derBase64ToPem(leaf.rawBytes),
    [COSIGN_ANNOTATIONS.chain]: chain,
    [COSIGN_ANNOTATIONS.bundle]: JSON.stringify(rekor),
  };
  // A bundle's timestamp covers the signature; cosign expects an attestation's to cover the envelope, so only signatures carry one.
  const timestamp = bundle.messageSignature
    ? material.timestampVerificationData?.rfc3161Timestamps?.[0]
    : undefined;
  if (timestamp)
    annotations[COSIGN_ANNOTATIONS.rfc3161Timestamp] = JSON.stringify({
      SignedRFC3161Timestamp: timestamp.signedTimestamp,
    });
  if (options.predicateType !== undefined)
    annotations[COSIGN_ANNOTATIONS.predicateType] = options.predicateType;
  return annotations;
}
