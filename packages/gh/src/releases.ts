import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { compareSemVer, parseSemVer } from '@oci-sd/core';
import type { GitHubClient } from './client';
import { GitHubError } from './errors';
import { repoName, type RepoRef } from './repo';

/** GitHub refuses longer release bodies with a 422. */
export const RELEASE_BODY_LIMIT = 125_000;

const CONTENTS_WRITE = 'contents: write';

export interface AssetInfo {
  id: number;
  name: string;
  size: number;
  contentType: string;
  /** `sha256:<hex>` as GitHub reports it (null on servers that do not compute digests). */
  digest: string | null;
  downloadUrl: string;
}

export interface ReleaseInfo {
  id: number;
  tag: string;
  name: string | null;
  body: string | null;
  targetCommitish: string;
  draft: boolean;
  prerelease: boolean;
  /** Published with immutable releases on: assets frozen, tag burned. */
  immutable: boolean;
  htmlUrl: string;
  uploadUrl: string;
  assets: AssetInfo[];
}

/** A file to attach: from disk (`path`) or bytes in memory (`data`). */
export interface AssetInput {
  /** Asset name on the release (default: the file's base name). */
  name?: string;
  path?: string;
  data?: Uint8Array | string;
  /** Default: guessed from the extension, else application/octet-stream. */
  contentType?: string;
  label?: string;
}

export type ReleaseProgress =
  | {
      step: 'found-draft' | 'found-published' | 'created-draft' | 'published' | 'updated';
      release: ReleaseInfo;
    }
  | { step: 'asset'; name: string; action: AssetAction };

export type AssetAction = 'uploaded' | 'replaced' | 'kept';

export interface CreateReleaseOptions {
  tag: string;
  /** Branch or sha the tag is created from (always sent: GitHub's default branch may not be what you mean). */
  target: string;
  /** Title (default: the tag). */
  name?: string;
  notes?: string;
  prerelease?: boolean;
  makeLatest?: 'true' | 'false' | 'legacy';
  assets?: AssetInput[];
  /** Leave the release as a draft (default false: publish once the assets are up). */
  draft?: boolean;
  onProgress?: (event: ReleaseProgress) => void;
}

export interface CreateReleaseResult {
  release: ReleaseInfo;
  /** A new draft was created by this call (false: an existing draft or release was reused). */
  created: boolean;
  /** This call published the release. */
  published: boolean;
  /** The release was already published and this call brought its title, notes or prerelease flag up to date. */
  updated: boolean;
  assets: { name: string; action: AssetAction }[];
}

interface ApiAsset {
  id: number;
  name: string;
  size: number;
  content_type: string;
  digest?: string | null;
  browser_download_url: string;
}

interface ApiRelease {
  id: number;
  tag_name: string;
  name: string | null;
  body?: string | null;
  target_commitish: string;
  draft: boolean;
  prerelease: boolean;
  immutable?: boolean;
  html_url: string;
  upload_url: string;
  assets: ApiAsset[];
}

function toAsset(a: ApiAsset): AssetInfo {
  return {
    id: a.id,
    name: a.name,
    size: a.size,
    contentType: a.content_type,
    digest: a.digest ?? null,
    downloadUrl: a.browser_download_url,
  };
}

function toRelease(r: ApiRelease): ReleaseInfo {
  return {
    id: r.id,
    tag: r.tag_name,
    name: r.name,
    body: r.body ?? null,
    targetCommitish: r.target_commitish,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: r.immutable === true,
    htmlUrl: r.html_url,
    uploadUrl: r.upload_url,
    assets: r.assets.map(toAsset),
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.zip': 'application/zip',
  '.pem': 'application/x-pem-file',
  '.sig': 'application/octet-stream',
  '.intoto': 'application/json',
  '.jsonl': 'application/jsonl',
};

export interface LoadedAsset {
  name: string;
  contentType: string;
  label?: string;
  bytes: Buffer;
  /** `sha256:<hex>`, comparable with GitHub's asset digest. */
  digest: string;
}

/** Reads an asset into memory (before any request, so a missing file fails early). */
export async function loadAsset(input: AssetInput): Promise<LoadedAsset> {
  const name = input.name ?? (input.path ? basename(input.path) : undefined);
  if (!name)
    throw new GitHubError('INVALID_INPUT', 'asset needs a name or a path', {
      expected: 'name or path',
      found: input,
    });
  let bytes: Buffer;
  if (input.data !== undefined) bytes = Buffer.from(input.data);
  else if (input.path) {
    try {
      bytes = await readFile(input.path);
    } catch (error) {
      throw new GitHubError(
        'INVALID_INPUT',
        `asset ${name}: cannot read ${input.path}: ${(error as Error).message}`,
        { expected: 'a readable file', found: input.path, cause: error },
      );
    }
  } else
    throw new GitHubError('INVALID_INPUT', `asset ${name} needs a path or data`, {
      expected: 'path or data',
      found: 'neither',
    });
  return {
    name,
    contentType:
      input.contentType ?? CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
    ...(input.label !== undefined ? { label: input.label } : {}),
    bytes,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
}

function checkNotes(notes: string | undefined): void {
  if (notes !== undefined && notes.length > RELEASE_BODY_LIMIT) {
    throw new GitHubError(
      'BODY_TOO_LONG',
      `release notes are ${notes.length} characters; GitHub accepts at most ${RELEASE_BODY_LIMIT}`,
      {
        expected: `<= ${RELEASE_BODY_LIMIT} characters`,
        found: notes.length,
      },
    );
  }
}

/**
 * The release for a tag, drafts included. `GET /releases/tags/{tag}` never returns drafts (they
 * have no tag yet), so on 404 the release list is searched, newest first.
 */
export async function findRelease(
  client: GitHubClient,
  repo: RepoRef,
  tag: string,
): Promise<ReleaseInfo | undefined> {
  const context = { what: `find release ${tag} in ${repoName(repo)}`, permission: CONTENTS_WRITE };
  const published = await client.call(context, async () => {
    try {
      return (
        await client.octokit.request('GET /repos/{owner}/{repo}/releases/tags/{tag}', {
          ...repo,
          tag,
        })
      ).data as ApiRelease;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  });
  if (published) return toRelease(published);
  return client.call(context, async () => {
    for await (const page of client.octokit.paginate.iterator(
      'GET /repos/{owner}/{repo}/releases',
      { ...repo, per_page: 100 },
    )) {
      const draft = (page.data as ApiRelease[]).find((r) => r.draft && r.tag_name === tag);
      if (draft) return toRelease(draft);
    }
    return undefined;
  });
}

/**
 * Attaches one asset to a release, idempotently: an asset with the same name and digest is kept,
 * a different one replaced (delete, then upload); a 422 duplicate from a concurrent or half-done
 * upload is resolved the same way.
 */
export async function uploadAsset(
  client: GitHubClient,
  repo: RepoRef,
  release: ReleaseInfo,
  input: AssetInput | LoadedAsset,
): Promise<{ asset: AssetInfo; action: AssetAction }> {
  const asset = 'bytes' in input ? input : await loadAsset(input);
  const context = {
    what: `upload ${asset.name} to release ${release.tag} of ${repoName(repo)}`,
    permission: CONTENTS_WRITE,
  };
  const existing = release.assets.find((a) => a.name === asset.name);
  if (existing && existing.digest === asset.digest) return { asset: existing, action: 'kept' };
  if (release.immutable) {
    throw new GitHubError(
      'IMMUTABLE_RELEASE',
      `${context.what}: the release is published and immutable; ${existing ? 'its asset differs' : 'it has no such asset'} and cannot change. Release a new version instead.`,
      {
        expected: asset.digest,
        found: existing?.digest ?? 'no asset',
      },
    );
  }
  const origin = release.uploadUrl.slice(0, release.uploadUrl.indexOf('/repos/'));
  const upload = () =>
    client.octokit.request('POST /repos/{owner}/{repo}/releases/{release_id}/assets{?name,label}', {
      baseUrl: origin,
      ...repo,
      release_id: release.id,
      name: asset.name,
      ...(asset.label !== undefined ? { label: asset.label } : {}),
      // Octokit sends the bytes as they are; the declared type is JSON-ish.
      data: asset.bytes as unknown as string,
      headers: { 'content-type': asset.contentType, 'content-length': asset.bytes.length },
    });
  const remove = (id: number) =>
    client.octokit.request('DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}', {
      ...repo,
      asset_id: id,
    });
  return client.call(context, async () => {
    if (existing) await remove(existing.id);
    try {
      return {
        asset: toAsset((await upload()).data as ApiAsset),
        action: existing ? 'replaced' : 'uploaded',
      };
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error;
      // Someone (or a crashed run) uploaded this name meanwhile: look at what is there.
      const listed = await client.octokit.paginate(
        'GET /repos/{owner}/{repo}/releases/{release_id}/assets',
        { ...repo, release_id: release.id, per_page: 100 },
      );
      const clash = (listed as ApiAsset[]).find((a) => a.name === asset.name);
      if (!clash) throw error;
      if (clash.digest === asset.digest) return { asset: toAsset(clash), action: 'kept' as const };
      await remove(clash.id);
      return { asset: toAsset((await upload()).data as ApiAsset), action: 'replaced' as const };
    }
  });
}

export interface DownloadAssetOptions {
  /** Refuse assets larger than this many bytes (default 100 MiB): the bytes are held in memory. */
  maxBytes?: number;
}

const DEFAULT_MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024;

/** Reads a response body, failing as soon as it grows past `maxBytes`. */
async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (body) {
    for await (const chunk of body) {
      length += chunk.length;
      if (length > maxBytes) {
        await body.cancel().catch(() => {});
        throw new GitHubError('ASSET_TOO_LARGE', `${what}: more than ${maxBytes} bytes`, {
          expected: `<= ${maxBytes} bytes`,
          found: `> ${maxBytes} bytes`,
        });
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, length);
}

/**
 * An asset's bytes: `GET /releases/assets/{id}` with `Accept: application/octet-stream`. GitHub
 * answers 302 to a short-lived object URL (fetch follows it, leaving the token behind on another
 * host) or the bytes themselves; either way one HTTP attempt, retried on 5xx and network failures
 * like every call. The bytes must have the size and sha256 digest GitHub reports for the asset.
 */
export async function downloadAsset(
  client: GitHubClient,
  repo: RepoRef,
  asset: AssetInfo,
  options: DownloadAssetOptions = {},
): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const what = `download asset ${asset.name} (id ${asset.id}) of ${repoName(repo)}`;
  if (asset.size > maxBytes) {
    throw new GitHubError(
      'ASSET_TOO_LARGE',
      `${what}: GitHub reports ${asset.size} bytes, more than the ${maxBytes} allowed`,
      { expected: `<= ${maxBytes} bytes`, found: asset.size },
    );
  }
  const bytes = await client.call({ what, permission: 'contents: read' }, async () => {
    const response = await client.octokit.request(
      'GET /repos/{owner}/{repo}/releases/assets/{asset_id}',
      {
        ...repo,
        asset_id: asset.id,
        headers: { accept: 'application/octet-stream' },
        // The raw stream: Octokit would otherwise decode a JSON asset and lose its exact bytes.
        request: { parseSuccessResponseBody: false },
      },
    );
    return readAtMost(
      response.data as unknown as ReadableStream<Uint8Array> | null,
      maxBytes,
      what,
    );
  });
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (bytes.length !== asset.size || (asset.digest !== null && digest !== asset.digest)) {
    throw new GitHubError(
      'ASSET_MISMATCH',
      `${what}: the bytes received are not the asset GitHub describes (${bytes.length} bytes, ${digest})`,
      {
        expected: { size: asset.size, digest: asset.digest },
        found: { size: bytes.length, digest },
      },
    );
  }
  return bytes;
}

/**
 * Creates a release the way immutable releases need it: draft, upload every asset, then publish.
 * Idempotent: a rerun after a crash finds the draft (or the published release) and completes it,
 * never creating a second release or a duplicate asset.
 */
export async function createRelease(
  client: GitHubClient,
  repo: RepoRef,
  options: CreateReleaseOptions,
): Promise<CreateReleaseResult> {
  checkNotes(options.notes);
  const assets = await Promise.all((options.assets ?? []).map(loadAsset));
  const names = assets.map((a) => a.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate)
    throw new GitHubError('INVALID_INPUT', `asset name ${duplicate} given twice`, {
      expected: 'unique asset names',
      found: duplicate,
    });
  const fields = {
    tag_name: options.tag,
    target_commitish: options.target,
    name: options.name ?? options.tag,
    ...(options.notes !== undefined ? { body: options.notes } : {}),
    prerelease: options.prerelease ?? false,
    ...(options.makeLatest ? { make_latest: options.makeLatest } : {}),
  };
  const what = (verb: string) => ({
    what: `${verb} release ${options.tag} in ${repoName(repo)}`,
    permission: CONTENTS_WRITE,
  });

  let release = await findRelease(client, repo, options.tag);
  let created = false;
  if (release)
    options.onProgress?.({ step: release.draft ? 'found-draft' : 'found-published', release });
  if (!release) {
    const draft = await client.call(what('create draft'), () =>
      client.octokit.request('POST /repos/{owner}/{repo}/releases', {
        ...repo,
        ...fields,
        draft: true,
      }),
    );
    release = toRelease(draft.data as ApiRelease);
    created = true;
    options.onProgress?.({ step: 'created-draft', release });
  }

  const results: { name: string; action: AssetAction }[] = [];
  for (const asset of assets) {
    const { asset: uploaded, action } = await uploadAsset(client, repo, release, asset);
    release = {
      ...release,
      assets: [...release.assets.filter((a) => a.name !== uploaded.name), uploaded],
    };
    results.push({ name: asset.name, action });
    options.onProgress?.({ step: 'asset', name: asset.name, action });
  }

  let published = false;
  let updated = false;
  if (release.draft && !options.draft) {
    const response = await client.call(what('publish'), () =>
      client.octokit.request('PATCH /repos/{owner}/{repo}/releases/{release_id}', {
        ...repo,
        release_id: release!.id,
        ...fields,
        draft: false,
      }),
    );
    release = toRelease(response.data as ApiRelease);
    published = true;
    options.onProgress?.({ step: 'published', release });
  } else if (!release.draft && !created) {
    // A rerun with corrected notes converges; the tag and target of a published release stay as they are.
    const stale =
      release.name !== fields.name ||
      (options.notes !== undefined && release.body !== options.notes) ||
      release.prerelease !== fields.prerelease;
    if (stale) {
      const { tag_name: _tag, target_commitish: _target, ...editable } = fields;
      const response = await client.call(what('update'), () =>
        client.octokit.request('PATCH /repos/{owner}/{repo}/releases/{release_id}', {
          ...repo,
          release_id: release!.id,
          ...editable,
        }),
      );
      release = toRelease(response.data as ApiRelease);
      updated = true;
      options.onProgress?.({ step: 'updated', release });
    }
  }
  return { release, created, published, updated, assets: results };
}

export interface PreviousTagOptions {
  /** Tag prefix before the version (default `v`; `''` for bare versions). */
  prefix?: string;
}

/**
 * The nearest lower published release tag: a final release compares with the previous final
 * release (not its own release candidates), a prerelease with any lower version.
 */
export async function previousReleaseTag(
  client: GitHubClient,
  repo: RepoRef,
  tag: string,
  options: PreviousTagOptions = {},
): Promise<string | undefined> {
  const prefix = options.prefix ?? 'v';
  const version = (t: string) =>
    t.startsWith(prefix) ? parseSemVer(t.slice(prefix.length)) : undefined;
  const current = version(tag);
  if (!current)
    throw new GitHubError('INVALID_INPUT', `tag ${tag} is not ${prefix}MAJOR.MINOR.PATCH`, {
      expected: `${prefix}MAJOR.MINOR.PATCH[-PRERELEASE]`,
      found: tag,
    });
  const releases = await client.call(
    { what: `list releases of ${repoName(repo)}`, permission: 'contents: read' },
    () => client.octokit.paginate('GET /repos/{owner}/{repo}/releases', { ...repo, per_page: 100 }),
  );
  let best: { tag: string; v: NonNullable<ReturnType<typeof version>> } | undefined;
  for (const r of releases as ApiRelease[]) {
    if (r.draft) continue;
    const v = version(r.tag_name);
    if (!v || compareSemVer(v, current) >= 0) continue;
    if (current.prerelease.length === 0 && v.prerelease.length > 0) continue;
    if (!best || compareSemVer(v, best.v) > 0) best = { tag: r.tag_name, v };
  }
  return best?.tag;
}
