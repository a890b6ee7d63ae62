import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startGitHubApiServer } from '@oci-sd/github-api-server';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, tempDir } from './support';

// Built at run time so secret scanners do not take this fake token for a leaked one.
const TOKEN = ['ghs', 'releasemetadatatoken0001'].join('_');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const SHA = '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
const FIELDS = [
  'version',
  'tag',
  'image',
  'digest',
  'commit',
  'workflow',
  'run_id',
  'run_url',
  'release_url',
  'built_at',
];

let github: GitHubApiServer;
let releaseEvent: Record<string, unknown>;
const dirs: string[] = [];

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

function runnerEnv(): Record<string, string> {
  return {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SERVER_URL: github.url,
    GITHUB_API_URL: github.url,
    GITHUB_SHA: SHA,
    GITHUB_RUN_ID: '24609867231',
    GITHUB_WORKFLOW: 'Build and Push Docker Image',
  };
}

beforeAll(async () => {
  github = await startGitHubApiServer({ token: TOKEN });
  github.state.createRepo('acme/app');
  releaseEvent = {
    action: 'published',
    release: await api('POST', '/repos/acme/app/releases', {
      tag_name: 'v1.5.0',
      target_commitish: 'main',
      name: 'v1.5.0',
    }),
  };
});
afterAll(async () => {
  await github?.stop();
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function workspace(): string {
  const dir = tempDir('metadata');
  dirs.push(dir);
  return dir;
}

describe('command: release-metadata', () => {
  it('writes release-metadata.json from the release event and uploads it as a release asset', async () => {
    const dir = workspace();
    const before = Date.now();
    const run = await runAction({
      workspace: dir,
      inputs: {
        command: 'release-metadata',
        token: TOKEN,
        image: 'ghcr.io/acme/app',
        digest: DIGEST,
      },
      event: releaseEvent,
      env: runnerEnv(),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const path = join(dir, 'release-metadata.json');
    const text = readFileSync(path, 'utf8');
    const metadata = JSON.parse(text) as Record<string, string>;
    expect(Object.keys(metadata)).toEqual(FIELDS);
    expect(metadata).toMatchObject({
      version: '1.5.0',
      tag: 'v1.5.0',
      image: 'ghcr.io/acme/app',
      digest: DIGEST,
      commit: SHA,
      workflow: 'Build and Push Docker Image',
      run_id: '24609867231',
      run_url: `${github.url}/acme/app/actions/runs/24609867231`,
      release_url: (releaseEvent.release as { html_url: string }).html_url,
    });
    expect(metadata.built_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(metadata.built_at!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(text.endsWith('}\n')).toBe(true);

    expect(run.outputs['metadata-file']).toBe(path);
    expect(run.outputs['predicate-type']).toBe(`${github.url}/acme/app/release-metadata`);
    const assets = github.state.repo('acme/app').releases[0]!.assets;
    expect(assets.map((asset) => asset.name)).toEqual(['release-metadata.json']);
    expect(assets[0]!.bytes.toString('utf8')).toBe(text);
    expect(run.outputs['asset-url']).toContain('/releases/download/v1.5.0/release-metadata.json');
    expect(run.outputs['asset-action']).toBe('uploaded');
    expect(run.summary).toContain(`| Image | \`ghcr.io/acme/app@${DIGEST}\` |`);
    expect(run.summary).toMatch(
      /\| Release asset \| \[release-metadata\.json\]\(.*\) \(uploaded\) \|/,
    );
    // The runner hides masked values; nothing but the mask command itself may carry the token.
    expect(run.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    github.assertNoViolations();
  });

  it('writes the file without uploading outside a release event', async () => {
    const dir = workspace();
    const requests = github.requests.length;
    const run = await runAction({
      workspace: dir,
      inputs: {
        command: 'release-metadata',
        image: 'ghcr.io/acme/app',
        digest: DIGEST,
        tag: 'v1.5.0',
        'metadata-file': 'out/meta.json',
      },
      env: runnerEnv(),
    });
    expect(run.stdout).not.toContain('::error');
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/meta.json'), 'utf8')).release_url).toBe(
      `${github.url}/acme/app/releases/tag/v1.5.0`,
    );
    expect(run.outputs['asset-url']).toBe('');
    expect(run.outputs['asset-action']).toBe('');
    expect(github.requests.length).toBe(requests);
  });

  it('fails naming the input for a malformed digest or an image with a tag, and writes nothing', async () => {
    for (const [inputs, message] of [
      [
        { digest: 'sha256:abc', image: 'ghcr.io/acme/app' },
        'input "digest": expected sha256:<64 lowercase hex>, found "sha256:abc"',
      ],
      [
        { digest: DIGEST, image: 'ghcr.io/acme/app:v1.5.0' },
        'input "image": expected a repository without tag or digest, found "ghcr.io/acme/app:v1.5.0"',
      ],
    ] as const) {
      const dir = workspace();
      const run = await runAction({
        workspace: dir,
        inputs: { command: 'release-metadata', tag: 'v1.5.0', ...inputs },
        env: runnerEnv(),
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`::error::${message}`);
      expect(() => readFileSync(join(dir, 'release-metadata.json'))).toThrow();
    }
  });

  it('fails when asked to upload to a release that does not exist', async () => {
    const run = await runAction({
      workspace: workspace(),
      inputs: {
        command: 'release-metadata',
        token: TOKEN,
        image: 'ghcr.io/acme/app',
        digest: DIGEST,
        tag: 'v9.0.0',
        upload: 'true',
      },
      env: runnerEnv(),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::no release for tag v9.0.0 in acme/app');
  });

  it('fails naming the variable when the run context is missing', async () => {
    const run = await runAction({
      workspace: workspace(),
      inputs: {
        command: 'release-metadata',
        image: 'ghcr.io/acme/app',
        digest: DIGEST,
        tag: 'v1.5.0',
      },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::environment variable GITHUB_REPOSITORY \(OWNER\/REPO of the workflow run\) is not set/,
    );
  });
});

describe('command: release-metadata on a release that already has the asset (a re-run)', () => {
  const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
  let repoCounter = 0;

  /** A draft release in a fresh repository (immutable releases on unless said otherwise). */
  async function draftRelease(
    immutableReleases = true,
  ): Promise<{ repository: string; release: Record<string, unknown> }> {
    const repository = `acme/rerun-${++repoCounter}`;
    github.state.createRepo(repository, { immutableReleases });
    return {
      repository,
      release: await api('POST', `/repos/${repository}/releases`, {
        tag_name: 'v1.5.0',
        target_commitish: 'main',
        draft: true,
      }),
    };
  }

  async function publish(repository: string, release: Record<string, unknown>): Promise<void> {
    await api('PATCH', `/repos/${repository}/releases/${String(release.id)}`, { draft: false });
  }

  /** Puts bytes on the release as release-metadata.json, as another tool (or a broken run) would. */
  async function uploadRaw(release: Record<string, unknown>, bytes: string): Promise<void> {
    const url = String(release.upload_url).replace(
      /\{\?name,label\}$/,
      '?name=release-metadata.json',
    );
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(bytes)),
      },
      body: bytes,
    });
    if (response.status !== 201)
      throw new Error(`upload: ${response.status} ${await response.text()}`);
  }

  function runMetadata(
    dir: string,
    repository: string,
    options: { digest?: string; runId?: string } = {},
  ) {
    return runAction({
      workspace: dir,
      inputs: {
        command: 'release-metadata',
        token: TOKEN,
        image: 'ghcr.io/acme/app',
        digest: options.digest ?? DIGEST,
        tag: 'v1.5.0',
        upload: 'true',
      },
      env: {
        ...runnerEnv(),
        GITHUB_REPOSITORY: repository,
        ...(options.runId ? { GITHUB_RUN_ID: options.runId } : {}),
      },
    });
  }

  const assetOf = (repository: string) =>
    github.state
      .repo(repository)
      .releases[0]!.assets.find((asset) => asset.name === 'release-metadata.json')!;
  const requestsSince = (index: number) =>
    github.requests.slice(index).map((r) => r.operationId ?? `object ${r.method}`);

  it("keeps the immutable release's asset from the first run and writes its bytes locally, uploading nothing", async () => {
    const { repository, release } = await draftRelease();
    const first = await runMetadata(workspace(), repository);
    expect(first.code).toBe(0);
    expect(first.outputs['asset-action']).toBe('uploaded');
    await publish(repository, release);
    const stored = assetOf(repository);
    const firstBytes = Buffer.from(stored.bytes);
    // A re-run writes a new built_at (second precision): start it in a later second.
    const firstBuiltAt = Date.parse(
      (JSON.parse(firstBytes.toString('utf8')) as { built_at: string }).built_at,
    );
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, firstBuiltAt + 1000 - Date.now()) + 20),
    );

    for (const runId of ['24609867231', '24609867999']) {
      const dir = workspace();
      const since = github.requests.length;
      const rerun = await runMetadata(dir, repository, { runId });
      expect(rerun.stdout).not.toContain('::error');
      expect(rerun.code).toBe(0);
      // The asset was read (its digest differed from this run's document), never uploaded or deleted.
      expect(requestsSince(since)).toEqual([
        'repos/get-release-by-tag',
        'repos/get-release-asset',
        'object GET',
      ]);
      expect(assetOf(repository)).toBe(stored);
      expect(stored.bytes.equals(firstBytes)).toBe(true);
      expect(readFileSync(join(dir, 'release-metadata.json')).equals(firstBytes)).toBe(true);
      expect(rerun.outputs['asset-action']).toBe('kept');
      expect(JSON.parse(rerun.outputs.result!)).toEqual(JSON.parse(firstBytes.toString('utf8')));
      expect(rerun.stdout).toMatch(
        /release asset kept: .*release-metadata\.json \(it already records this build \(built_at \d{4}-[^,]+, run 24609867231\)/,
      );
      expect(rerun.summary).toMatch(
        /\| Release asset \| \[release-metadata\.json\]\(.*\) \(kept: it already records this build/,
      );
      expect(rerun.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    }
    github.assertNoViolations();
  });

  it('fails on an immutable release whose asset records another digest, naming the field, expected and found', async () => {
    const { repository, release } = await draftRelease();
    expect((await runMetadata(workspace(), repository, { digest: OTHER_DIGEST })).code).toBe(0);
    await publish(repository, release);
    const before = Buffer.from(assetOf(repository).bytes);
    const dir = workspace();
    const since = github.requests.length;
    const run = await runMetadata(dir, repository);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `::error::the immutable release v1.5.0 of ${repository} holds a release-metadata.json recording another build; digest: expected "${DIGEST}" (this run), found "${OTHER_DIGEST}" (the release asset)`,
    );
    expect(run.stdout).not.toMatch(/image: expected|commit: expected|tag: expected/);
    expect(requestsSince(since)).not.toContain('repos/upload-release-asset');
    expect(assetOf(repository).bytes.equals(before)).toBe(true);
    expect(existsSync(join(dir, 'release-metadata.json'))).toBe(false);
    expect(run.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    github.assertNoViolations();
  });

  it('fails on an immutable release whose asset is not release metadata, and never overwrites it', async () => {
    for (const [bytes, problem] of [
      ['not json at all', /not release metadata \(not JSON \(/],
      [
        '{"tag":"v1.5.0","image":"ghcr.io/acme/app"}\n',
        /not release metadata \(no string field "digest", "commit"\)/,
      ],
      ['["v1.5.0"]', /not release metadata \(not a JSON object\)/],
    ] as const) {
      const { repository, release } = await draftRelease();
      await uploadRaw(release, bytes);
      await publish(repository, release);
      const dir = workspace();
      const run = await runMetadata(dir, repository);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(problem);
      expect(run.stdout).toContain('it cannot be replaced: release a new version');
      expect(assetOf(repository).bytes.toString('utf8')).toBe(bytes);
      expect(existsSync(join(dir, 'release-metadata.json'))).toBe(false);
    }
    github.assertNoViolations();
  });

  it('replaces a differing asset on a mutable release, as before, saying why', async () => {
    const { repository, release } = await draftRelease(false);
    await publish(repository, release);
    expect((await runMetadata(workspace(), repository, { digest: OTHER_DIGEST })).code).toBe(0);
    const dir = workspace();
    const since = github.requests.length;
    const run = await runMetadata(dir, repository);
    expect(run.stdout).not.toContain('::error');
    expect(run.code).toBe(0);
    expect(run.outputs['asset-action']).toBe('replaced');
    expect(requestsSince(since)).toEqual([
      'repos/get-release-by-tag',
      'repos/get-release-asset',
      'object GET',
      'repos/delete-release-asset',
      'repos/upload-release-asset',
    ]);
    const local = readFileSync(join(dir, 'release-metadata.json'));
    expect(assetOf(repository).bytes.equals(local)).toBe(true);
    expect(JSON.parse(local.toString('utf8')).digest).toBe(DIGEST);
    expect(run.stdout).toContain(`release asset replaced: `);
    expect(run.stdout).toContain(
      `(it recorded another build (digest: expected "${DIGEST}" (this run), found "${OTHER_DIGEST}" (the release asset)))`,
    );
    github.assertNoViolations();
  });

  it('uploads to a release without the asset, as before', async () => {
    const { repository } = await draftRelease();
    const dir = workspace();
    const since = github.requests.length;
    const run = await runMetadata(dir, repository);
    expect(run.code).toBe(0);
    expect(run.outputs['asset-action']).toBe('uploaded');
    // Nothing to compare: no download.
    expect(requestsSince(since)).toEqual([
      'repos/get-release-by-tag',
      'repos/list-releases',
      'repos/upload-release-asset',
    ]);
    expect(assetOf(repository).bytes.equals(readFileSync(join(dir, 'release-metadata.json')))).toBe(
      true,
    );
    github.assertNoViolations();
  });
});
