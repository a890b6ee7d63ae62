import { describe, expect, it } from 'vitest';
import { rejectionOf } from '@oci-sd/test-support';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import {
  createRelease,
  downloadAsset,
  findRelease,
  parseRepo,
  previousReleaseTag,
  uploadAsset,
  type GitHubClient,
  GitHubError,
} from '../src/index';
import type { AssetInfo } from '../src/index';
import { testClient, TOKEN, uniqueRepo } from './support/helpers';
import { useTestServer } from './support/test-server';

let gh: GitHubApiServer;
let client: GitHubClient;
useTestServer((started) => ({ gh, client } = started));

const ASSETS = [
  { name: 'release-metadata.json', data: '{"digest":"sha256:abc"}' },
  { name: 'sbom.cdx.json', data: '{"bomFormat":"CycloneDX"}' },
];

describe('createRelease', () => {
  it('drafts, uploads every asset, then publishes; the tag appears only on publishing', async () => {
    const name = uniqueRepo();
    const state = gh.state.createRepo(name, { immutableReleases: true });
    const repo = parseRepo(name);
    const steps: string[] = [];
    const before = client.requestCount;
    const result = await createRelease(client, repo, {
      tag: 'v1.5.0',
      target: 'main',
      notes: '## Added\n- Feature one',
      assets: ASSETS,
      makeLatest: 'true',
      onProgress: (e) => steps.push(e.step === 'asset' ? `asset ${e.name} ${e.action}` : e.step),
    });
    expect(steps).toEqual([
      'created-draft',
      'asset release-metadata.json uploaded',
      'asset sbom.cdx.json uploaded',
      'published',
    ]);
    expect(result).toMatchObject({ created: true, published: true, updated: false });
    expect(result.release).toMatchObject({
      tag: 'v1.5.0',
      draft: false,
      immutable: true,
      name: 'v1.5.0',
      body: '## Added\n- Feature one',
    });
    expect(result.release.assets.map((a) => a.name)).toEqual([
      'release-metadata.json',
      'sbom.cdx.json',
    ]);
    // tag lookup (404), list for drafts, create draft, 2 uploads, publish
    expect(client.requestCount - before).toBe(6);
    expect(state.releases).toHaveLength(1);
    expect(state.tags.get('v1.5.0')).toBe(state.branches.get('main'));
    const [draftCreate] = gh.requests.filter(
      (r) => r.operationId === 'repos/create-release' && r.path.includes(name),
    );
    expect(draftCreate?.status).toBe(201);
  });

  it('is idempotent: a rerun on the published release changes nothing and creates nothing', async () => {
    const name = uniqueRepo();
    const state = gh.state.createRepo(name, { immutableReleases: true });
    const repo = parseRepo(name);
    await createRelease(client, repo, { tag: 'v1.0.0', target: 'main', assets: ASSETS });
    const before = client.requestCount;
    const again = await createRelease(client, repo, {
      tag: 'v1.0.0',
      target: 'main',
      assets: ASSETS,
    });
    expect(again).toMatchObject({
      created: false,
      published: false,
      updated: false,
      assets: [{ action: 'kept' }, { action: 'kept' }],
    });
    expect(client.requestCount - before).toBe(1);
    expect(state.releases).toHaveLength(1);
  });

  it('brings the notes and title of a published release up to date on a rerun, never its tag', async () => {
    const name = uniqueRepo();
    const state = gh.state.createRepo(name, { immutableReleases: true });
    const repo = parseRepo(name);
    await createRelease(client, repo, {
      tag: 'v1.1.0',
      target: 'main',
      notes: 'first draft of the notes',
    });
    const tagged = state.tags.get('v1.1.0');
    gh.state.commit(state, 'main', 'later work');
    const fixed = await createRelease(client, repo, {
      tag: 'v1.1.0',
      target: 'main',
      name: 'v1.1.0 (fixed notes)',
      notes: 'corrected notes',
    });
    expect(fixed).toMatchObject({ created: false, published: false, updated: true });
    expect(state.releases[0]).toMatchObject({
      name: 'v1.1.0 (fixed notes)',
      body: 'corrected notes',
      tagName: 'v1.1.0',
    });
    expect(state.tags.get('v1.1.0')).toBe(tagged);
  });

  it('completes the same release after a crash between the draft and publishing', async () => {
    const name = uniqueRepo();
    const state = gh.state.createRepo(name, { immutableReleases: true });
    const repo = parseRepo(name);
    // Publishing keeps failing: the run "crashes" with a draft and one asset up.
    gh.faults.fail({ status: 502, times: 4, match: { operationId: 'repos/update-release' } });
    const crashed = await rejectionOf(
      createRelease(client, repo, {
        tag: 'v2.0.0',
        target: 'main',
        notes: 'n',
        assets: ASSETS.slice(0, 1),
      }),
      GitHubError,
      'NETWORK',
    );
    expect(crashed.message).toMatch(/publish release v2\.0\.0/);
    expect(crashed.request).toMatch(/^PATCH .*\/releases\/\d+$/);
    expect(state.releases).toMatchObject([{ draft: true }]);
    const rerun = await createRelease(client, repo, {
      tag: 'v2.0.0',
      target: 'main',
      notes: 'n',
      assets: ASSETS,
    });
    expect(rerun).toMatchObject({
      created: false,
      published: true,
      assets: [{ action: 'kept' }, { action: 'uploaded' }],
    });
    expect(state.releases).toHaveLength(1);
    expect(state.releases[0]).toMatchObject({ draft: false, immutable: true });
    expect(state.releases[0]!.assets.map((a) => a.name)).toEqual([
      'release-metadata.json',
      'sbom.cdx.json',
    ]);
  });

  it('replaces a draft asset whose bytes differ, and resolves a duplicate-name 422', async () => {
    const name = uniqueRepo();
    const state = gh.state.createRepo(name);
    const repo = parseRepo(name);
    await createRelease(client, repo, {
      tag: 'v0.1.0',
      target: 'main',
      assets: ASSETS,
      draft: true,
    });
    const changed = await createRelease(client, repo, {
      tag: 'v0.1.0',
      target: 'main',
      assets: [{ name: 'sbom.cdx.json', data: '{"bomFormat":"CycloneDX","v":2}' }],
      draft: true,
    });
    expect(changed.assets).toEqual([{ name: 'sbom.cdx.json', action: 'replaced' }]);
    expect(
      state.releases[0]!.assets.find((a) => a.name === 'sbom.cdx.json')!.bytes.toString(),
    ).toContain('"v":2');
    // A stale view of the release (no assets) meets an existing asset: 422, then resolved.
    const stale = { ...(await findRelease(client, repo, 'v0.1.0'))!, assets: [] };
    const kept = await uploadAsset(client, repo, stale, ASSETS[0]!);
    expect(kept.action).toBe('kept');
    const replaced = await uploadAsset(client, repo, stale, {
      name: 'release-metadata.json',
      data: 'other',
    });
    expect(replaced.action).toBe('replaced');
    expect(
      state.releases[0]!.assets.filter((a) => a.name === 'release-metadata.json'),
    ).toHaveLength(1);
    expect(
      gh.requests.some((r) => r.operationId === 'repos/upload-release-asset' && r.status === 422),
    ).toBe(true);
  });

  it('refuses to change a published immutable release, and a burned tag', async () => {
    const name = uniqueRepo();
    const state = gh.state.createRepo(name, { immutableReleases: true });
    const repo = parseRepo(name);
    await createRelease(client, repo, {
      tag: 'v3.0.0',
      target: 'main',
      assets: ASSETS.slice(0, 1),
    });
    const more = await rejectionOf(
      createRelease(client, repo, { tag: 'v3.0.0', target: 'main', assets: ASSETS }),
      GitHubError,
      'IMMUTABLE_RELEASE',
    );
    expect(more.message).toMatch(/sbom\.cdx\.json.*immutable/);
    // Deleting the release does not give the tag back.
    state.releases.length = 0;
    const burned = await rejectionOf(
      createRelease(client, repo, { tag: 'v3.0.0', target: 'main' }),
      GitHubError,
      'TAG_BURNED',
    );
    expect(burned.message).toMatch(/can never be used again/);
    expect(burned.status).toBe(422);
  });

  it('refuses notes over 125,000 characters before sending anything', async () => {
    const repo = parseRepo(uniqueRepo());
    const before = client.requestCount;
    const error = await rejectionOf(
      createRelease(client, repo, { tag: 'v1.0.0', target: 'main', notes: 'x'.repeat(125_001) }),
      GitHubError,
      'BODY_TOO_LONG',
    );
    expect(error.found).toBe(125_001);
    expect(client.requestCount).toBe(before);
  });

  it('refuses a missing asset file before sending anything', async () => {
    const repo = parseRepo(uniqueRepo());
    const before = client.requestCount;
    const error = await rejectionOf(
      createRelease(client, repo, {
        tag: 'v1.0.0',
        target: 'main',
        assets: [{ path: '/nonexistent/sbom.json' }],
      }),
      GitHubError,
      'INVALID_INPUT',
    );
    expect(error.message).toMatch(/sbom\.json.*\/nonexistent\/sbom\.json/);
    expect(client.requestCount).toBe(before);
  });
});

describe('downloadAsset', () => {
  /** A published release with one JSON asset whose exact bytes (indentation, final newline) matter. */
  async function releasedAsset(): Promise<{
    repo: ReturnType<typeof parseRepo>;
    asset: AssetInfo;
    bytes: Buffer;
    stored: { bytes: Buffer };
  }> {
    const name = uniqueRepo('download');
    const state = gh.state.createRepo(name, { immutableReleases: true });
    const repo = parseRepo(name);
    const bytes = Buffer.from('{\n  "digest": "sha256:ab"\n}\n');
    const { release } = await createRelease(client, repo, {
      tag: 'v1.0.0',
      target: 'main',
      assets: [{ name: 'release-metadata.json', data: bytes }],
    });
    return { repo, asset: release.assets[0]!, bytes, stored: state.releases[0]!.assets[0]! };
  }
  /** The API requests and object downloads for this asset, in order. */
  const attempts = (asset: AssetInfo) =>
    gh.requests.filter(
      (r) =>
        r.path.endsWith(`/releases/assets/${asset.id}`) ||
        r.path.includes(`/${asset.id}/release-metadata.json`),
    );

  it('follows GitHub’s redirect to the object URL and returns the exact bytes, in one attempt', async () => {
    const { repo, asset, bytes } = await releasedAsset();
    const before = client.requestCount;
    const seen = gh.requests.length;
    expect(await downloadAsset(client, repo, asset)).toEqual(bytes);
    expect(client.requestCount - before).toBe(1);
    expect(gh.requests.slice(seen).map((r) => `${r.operationId ?? 'object'} ${r.status}`)).toEqual([
      'repos/get-release-asset 302',
      'object 200',
    ]);
  });

  it('retries 5xx from the API and from the object URL, then succeeds', async () => {
    const { repo, asset, bytes } = await releasedAsset();
    gh.faults.fail({ status: 502, times: 1, match: { operationId: 'repos/get-release-asset' } });
    gh.faults.fail({ status: 503, times: 1, match: { path: '/objects/' } });
    const before = client.requestCount;
    expect(await downloadAsset(client, repo, asset)).toEqual(bytes);
    expect(client.requestCount - before).toBe(3);
    expect(attempts(asset).map((r) => r.status)).toEqual([502, 302, 503, 302, 200]);
  });

  it('gives up as NETWORK after the retries, naming the asset and never the token', async () => {
    const { repo, asset } = await releasedAsset();
    gh.faults.fail({ status: 502, times: 10, match: { path: '/objects/' } });
    const before = client.requestCount;
    const error = await rejectionOf(downloadAsset(client, repo, asset), GitHubError, 'NETWORK');
    expect(client.requestCount - before).toBe(4);
    expect(error.message).toMatch(/download asset release-metadata\.json \(id \d+\)/);
    expect(JSON.stringify({ m: error.message, c: error.cause, r: error.request })).not.toContain(
      TOKEN,
    );
  });

  it('times out a hanging object URL per attempt and retries it', async () => {
    const { repo, asset, bytes } = await releasedAsset();
    const impatient = await testClient(gh, { requestTimeoutMs: 1_000, retries: 2 });
    gh.faults.slow({ ms: 30_000, times: 2, match: { path: '/objects/' } });
    expect(await downloadAsset(impatient, repo, asset)).toEqual(bytes);
    expect(impatient.requestCount).toBe(3);
  });

  it('404 for an asset deleted since the release was read, without retrying', async () => {
    const { repo, asset } = await releasedAsset();
    const release = gh.state.repo(`${repo.owner}/${repo.repo}`).releases[0]!;
    release.assets.length = 0;
    const before = client.requestCount;
    const error = await rejectionOf(downloadAsset(client, repo, asset), GitHubError, 'NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.request).toMatch(/^GET .*\/releases\/assets\/\d+$/);
    expect(client.requestCount - before).toBe(1);
  });

  it('fails closed when the bytes are not the size and digest GitHub reports', async () => {
    const { repo, asset, stored } = await releasedAsset();
    // Same length, one byte changed: only the digest can tell.
    stored.bytes = Buffer.from(stored.bytes.toString().replace('ab', 'ac'));
    const error = await rejectionOf(
      downloadAsset(client, repo, asset),
      GitHubError,
      'ASSET_MISMATCH',
    );
    expect(error.expected).toEqual({ size: asset.size, digest: asset.digest });
    expect((error.found as { digest: string }).digest).not.toBe(asset.digest);
    stored.bytes = Buffer.concat([stored.bytes, Buffer.from(' ')]);
    expect(
      (await rejectionOf(downloadAsset(client, repo, asset), GitHubError, 'ASSET_MISMATCH')).found,
    ).toMatchObject({ size: asset.size + 1 });
  });

  it('refuses an asset over maxBytes before any request, and a body that grows past it', async () => {
    const { repo, asset, stored } = await releasedAsset();
    const before = client.requestCount;
    const error = await rejectionOf(
      downloadAsset(client, repo, asset, { maxBytes: asset.size - 1 }),
      GitHubError,
      'ASSET_TOO_LARGE',
    );
    expect(error.found).toBe(asset.size);
    expect(client.requestCount).toBe(before);
    stored.bytes = Buffer.alloc(64 * 1024, 'x');
    await rejectionOf(
      downloadAsset(client, repo, asset, { maxBytes: 1024 }),
      GitHubError,
      'ASSET_TOO_LARGE',
    );
  });
});

describe('findRelease and previousReleaseTag', () => {
  it('finds drafts (which have no tag) and published releases', async () => {
    const name = uniqueRepo();
    gh.state.createRepo(name);
    const repo = parseRepo(name);
    expect(await findRelease(client, repo, 'v1.0.0')).toBeUndefined();
    await createRelease(client, repo, { tag: 'v1.0.0', target: 'main', draft: true });
    expect(await findRelease(client, repo, 'v1.0.0')).toMatchObject({ tag: 'v1.0.0', draft: true });
    await createRelease(client, repo, { tag: 'v1.0.0', target: 'main' });
    expect(await findRelease(client, repo, 'v1.0.0')).toMatchObject({
      tag: 'v1.0.0',
      draft: false,
    });
  });

  it('gives the nearest lower release; a final release skips release candidates; drafts do not count', async () => {
    const name = uniqueRepo();
    gh.state.createRepo(name);
    const repo = parseRepo(name);
    for (const tag of ['v1.4.0', 'v1.4.1', 'v1.5.0-rc.1', 'v1.5.0-rc.2', 'v1.10.0'])
      await createRelease(client, repo, { tag, target: 'main', prerelease: tag.includes('-') });
    await createRelease(client, repo, { tag: 'v1.4.2', target: 'main', draft: true });
    expect(await previousReleaseTag(client, repo, 'v1.5.0')).toBe('v1.4.1');
    expect(await previousReleaseTag(client, repo, 'v1.5.0-rc.3')).toBe('v1.5.0-rc.2');
    expect(await previousReleaseTag(client, repo, 'v1.11.0')).toBe('v1.10.0');
    expect(await previousReleaseTag(client, repo, 'v1.0.0')).toBeUndefined();
    await rejectionOf(previousReleaseTag(client, repo, 'release-5'), GitHubError, 'INVALID_INPUT');
  });
});

describe('errors say what to do, name the request, and never show the token', () => {
  it('401 bad credentials', async () => {
    const name = uniqueRepo();
    gh.state.createRepo(name);
    const wrongToken = `ghp_${'wrongTOKEN1'.repeat(4)}`;
    const stranger = await testClient(gh, { token: wrongToken });
    const error = await rejectionOf(
      findRelease(stranger, parseRepo(name), 'v1'),
      GitHubError,
      'UNAUTHORIZED',
    );
    expect(error.message).toMatch(/GET .*\/releases\/tags\/v1.*401.*GH_TOKEN/);
    expect(JSON.stringify({ m: error.message, c: error.cause, r: error.request })).not.toContain(
      wrongToken,
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it('403 without permission names the permission needed', async () => {
    const name = uniqueRepo();
    gh.state.createRepo(name);
    gh.faults.fail({
      status: 403,
      message: 'Resource not accessible by integration',
      match: { operationId: 'repos/create-release' },
    });
    const error = await rejectionOf(
      createRelease(client, parseRepo(name), { tag: 'v1.0.0', target: 'main' }),
      GitHubError,
      'FORBIDDEN',
    );
    expect(error.message).toMatch(/contents: write/);
    expect(error.expected).toBe('contents: write');
  });

  it('404 for an unknown repository', async () => {
    const error = await rejectionOf(
      createRelease(client, parseRepo('octo/missing'), { tag: 'v1.0.0', target: 'main' }),
      GitHubError,
      'NOT_FOUND',
    );
    expect(error.message).toMatch(/octo\/missing/);
  });

  it('422 for a target that does not exist', async () => {
    const name = uniqueRepo();
    gh.state.createRepo(name);
    const error = await rejectionOf(
      createRelease(client, parseRepo(name), { tag: 'v1.0.0', target: 'no-such-branch' }),
      GitHubError,
      'UNPROCESSABLE',
    );
    expect(error.message).toMatch(/target_commitish/);
  });
});
