import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@oci-sd/core';
import { OciError } from './errors';
import type { Digest, ManifestResponse, ReferrerDescriptor } from './types';
import { checkContent, digestHex, digestTag, isDigest, sha256Digest } from './digest';
import {
  parseManifest,
  parseManifestLayers,
  serializeManifest,
  type Descriptor,
  type ParsedManifest,
} from './manifest';
import { MEDIA_TYPES } from './media-types';
import { OCI_LAYOUT_PREFIX } from './reference';
import { toReferrers } from './registry';
import type { ImageStore } from './store';

const REF_NAME = 'org.opencontainers.image.ref.name';
/** `cosign save` marks index.json entries with this annotation instead of tags. */
const COSIGN_KIND = 'kind';
const COSIGN_KINDS = {
  image: ['dev.cosignproject.cosign/imageIndex', 'dev.cosignproject.cosign/image'],
  sig: 'dev.cosignproject.cosign/sigs',
  att: 'dev.cosignproject.cosign/atts',
} as const;

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Tags in index.json are `ref.name` annotations, either bare (`v1`) or full references (`ghcr.io/a/b:v1`). */
function refNameMatches(refName: string | undefined, tag: string): boolean {
  if (refName === undefined) return false;
  if (refName === tag) return true;
  const colon = refName.lastIndexOf(':');
  return colon > refName.lastIndexOf('/') && refName.slice(colon + 1) === tag;
}

/**
 * An OCI image layout directory: `oci-layout`, `index.json`, `blobs/sha256/<hex>`. Reads what
 * `cosign save` writes (entries annotated `kind: dev.cosignproject.cosign/...`) and standard
 * `org.opencontainers.image.ref.name` tags; writes the latter.
 */
export class OciLayoutSource implements ImageStore {
  readonly location: string;
  readonly dir: string;
  /** Serialises index.json read-modify-write cycles within this process. */
  private indexUpdate: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.location = `${OCI_LAYOUT_PREFIX}${this.dir}`;
  }

  private blobPath(digest: Digest): string {
    return join(this.dir, 'blobs', 'sha256', digestHex(digest));
  }

  private async readIndex(): Promise<ParsedManifest> {
    const path = join(this.dir, 'index.json');
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if (isNotFound(error))
        throw new OciError('NOT_FOUND', `${path}: not an OCI image layout (no index.json)`, {
          expected: 'index.json',
          found: 'missing',
          cause: error,
        });
      throw new OciError('INVALID_INPUT', `${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parseManifest(bytes, path, MEDIA_TYPES.ociIndex);
  }

  /** Without a tag or digest: the layout's only image (what `cosign save` writes). */
  async resolveDefault(): Promise<ManifestResponse> {
    const entries = (await this.readIndex()).manifests ?? [];
    const images = entries.filter((entry) =>
      (COSIGN_KINDS.image as readonly string[]).includes(entry.annotations?.[COSIGN_KIND] ?? ''),
    );
    const candidates =
      images.length > 0 ? images : entries.filter((entry) => !entry.annotations?.[COSIGN_KIND]);
    if (candidates.length !== 1) {
      const names = candidates.map((entry) => entry.annotations?.[REF_NAME] ?? entry.digest);
      throw new OciError(
        'INVALID_INPUT',
        `${this.location}: holds ${candidates.length} images; name one with :TAG or @sha256:...`,
        { expected: 'exactly one image', found: names },
      );
    }
    return this.manifest(candidates[0]!.digest);
  }

  async resolve(reference: string): Promise<ManifestResponse> {
    if (isDigest(reference)) return this.manifest(reference);
    const found = await this.manifestByTag(reference);
    if (!found)
      throw new OciError(
        'NOT_FOUND',
        `${this.location}:${reference}: tag not found in index.json`,
        { expected: `tag ${reference}`, found: 'no such tag' },
      );
    return found;
  }

  async manifestByTag(tag: string): Promise<ManifestResponse | undefined> {
    const entries = (await this.readIndex()).manifests ?? [];
    const tagged = entries.find((entry) => refNameMatches(entry.annotations?.[REF_NAME], tag));
    if (tagged) return this.manifest(tagged.digest, tagged.mediaType);
    const cosignEntry = this.cosignTagEntry(entries, tag);
    return cosignEntry ? this.manifest(cosignEntry.digest, cosignEntry.mediaType) : undefined;
  }

  /** `sha256-<hex>.sig|.att` of the layout's cosign image maps to its `sigs`/`atts` entry. */
  private cosignTagEntry(entries: readonly Descriptor[], tag: string): Descriptor | undefined {
    const match = /^sha256-([a-f0-9]{64})\.(sig|att)$/.exec(tag);
    if (!match) return undefined;
    const image = entries.find((entry) =>
      (COSIGN_KINDS.image as readonly string[]).includes(entry.annotations?.[COSIGN_KIND] ?? ''),
    );
    if (!image || digestHex(image.digest) !== match[1]) return undefined;
    const kind = match[2] === 'sig' ? COSIGN_KINDS.sig : COSIGN_KINDS.att;
    return entries.find((entry) => entry.annotations?.[COSIGN_KIND] === kind);
  }

  async manifest(digest: Digest, descriptorMediaType?: string): Promise<ManifestResponse> {
    const bytes = await this.readBlob(digest, 'manifest');
    checkContent(bytes, digest, undefined, `manifest ${this.location}@${digest}`);
    // Layers are read one by one later (parseManifestLayers): one hostile `.sig` layer must not hide the rest.
    const { mediaType } = parseManifestLayers(
      bytes,
      `manifest ${this.blobPath(digest)}`,
      descriptorMediaType,
    ).manifest;
    return { digest, mediaType, bytes };
  }

  async blob(digest: Digest, size?: number): Promise<Buffer> {
    const bytes = await this.readBlob(digest, 'blob');
    checkContent(bytes, digest, size, `blob ${this.blobPath(digest)}`);
    return bytes;
  }

  private async readBlob(digest: Digest, what: string): Promise<Buffer> {
    const path = this.blobPath(digest);
    try {
      return await readFile(path);
    } catch (error) {
      if (isNotFound(error))
        throw new OciError('NOT_FOUND', `${what} ${path}: not in the layout`, {
          expected: digest,
          found: 'missing',
          cause: error,
        });
      throw new OciError('INVALID_INPUT', `${what} ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The `sha256-<hex>` fallback index, plus top-level manifests whose `subject` is the digest. */
  async referrers(digest: Digest): Promise<ReferrerDescriptor[]> {
    const found = new Map<Digest, ReferrerDescriptor>();
    const fallback = await this.manifestByTag(digestTag(digest));
    if (fallback) {
      for (const referrer of toReferrers(
        parseManifest(fallback.bytes, `${this.location}:${digestTag(digest)}`).manifests ?? [],
      ))
        found.set(referrer.digest, referrer);
    }
    for (const entry of (await this.readIndex()).manifests ?? []) {
      if (entry.mediaType !== MEDIA_TYPES.ociManifest || found.has(entry.digest)) continue;
      let manifest: ParsedManifest;
      try {
        manifest = parseManifest(
          (await this.manifest(entry.digest, entry.mediaType)).bytes,
          `${this.location}@${entry.digest}`,
        );
      } catch (error) {
        // Bytes that are not a manifest name no subject: like a manifest about another image, not a referrer of this one.
        if (error instanceof OciError && error.code === 'MALFORMED') continue;
        throw error;
      }
      if (manifest.subject?.digest !== digest) continue;
      found.set(entry.digest, {
        digest: entry.digest,
        mediaType: entry.mediaType,
        size: entry.size,
        ...(manifest.artifactType === undefined ? {} : { artifactType: manifest.artifactType }),
        ...(manifest.annotations === undefined ? {} : { annotations: manifest.annotations }),
      });
    }
    return [...found.values()];
  }

  async pushBlob(bytes: Buffer): Promise<{ digest: Digest; size: number }> {
    const digest = sha256Digest(bytes);
    const path = this.blobPath(digest);
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    // An existing blob is kept only if it still holds these bytes; a damaged one is replaced.
    const existing = await readFile(path).catch(() => undefined);
    if (!existing || sha256Digest(existing) !== digest) await writeFileAtomic(path, bytes);
    return { digest, size: bytes.length };
  }

  async pushManifest(bytes: Buffer, mediaType: string, tag?: string): Promise<Digest> {
    const { digest, size } = await this.pushBlob(bytes);
    if (tag === undefined) return digest;
    const update = this.indexUpdate.then(async () => {
      await this.ensureLayoutFile();
      let entries: Descriptor[] = [];
      try {
        entries = (await this.readIndex()).manifests ?? [];
      } catch (error) {
        if (!(error instanceof OciError && error.code === 'NOT_FOUND')) throw error;
      }
      const kept = entries.filter((entry) => entry.annotations?.[REF_NAME] !== tag);
      kept.push({ mediaType, digest, size, annotations: { [REF_NAME]: tag } });
      await writeFileAtomic(
        join(this.dir, 'index.json'),
        serializeManifest({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: kept }),
      );
    });
    this.indexUpdate = update.catch(() => undefined);
    await update;
    return digest;
  }

  private async ensureLayoutFile(): Promise<void> {
    const path = join(this.dir, 'oci-layout');
    if (!(await stat(path).catch(() => undefined)))
      await writeFileAtomic(path, Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  }
}
