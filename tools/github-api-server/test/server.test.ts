/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are probed field by field; their shape is enforced by the OpenAPI check itself */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadContract, startGitHubApiServer, type GitHubApiServer } from '../src/index';

const TOKEN = 'test-token-value';
let gh: GitHubApiServer;

async function call(
  method: string,
  path: string,
  body?: unknown,
  base?: string,
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base ?? gh.url}${path}`, {
    method,
    headers: {
      authorization: `token ${TOKEN}`,
      accept: 'application/vnd.github+json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function upload(
  uploadUrl: string,
  name: string,
  bytes: Buffer,
): Promise<{ status: number; body: any }> {
  const url = uploadUrl.replace(/\{\?name,label\}$/, `?name=${encodeURIComponent(name)}`);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `token ${TOKEN}`,
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
    },
    body: bytes,
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  gh = await startGitHubApiServer({ token: TOKEN });
});
afterAll(() => gh.stop());

describe('releases', () => {
  afterEach(() => {
    gh.assertNoViolations();
  });

  it('creates a draft (no tag), uploads, publishes; drafts are invisible by tag', async () => {
    const repo = gh.state.createRepo('octo/rel');
    const draft = await call('POST', '/repos/octo/rel/releases', {
      tag_name: 'v1.0.0',
      target_commitish: 'main',
      name: 'v1.0.0',
      body: 'notes',
      draft: true,
    });
    expect(draft.status).toBe(201);
    expect(draft.body.draft).toBe(true);
    expect(repo.tags.has('v1.0.0')).toBe(false);
    expect((await call('GET', '/repos/octo/rel/releases/tags/v1.0.0')).status).toBe(404);
    const asset = await upload(
      draft.body.upload_url,
      'release-metadata.json',
      Buffer.from('{"a":1}'),
    );
    expect(asset.status).toBe(201);
    expect(asset.body.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const dup = await upload(draft.body.upload_url, 'release-metadata.json', Buffer.from('{}'));
    expect(dup.status).toBe(422);
    expect(dup.body.errors[0]).toMatchObject({ field: 'name', code: 'already_exists' });
    const published = await call('PATCH', `/repos/octo/rel/releases/${draft.body.id}`, {
      draft: false,
    });
    expect(published.status).toBe(200);
    expect(published.body.published_at).not.toBeNull();
    expect(repo.tags.get('v1.0.0')).toBe(repo.branches.get('main'));
    const byTag = await call('GET', '/repos/octo/rel/releases/tags/v1.0.0');
    expect(byTag.body.assets.map((a: { name: string }) => a.name)).toEqual([
      'release-metadata.json',
    ]);
  });

  it('describes an asset as JSON, and for application/octet-stream redirects to its bytes outside the API', async () => {
    gh.state.createRepo('octo/get-asset');
    const rel = await call('POST', '/repos/octo/get-asset/releases', {
      tag_name: 'v1.0.0',
      target_commitish: 'main',
      draft: true,
    });
    const bytes = Buffer.from('{"digest":"sha256:00"}\n');
    const uploaded = (await upload(rel.body.upload_url, 'release-metadata.json', bytes)).body;
    const described = await call('GET', `/repos/octo/get-asset/releases/assets/${uploaded.id}`);
    expect(described.body).toMatchObject({
      id: uploaded.id,
      name: 'release-metadata.json',
      size: bytes.length,
      digest: uploaded.digest,
    });

    const path = `/repos/octo/get-asset/releases/assets/${uploaded.id}`;
    const asked = { authorization: `token ${TOKEN}`, accept: 'application/octet-stream' };
    const redirect = await fetch(`${gh.url}${path}`, { headers: asked, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${gh.webUrl}/objects/octo/get-asset/${uploaded.id}/`));
    // The object URL needs no token, like GitHub's signed object URLs.
    const object = await fetch(location);
    expect(object.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await object.arrayBuffer())).toEqual(bytes);
    expect(gh.requests.at(-1)).toMatchObject({
      method: 'GET',
      operationId: undefined,
      status: 200,
    });

    gh.faults.fail({ status: 503, match: { path: '/objects/' } });
    expect((await fetch(location)).status).toBe(503);
    expect((await fetch(`${gh.webUrl}/objects/octo/get-asset/999999/x`)).status).toBe(404);
    expect((await call('GET', '/repos/octo/get-asset/releases/assets/999999')).status).toBe(404);
  });

  it('burns the tag of a published immutable release and refuses more assets', async () => {
    gh.state.createRepo('octo/imm', { immutableReleases: true });
    const rel = await call('POST', '/repos/octo/imm/releases', {
      tag_name: 'v2.0.0',
      target_commitish: 'main',
    });
    expect(rel.body.immutable).toBe(true);
    expect((await upload(rel.body.upload_url, 'late.txt', Buffer.from('x'))).status).toBe(422);
    expect((await call('DELETE', `/repos/octo/imm/releases/${rel.body.id}`)).status).toBe(204);
    const again = await call('POST', '/repos/octo/imm/releases', {
      tag_name: 'v2.0.0',
      target_commitish: 'main',
    });
    expect(again.status).toBe(422);
    expect(again.body.errors[0].message).toMatch(/immutable release/);
  });

  it('refuses a body over 125,000 characters and a tag already released', async () => {
    gh.state.createRepo('octo/limits');
    const long = await call('POST', '/repos/octo/limits/releases', {
      tag_name: 'v1',
      target_commitish: 'main',
      body: 'x'.repeat(125_001),
    });
    expect(long.status).toBe(422);
    expect(long.body.errors[0]).toMatchObject({ field: 'body' });
    expect(
      (
        await call('POST', '/repos/octo/limits/releases', {
          tag_name: 'v1',
          target_commitish: 'main',
          body: 'x'.repeat(125_000),
        })
      ).status,
    ).toBe(201);
    const twice = await call('POST', '/repos/octo/limits/releases', {
      tag_name: 'v1',
      target_commitish: 'main',
    });
    expect(twice.body.errors[0]).toMatchObject({ field: 'tag_name', code: 'already_exists' });
  });

  it('pages release lists with Link headers', async () => {
    gh.state.createRepo('octo/many');
    for (let i = 0; i < 5; i++)
      await call('POST', '/repos/octo/many/releases', {
        tag_name: `v0.${i}.0`,
        target_commitish: 'main',
        draft: true,
      });
    const first = await call('GET', '/repos/octo/many/releases?per_page=2');
    expect(first.body.map((r: { tag_name: string }) => r.tag_name)).toEqual(['v0.4.0', 'v0.3.0']);
    expect(first.headers.get('link')).toMatch(/[?&]page=2[^>]*>; rel="next"/);
    const last = await call('GET', '/repos/octo/many/releases?per_page=2&page=3');
    expect(last.body).toHaveLength(1);
  });
});

describe('pull requests and checks', () => {
  afterEach(() => gh.assertNoViolations());

  it('shows mergeable null first, then computed; merges pinned to the head sha', async () => {
    const repo = gh.state.createRepo('octo/tuf');
    const head = gh.state.commit(repo, 'sign/release-1-5-0-42', 'sign');
    const pr = await call('POST', '/repos/octo/tuf/pulls', {
      title: 'Sign',
      head: 'sign/release-1-5-0-42',
      base: 'main',
    });
    expect(pr.status).toBe(201);
    expect(
      (
        await call('POST', '/repos/octo/tuf/pulls', {
          title: 'Sign',
          head: 'sign/release-1-5-0-42',
          base: 'main',
        })
      ).status,
    ).toBe(422);
    expect(
      (await call('GET', `/repos/octo/tuf/pulls/${pr.body.number}`)).body.mergeable,
    ).toBeNull();
    expect((await call('GET', `/repos/octo/tuf/pulls/${pr.body.number}`)).body.mergeable).toBe(
      true,
    );
    const listed = await call(
      'GET',
      '/repos/octo/tuf/pulls?head=octo:sign/release-1-5-0-42&state=open',
    );
    expect(listed.body.map((p: { number: number }) => p.number)).toEqual([pr.body.number]);
    expect((await call('GET', '/repos/octo/tuf/pulls?head=sign/release-1-5-0-42')).body).toEqual(
      [],
    );
    const moved = await call('PUT', `/repos/octo/tuf/pulls/${pr.body.number}/merge`, {
      sha: 'f'.repeat(40),
      merge_method: 'merge',
    });
    expect(moved.status).toBe(409);
    gh.state.setMergeable(repo, pr.body.number, false);
    expect(
      (await call('PUT', `/repos/octo/tuf/pulls/${pr.body.number}/merge`, { sha: head })).status,
    ).toBe(405);
    gh.state.setMergeable(repo, pr.body.number, true);
    const merged = await call('PUT', `/repos/octo/tuf/pulls/${pr.body.number}/merge`, {
      sha: head,
      merge_method: 'merge',
    });
    expect(merged.status).toBe(200);
    expect(repo.branches.get('main')).toBe(merged.body.sha);
    expect((await call('GET', `/repos/octo/tuf/pulls/${pr.body.number}`)).body).toMatchObject({
      merged: true,
      state: 'closed',
    });
  });

  it('lists check runs by name, latest only by default', async () => {
    const repo = gh.state.createRepo('octo/checks');
    gh.state.commit(repo, 'sign/x', 'x');
    const empty = await call(
      'GET',
      '/repos/octo/checks/commits/sign%2Fx/check-runs?check_name=signing-event',
    );
    expect(empty.body).toEqual({ total_count: 0, check_runs: [] });
    gh.state.setCheckRun(repo, 'sign/x', 'signing-event', 'completed', 'failure');
    repo.checkRuns.push({ ...repo.checkRuns.at(-1)!, id: gh.state.id(), conclusion: 'success' });
    gh.state.setCheckRun(repo, 'sign/x', 'other', 'in_progress');
    const latest = await call(
      'GET',
      '/repos/octo/checks/commits/sign/x/check-runs?check_name=signing-event&filter=latest',
    );
    expect(latest.body.check_runs.map((c: { conclusion: string }) => c.conclusion)).toEqual([
      'success',
    ]);
    const all = await call(
      'GET',
      '/repos/octo/checks/commits/sign%2Fx/check-runs?check_name=signing-event&filter=all',
    );
    expect(all.body.total_count).toBe(2);
  });
});

describe('workflows', () => {
  afterEach(() => gh.assertNoViolations());

  it('dispatches with run details (200) or without (204), and filters runs', async () => {
    const repo = gh.state.createRepo('octo/wf', { workflows: ['publish.yml'] });
    const detailed = await call('POST', '/repos/octo/wf/actions/workflows/publish.yml/dispatches', {
      ref: 'main',
      inputs: { dry: 'false' },
      return_run_details: true,
    });
    expect(detailed.status).toBe(200);
    const run = await call('GET', `/repos/octo/wf/actions/runs/${detailed.body.workflow_run_id}`);
    expect(run.body).toMatchObject({
      event: 'workflow_dispatch',
      status: 'queued',
      head_branch: 'main',
      head_sha: repo.branches.get('main'),
    });
    gh.faults.dispatchWithoutRunDetails = true;
    expect(
      (
        await call('POST', '/repos/octo/wf/actions/workflows/publish.yml/dispatches', {
          ref: 'main',
          return_run_details: true,
        })
      ).status,
    ).toBe(204);
    gh.faults.clear();
    expect(
      (
        await call('POST', '/repos/octo/wf/actions/workflows/publish.yml/dispatches', {
          ref: 'nope',
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await call('POST', '/repos/octo/wf/actions/workflows/missing.yml/dispatches', {
          ref: 'main',
        })
      ).status,
    ).toBe(404);
    gh.state.setRunStatus(repo, detailed.body.workflow_run_id, 'completed', 'success');
    const done = await call(
      'GET',
      `/repos/octo/wf/actions/workflows/publish.yml/runs?event=workflow_dispatch&branch=main&status=completed`,
    );
    expect(done.body.workflow_runs.map((r: { id: number }) => r.id)).toEqual([
      detailed.body.workflow_run_id,
    ]);
    const bySha = await call(
      'GET',
      `/repos/octo/wf/actions/workflows/publish.yml/runs?head_sha=${repo.branches.get('main')}`,
    );
    expect(bySha.body.total_count).toBe(2);
  });
});

describe('faults and the contract', () => {
  it('injects 502s, secondary rate limits and delays, then recovers; the log counts them', async () => {
    gh.state.createRepo('octo/faults');
    gh.faults.fail({ times: 2, match: { operationId: 'repos/get' } });
    gh.faults.secondaryRateLimit({
      retryAfter: 7,
      status: 429,
      match: { operationId: 'repos/list-releases' },
    });
    gh.faults.slow({ ms: 150, match: { path: '/repos/octo/faults/releases' } });
    expect((await call('GET', '/repos/octo/faults')).status).toBe(502);
    expect((await call('GET', '/repos/octo/faults')).status).toBe(502);
    expect((await call('GET', '/repos/octo/faults')).status).toBe(200);
    const started = performance.now();
    const limited = await call('GET', '/repos/octo/faults/releases');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.message).toMatch(/secondary rate limit/);
    expect((await call('GET', '/repos/octo/faults/releases')).status).toBe(200);
    expect(gh.count({ operationId: 'repos/get', path: '/octo/faults' })).toBe(3);
    expect(gh.requests.filter((r) => r.path === '/repos/octo/faults' && r.fault).length).toBe(2);
    gh.assertNoViolations();
  });

  it('answers 401 without the right token', async () => {
    gh.state.createRepo('octo/auth');
    const res = await fetch(`${gh.url}/repos/octo/auth`, {
      headers: { authorization: 'token wrong' },
    });
    expect(res.status).toBe(401);
    gh.assertNoViolations();
  });

  it('records requests outside the description, bad bodies and unknown parameters', async () => {
    gh.state.createRepo('octo/bad');
    const before = gh.violations.length;
    expect((await call('GET', '/repos/octo/bad/no-such-thing')).status).toBe(404);
    expect((await call('POST', '/repos/octo/bad/releases', { name: 'no tag' })).status).toBe(422);
    expect(
      (await call('POST', '/repos/octo/bad/releases', { tag_name: 'v1', draft: 'yes' })).status,
    ).toBe(422);
    expect((await call('GET', '/repos/octo/bad/releases?colour=blue')).status).toBe(422);
    expect((await call('GET', '/repos/octo/bad/releases?per_page=many')).status).toBe(422);
    expect((await call('POST', '/repos/octo/bad/releases/1/assets?name=x', {})).status).toBe(404);
    const found = gh.violations.slice(before);
    expect(found).toHaveLength(6);
    expect(found[0]).toMatch(/no such operation/);
    expect(found[1]).toMatch(/tag_name/);
    expect(found[2]).toMatch(/draft/);
    expect(found[3]).toMatch(/"colour" is not in the description/);
    expect(found[4]).toMatch(/per_page/);
    expect(found[5]).toMatch(/uploads go to the uploads URL/);
    expect(() => gh.assertNoViolations()).toThrow(/6 OpenAPI violation/);
    gh.violations.length = 0;
  });

  it('implements only operations that exist in the description', () => {
    const known = loadContract().operationIds();
    expect(known.size).toBeGreaterThan(800);
    expect([...gh.operations].sort()).toEqual([
      'actions/create-workflow-dispatch',
      'actions/get-workflow-run',
      'actions/list-workflow-runs',
      'checks/list-for-ref',
      'git/create-ref',
      'git/get-ref',
      'pulls/create',
      'pulls/get',
      'pulls/list',
      'pulls/merge',
      'repos/create-attestation',
      'repos/create-release',
      'repos/delete-release',
      'repos/delete-release-asset',
      'repos/get',
      'repos/get-commit',
      'repos/get-latest-release',
      'repos/get-release',
      'repos/get-release-asset',
      'repos/get-release-by-tag',
      'repos/list-attestations',
      'repos/list-release-assets',
      'repos/list-releases',
      'repos/update-release',
      'repos/upload-release-asset',
    ]);
    expect(gh.operations.filter((id) => !known.has(id))).toEqual([]);
  });

  it('rejects responses that do not fit the schema for their status', () => {
    const contract = loadContract();
    const op = contract.match('GET', '/repos/o/r/releases/tags/v1')!.operation!;
    expect(contract.checkResponse(op, 200, { id: 1 }).join()).toMatch(
      /must have required property/,
    );
    expect(contract.checkResponse(op, 418, { message: 'teapot' }).join()).toMatch(/not documented/);
    expect(contract.checkResponse(op, 404, { message: 1 }).join()).toMatch(/message/);
    const del = contract.match('DELETE', '/repos/o/r/releases/1')!.operation!;
    expect(contract.checkResponse(del, 204, { unexpected: true }).join()).toMatch(/has no body/);
  });
});

describe('state and events', () => {
  afterEach(() => gh.assertNoViolations());

  it('a landed fault applies the request but loses its answer', async () => {
    const repo = gh.state.createRepo('octo/landed');
    gh.faults.fail({ status: 502, landed: true, match: { operationId: 'repos/create-release' } });
    const lost = await call('POST', '/repos/octo/landed/releases', {
      tag_name: 'v1',
      target_commitish: 'main',
      draft: true,
    });
    expect(lost.status).toBe(502);
    expect(repo.releases).toHaveLength(1);
    expect(gh.requests.at(-1)).toMatchObject({
      operationId: 'repos/create-release',
      status: 502,
      fault: 'status 502 after the request landed',
    });
  });

  it('emits events, and a push to a pull request head makes GitHub recompute mergeability', async () => {
    const repo = gh.state.createRepo('octo/events', { workflows: ['build.yml'] });
    const seen: string[] = [];
    const off = gh.state.on((event) => seen.push(event.type));
    gh.state.commit(repo, 'topic', 'work');
    const pr = await call('POST', '/repos/octo/events/pulls', {
      title: 't',
      head: 'topic',
      base: 'main',
    });
    await call('GET', `/repos/octo/events/pulls/${pr.body.number}`);
    expect((await call('GET', `/repos/octo/events/pulls/${pr.body.number}`)).body.mergeable).toBe(
      true,
    );
    const moved = gh.state.commit(repo, 'topic', 'more work');
    const after = await call('GET', `/repos/octo/events/pulls/${pr.body.number}`);
    expect(after.body).toMatchObject({ mergeable: null, head: { sha: moved } });
    await call('PUT', `/repos/octo/events/pulls/${pr.body.number}/merge`, { sha: moved });
    await call('POST', '/repos/octo/events/releases', { tag_name: 'v1', target_commitish: 'main' });
    await call('POST', '/repos/octo/events/actions/workflows/build.yml/dispatches', {
      ref: 'main',
    });
    off();
    await call('POST', '/repos/octo/events/releases', { tag_name: 'v2', target_commitish: 'main' });
    expect(seen).toEqual([
      'pull.opened',
      'pull.merged',
      'release.published',
      'workflow.dispatched',
    ]);
  });

  it('serves git refs and commits for branches, tags and shas', async () => {
    const repo = gh.state.createRepo('octo/refs');
    const sha = repo.branches.get('main')!;
    expect((await call('GET', '/repos/octo/refs/git/ref/heads/main')).body.object.sha).toBe(sha);
    expect(
      (await call('POST', '/repos/octo/refs/git/refs', { ref: 'refs/heads/sign/x', sha })).status,
    ).toBe(201);
    expect(
      (await call('POST', '/repos/octo/refs/git/refs', { ref: 'refs/heads/sign/x', sha })).status,
    ).toBe(422);
    expect((await call('GET', '/repos/octo/refs/git/ref/heads/sign/x')).body.ref).toBe(
      'refs/heads/sign/x',
    );
    expect((await call('GET', '/repos/octo/refs/git/ref/heads/nope')).status).toBe(404);
    expect((await call('GET', `/repos/octo/refs/commits/${sha}`)).body.sha).toBe(sha);
    expect((await call('GET', '/repos/octo/refs/commits/sign%2Fx')).body.sha).toBe(sha);
    expect((await call('GET', '/repos/octo/refs')).body).toMatchObject({
      full_name: 'octo/refs',
      default_branch: 'main',
    });
  });
});

describe('attestations', () => {
  afterEach(() => {
    gh.assertNoViolations();
  });

  const digest = `sha256:${'ab'.repeat(32)}`;
  const bundle = (predicateType: string, sha256 = 'ab'.repeat(32)) => ({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { certificate: { rawBytes: 'MIIB' } },
    dsseEnvelope: {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'app', digest: { sha256 } }],
          predicateType,
          predicate: {},
        }),
      ).toString('base64'),
      signatures: [{ sig: 'c2ln', keyid: '' }],
    },
  });

  it('records a bundle and lists it by subject digest, filtered by predicate type', async () => {
    gh.state.createRepo('octo/att');
    const created = await call('POST', '/repos/octo/att/attestations', {
      bundle: bundle('https://slsa.dev/provenance/v1'),
    });
    expect(created.status).toBe(201);
    expect(typeof created.body.id).toBe('number');
    await call('POST', '/repos/octo/att/attestations', {
      bundle: bundle('https://spdx.dev/Document'),
    });
    const all = await call('GET', `/repos/octo/att/attestations/${digest}`);
    expect(all.status).toBe(200);
    expect(all.body.attestations).toHaveLength(2);
    expect(all.body.attestations[0].bundle).toEqual(bundle('https://slsa.dev/provenance/v1'));
    const provenance = await call(
      'GET',
      `/repos/octo/att/attestations/${digest}?predicate_type=${encodeURIComponent('https://slsa.dev/provenance/v1')}`,
    );
    expect(provenance.body.attestations).toHaveLength(1);
    expect(
      (await call('GET', `/repos/octo/att/attestations/sha256:${'cd'.repeat(32)}`)).status,
    ).toBe(404);
  });

  it('refuses a bundle without an in-toto DSSE statement (422) and a body without bundle', async () => {
    gh.state.createRepo('octo/att2');
    const messageSignature = { mediaType: 'x', verificationMaterial: {}, messageSignature: {} };
    expect(
      (await call('POST', '/repos/octo/att2/attestations', { bundle: messageSignature })).status,
    ).toBe(422);
    const before = gh.violations.length;
    expect((await call('POST', '/repos/octo/att2/attestations', {})).status).toBe(422);
    expect(gh.violations.length).toBeGreaterThan(before);
    gh.violations.length = before;
  });
});
