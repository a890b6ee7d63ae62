import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startGitHubApiServer } from '@oci-sd/github-api-server';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, tempDir } from './support';

// Built at run time so secret scanners do not take this fake token for a leaked one.
const TOKEN = ['ghs', 'releasemetadatatoken0001'].join('_');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const SHA = '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
const FIELDS = ['version', 'tag', 'image', 'digest', 'commit', 'workflow', 'run_id', 'run_url', 'release_url', 'built_at'];

let github: GitHubApiServer;
let releaseEvent: Record<string, unknown>;
const dirs: string[] = [];

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
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
  releaseEvent = { action: 'published', release: await api('POST', '/repos/acme/app/releases', { tag_name: 'v1.5.0', target_commitish: 'main', name: 'v1.5.0' }) };
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
      inputs: { command: 'release-metadata', token: TOKEN, image: 'ghcr.io/acme/app', digest: DIGEST },
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
    expect(run.summary).toContain(`| Image | \`ghcr.io/acme/app@${DIGEST}\` |`);
    expect(run.summary).toMatch(/\| Release asset \| \[release-metadata\.json\]\(.*\) \(uploaded\) \|/);
    // The runner hides masked values; nothing but the mask command itself may carry the token.
    expect(run.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    github.assertNoViolations();
  });

  it('writes the file without uploading outside a release event', async () => {
    const dir = workspace();
    const requests = github.requests.length;
    const run = await runAction({
      workspace: dir,
      inputs: { command: 'release-metadata', image: 'ghcr.io/acme/app', digest: DIGEST, tag: 'v1.5.0', 'metadata-file': 'out/meta.json' },
      env: runnerEnv(),
    });
    expect(run.stdout).not.toContain('::error');
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/meta.json'), 'utf8')).release_url).toBe(`${github.url}/acme/app/releases/tag/v1.5.0`);
    expect(run.outputs['asset-url']).toBe('');
    expect(github.requests.length).toBe(requests);
  });

  it('fails naming the input for a malformed digest or an image with a tag, and writes nothing', async () => {
    for (const [inputs, message] of [
      [{ digest: 'sha256:abc', image: 'ghcr.io/acme/app' }, 'input "digest": expected sha256:<64 lowercase hex>, found "sha256:abc"'],
      [{ digest: DIGEST, image: 'ghcr.io/acme/app:v1.5.0' }, 'input "image": expected a repository without tag or digest, found "ghcr.io/acme/app:v1.5.0"'],
    ] as const) {
      const dir = workspace();
      const run = await runAction({ workspace: dir, inputs: { command: 'release-metadata', tag: 'v1.5.0', ...inputs }, env: runnerEnv() });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`::error::${message}`);
      expect(() => readFileSync(join(dir, 'release-metadata.json'))).toThrow();
    }
  });

  it('fails when asked to upload to a release that does not exist', async () => {
    const run = await runAction({
      workspace: workspace(),
      inputs: { command: 'release-metadata', token: TOKEN, image: 'ghcr.io/acme/app', digest: DIGEST, tag: 'v9.0.0', upload: 'true' },
      env: runnerEnv(),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::no release for tag v9.0.0 in acme/app');
  });

  it('fails naming the variable when the run context is missing', async () => {
    const run = await runAction({ workspace: workspace(), inputs: { command: 'release-metadata', image: 'ghcr.io/acme/app', digest: DIGEST, tag: 'v1.5.0' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::environment variable GITHUB_REPOSITORY \(OWNER\/REPO of the workflow run\) is not set/);
  });
});
