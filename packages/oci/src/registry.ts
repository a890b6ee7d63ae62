import { OciError } from './errors';
import type { Digest, ManifestResponse, ReferrerDescriptor } from './types';
import { checkContent, digestTag, isDigest, sha256Digest } from './digest';
import { RegistryClient, type HttpResponse, type RegistryClientOptions } from './http';
import { parseManifest, parseManifestLayers } from './manifest';
import { MANIFEST_ACCEPT, MEDIA_TYPES } from './media-types';
import { registryBaseUrl } from './reference';
import { MAX_MANIFEST_BYTES, type ImageStore } from './store';

export type RegistrySourceOptions = RegistryClientOptions & {
  /** Base URL override, e.g. a proxy in tests; defaults to http on loopback and https elsewhere. */
  baseUrl?: string;
};

function registryErrorSummary(response: HttpResponse): string {
  try {
    const json = JSON.parse(response.body.toString('utf8')) as {
      errors?: { code?: string; message?: string }[];
    };
    const summary = (json.errors ?? [])
      .map((e) => [e.code, e.message].filter(Boolean).join(' '))
      .join('; ');
    if (summary) return `HTTP ${response.status} (${summary.slice(0, 300)})`;
  } catch {
    // not a distribution error body
  }
  return `HTTP ${response.status}`;
}

/** An image repository on an OCI distribution registry (GHCR, Docker Hub, docker-registry, ...). */
export class RegistrySource implements ImageStore {
  readonly location: string;
  readonly client: RegistryClient;
  /** Learned on the first 404 from the referrers endpoint; later lookups go straight to the tag fallback. */
  private referrersApi: 'unknown' | 'absent' | 'present' = 'unknown';

  constructor(
    readonly registry: string,
    readonly repository: string,
    options: RegistrySourceOptions = {},
  ) {
    this.location = `${registry}/${repository}`;
    this.client = new RegistryClient(
      options.baseUrl ?? registryBaseUrl(registry),
      repository,
      options,
    );
  }

  async resolve(reference: string): Promise<ManifestResponse> {
    if (isDigest(reference)) return this.manifest(reference);
    const found = await this.manifestByTag(reference);
    if (!found)
      throw new OciError('NOT_FOUND', `${this.location}:${reference}: tag not found`, {
        expected: `tag ${reference}`,
        found: 'no such tag',
      });
    return found;
  }

  async manifest(digest: Digest): Promise<ManifestResponse> {
    const found = await this.getManifest(digest);
    if (!found)
      throw new OciError('NOT_FOUND', `${this.location}@${digest}: manifest not found`, {
        expected: digest,
        found: 'no such manifest',
      });
    return found;
  }

  async manifestByTag(tag: string): Promise<ManifestResponse | undefined> {
    return this.getManifest(tag);
  }

  private async getManifest(reference: string): Promise<ManifestResponse | undefined> {
    const what = `${this.location}${isDigest(reference) ? '@' : ':'}${reference}`;
    const response = await this.client.request(`manifests/${reference}`, {
      headers: { accept: MANIFEST_ACCEPT },
      maxBodyBytes: MAX_MANIFEST_BYTES,
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200)
      throw new OciError('REGISTRY', `GET ${what}: ${registryErrorSummary(response)}`, {
        expected: 200,
        found: response.status,
      });
    const bytes = response.body;
    let digest: Digest;
    if (isDigest(reference)) {
      checkContent(bytes, reference, undefined, `manifest ${what}`);
      digest = reference;
    } else {
      // The digest of a tag is what its bytes hash to; the header is only cross-checked.
      digest = sha256Digest(bytes);
      const header = response.headers.get('docker-content-digest');
      if (header !== null && header !== digest) {
        throw new OciError(
          'DIGEST_MISMATCH',
          `manifest ${what}: Docker-Content-Digest says ${header} but the bytes hash to ${digest}`,
          { expected: header, found: digest },
        );
      }
    }
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim();
    // Layers are read one by one later (parseManifestLayers): one hostile `.sig` layer must not hide the rest.
    const { mediaType } = parseManifestLayers(bytes, `manifest ${what}`, contentType).manifest;
    return { digest, mediaType, bytes };
  }

  async blob(digest: Digest, size?: number): Promise<Buffer> {
    const what = `${this.location}@${digest}`;
    const response = await this.client.request(`blobs/${digest}`);
    if (response.status === 404)
      throw new OciError('NOT_FOUND', `blob ${what}: not found`, {
        expected: digest,
        found: 'no such blob',
      });
    if (response.status !== 200)
      throw new OciError('REGISTRY', `GET blob ${what}: ${registryErrorSummary(response)}`, {
        expected: 200,
        found: response.status,
      });
    checkContent(response.body, digest, size, `blob ${what}`);
    return response.body;
  }

  async referrers(digest: Digest): Promise<ReferrerDescriptor[]> {
    if (this.referrersApi === 'absent') return this.referrersFromTag(digest);
    // Until we know whether the registry has the API, read the fallback tag alongside: one round trip either way.
    const fallback = this.referrersApi === 'unknown' ? this.referrersFromTag(digest) : undefined;
    fallback?.catch(() => undefined); // awaited below only when the API is absent
    const what = `${this.location} referrers of ${digest}`;
    const response = await this.client.request(`referrers/${digest}`, {
      headers: { accept: MEDIA_TYPES.ociIndex },
      maxBodyBytes: MAX_MANIFEST_BYTES,
    });
    if (response.status === 200) {
      this.referrersApi = 'present';
      return toReferrers(parseManifest(response.body, what, MEDIA_TYPES.ociIndex).manifests ?? []);
    }
    if (response.status !== 404)
      throw new OciError('REGISTRY', `GET ${what}: ${registryErrorSummary(response)}`, {
        expected: '200 or 404',
        found: response.status,
      });
    this.referrersApi = 'absent';
    return fallback ?? this.referrersFromTag(digest);
  }

  private async referrersFromTag(digest: Digest): Promise<ReferrerDescriptor[]> {
    const tag = digestTag(digest);
    const index = await this.manifestByTag(tag);
    return index
      ? toReferrers(
          parseManifest(
            index.bytes,
            `${this.location}:${tag} (referrers tag fallback)`,
            index.mediaType,
          ).manifests ?? [],
        )
      : [];
  }

  async pushBlob(bytes: Buffer): Promise<{ digest: Digest; size: number }> {
    const digest = sha256Digest(bytes);
    const what = `${this.location}@${digest}`;
    const head = await this.client.request(`blobs/${digest}`, {
      method: 'HEAD',
      actions: 'pull,push',
    });
    if (head.status === 200) return { digest, size: bytes.length };
    const start = await this.client.request('blobs/uploads/', {
      method: 'POST',
      actions: 'pull,push',
    });
    const location = start.headers.get('location');
    if (start.status !== 202 || !location)
      throw new OciError('REGISTRY', `POST blob upload ${what}: ${registryErrorSummary(start)}`, {
        expected: '202 with Location',
        found: start.status,
      });
    const uploadUrl = new URL(location, this.client.baseUrl);
    uploadUrl.searchParams.set('digest', digest);
    const put = await this.client.request(uploadUrl.toString(), {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
      actions: 'pull,push',
    });
    if (put.status !== 201)
      throw new OciError('REGISTRY', `PUT blob ${what}: ${registryErrorSummary(put)}`, {
        expected: 201,
        found: put.status,
      });
    return { digest, size: bytes.length };
  }

  async pushManifest(bytes: Buffer, mediaType: string, tag?: string): Promise<Digest> {
    const digest = sha256Digest(bytes);
    const reference = tag ?? digest;
    const response = await this.client.request(`manifests/${reference}`, {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': mediaType },
      actions: 'pull,push',
    });
    if (response.status !== 201)
      throw new OciError(
        'REGISTRY',
        `PUT manifest ${this.location}:${reference}: ${registryErrorSummary(response)}`,
        { expected: 201, found: response.status },
      );
    const stored = response.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest) {
      throw new OciError(
        'DIGEST_MISMATCH',
        `PUT manifest ${this.location}:${reference}: registry stored ${stored}, we sent ${digest}`,
        { expected: digest, found: stored },
      );
    }
    return digest;
  }
}

export function toReferrers(
  manifests: readonly {
    digest: Digest;
    mediaType: string;
    size: number;
    artifactType?: string;
    annotations?: Record<string, string>;
  }[],
): ReferrerDescriptor[] {
  return manifests.map(({ digest, mediaType, size, artifactType, annotations }) => ({
    digest,
    mediaType,
    size,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  }));
}
