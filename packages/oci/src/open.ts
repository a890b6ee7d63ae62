import type { ManifestResponse } from './types';
import { OciLayoutSource } from './layout';
import { parseImageReference, type ImageReference } from './reference';
import { RegistrySource, type RegistrySourceOptions } from './registry';

export interface OpenedImage {
  reference: ImageReference;
  source: RegistrySource | OciLayoutSource;
}

/** The source an image reference names: a registry repository, or an OCI layout directory. */
export function openImageSource(
  reference: string | ImageReference,
  options: RegistrySourceOptions = {},
): OpenedImage {
  const parsed = typeof reference === 'string' ? parseImageReference(reference) : reference;
  const source =
    parsed.kind === 'oci-layout'
      ? new OciLayoutSource(parsed.path)
      : new RegistrySource(parsed.registry, parsed.repository, options);
  return { reference: parsed, source };
}

/**
 * Resolves a reference once: by digest when it has one (a tag beside it is ignored, as cosign does),
 * else its tag, else the only image of a layout, else `latest`.
 */
export async function resolveImage({ reference, source }: OpenedImage): Promise<ManifestResponse> {
  if (reference.digest) return source.manifest(reference.digest);
  if (reference.tag !== undefined) return source.resolve(reference.tag);
  if (source instanceof OciLayoutSource) return source.resolveDefault();
  return source.resolve('latest');
}
