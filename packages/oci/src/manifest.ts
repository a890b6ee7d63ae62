import { OciError } from './errors';
import type { Digest } from './types';
import { assertDigest } from './digest';
import { MEDIA_TYPES } from './media-types';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
  /** Inline content (the OCI empty descriptor carries `e30=`). */
  data?: string;
}

/** An image manifest or an index, as far as sources and cosign readers need them. */
export interface ParsedManifest {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

function fail(where: string, field: string, expected: string, found: unknown): never {
  throw new OciError(
    'MALFORMED',
    `${where}: field ${field}: expected ${expected}, found ${JSON.stringify(found)?.slice(0, 200)}`,
    { expected, found },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseAnnotations(
  value: unknown,
  where: string,
  field: string,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string'))
    fail(where, field, 'an object of strings', value);
  return value as Record<string, string>;
}

export function parseDescriptor(value: unknown, where: string, field: string): Descriptor {
  if (!isRecord(value)) fail(where, field, 'a descriptor object', value);
  const { mediaType, digest, size, artifactType, annotations, platform, data } = value;
  if (typeof mediaType !== 'string') fail(where, `${field}.mediaType`, 'a string', mediaType);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    fail(where, `${field}.size`, 'a non-negative integer', size);
  if (artifactType !== undefined && typeof artifactType !== 'string')
    fail(where, `${field}.artifactType`, 'a string', artifactType);
  const descriptor: Descriptor = {
    mediaType,
    digest: assertDigest(digest, `${where}: field ${field}.digest`),
    size,
  };
  if (artifactType !== undefined) descriptor.artifactType = artifactType;
  const parsedAnnotations = parseAnnotations(annotations, where, `${field}.annotations`);
  if (parsedAnnotations) descriptor.annotations = parsedAnnotations;
  if (
    isRecord(platform) &&
    typeof platform.os === 'string' &&
    typeof platform.architecture === 'string'
  ) {
    descriptor.platform = { os: platform.os, architecture: platform.architecture };
    if (typeof platform.variant === 'string') descriptor.platform.variant = platform.variant;
  }
  if (typeof data === 'string') descriptor.data = data;
  return descriptor;
}

function parseDescriptors(value: unknown, where: string, field: string): Descriptor[] {
  if (!Array.isArray(value)) fail(where, field, 'an array of descriptors', value);
  return value.map((entry, i) => parseDescriptor(entry, where, `${field}[${i}]`));
}

/**
 * Parses manifest or index bytes. `fallbackMediaType` (Content-Type, or the referring descriptor) is used
 * when the JSON has no `mediaType` field, which OCI allows.
 */
export function parseManifest(
  bytes: Uint8Array,
  where: string,
  fallbackMediaType?: string,
): ParsedManifest {
  return manifestFromJson(manifestJson(bytes, where), where, fallbackMediaType);
}

/**
 * A manifest whose layers are read one by one: a layer that is not a descriptor stands in its place as the
 * MALFORMED error naming it. For cosign's `.sig`/`.att` manifests, where anyone who can push appends layers,
 * so one hostile layer must not hide the signatures next to it. The rest of the manifest is read as
 * {@link parseManifest} reads it.
 */
export function parseManifestLayers(
  bytes: Uint8Array,
  where: string,
  fallbackMediaType?: string,
): { manifest: ParsedManifest; layers: (Descriptor | OciError)[] } {
  const json = manifestJson(bytes, where);
  const { layers, ...rest } = isRecord(json) ? json : { layers: undefined };
  const manifest = manifestFromJson(isRecord(json) ? rest : json, where, fallbackMediaType);
  if (layers === undefined) return { manifest, layers: [] };
  if (!Array.isArray(layers)) fail(where, 'layers', 'an array of descriptors', layers);
  return {
    manifest,
    layers: layers.map((layer: unknown, i) => {
      try {
        return parseDescriptor(layer, where, `layers[${i}]`);
      } catch (error) {
        if (error instanceof OciError) return error;
        throw error;
      }
    }),
  };
}

function manifestJson(bytes: Uint8Array, where: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new OciError(
      'MALFORMED',
      `${where}: expected manifest JSON, found unparsable bytes (${(error as Error).message})`,
      { cause: error },
    );
  }
  return json;
}

function manifestFromJson(
  json: unknown,
  where: string,
  fallbackMediaType: string | undefined,
): ParsedManifest {
  if (!isRecord(json)) fail(where, '(root)', 'a JSON object', json);
  if (json.schemaVersion !== 2) fail(where, 'schemaVersion', '2', json.schemaVersion);
  const declared = json.mediaType;
  if (declared !== undefined && typeof declared !== 'string')
    fail(where, 'mediaType', 'a string', declared);
  const mediaType =
    declared ??
    fallbackMediaType ??
    (Array.isArray(json.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
  const manifest: ParsedManifest = { schemaVersion: 2, mediaType };
  if (json.artifactType !== undefined) {
    if (typeof json.artifactType !== 'string')
      fail(where, 'artifactType', 'a string', json.artifactType);
    manifest.artifactType = json.artifactType;
  }
  if (json.manifests !== undefined)
    manifest.manifests = parseDescriptors(json.manifests, where, 'manifests');
  if (json.layers !== undefined) manifest.layers = parseDescriptors(json.layers, where, 'layers');
  if (json.config !== undefined) manifest.config = parseDescriptor(json.config, where, 'config');
  if (json.subject !== undefined)
    manifest.subject = parseDescriptor(json.subject, where, 'subject');
  const annotations = parseAnnotations(json.annotations, where, 'annotations');
  if (annotations) manifest.annotations = annotations;
  return manifest;
}

/** Canonical bytes for manifests we write: the digest covers exactly these. */
export function serializeManifest(manifest: object): Buffer {
  return Buffer.from(JSON.stringify(manifest));
}
