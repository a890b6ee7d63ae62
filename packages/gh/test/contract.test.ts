import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFullContract, type GitHubApiServer } from '@oci-sd/github-api-server';
import {
  createAttestation,
  createRelease,
  defaultBranch,
  downloadAsset,
  dispatchWorkflow,
  findPullRequest,
  mergePullRequest,
  openPullRequest,
  parseRepo,
  previousReleaseTag,
  uploadAsset,
  waitForCheck,
  waitForRun,
  findRelease,
  listAttestations,
  type GitHubClient,
} from '../src/index';
import { uniqueRepo, virtualTime } from './support/helpers';
import { useTestServer } from './support/test-server';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ROUTE = /'((?:GET|POST|PUT|PATCH|DELETE) \/[^']+)'/g;

/** Every route string the package's source passes to Octokit. */
function routesInSource(): Set<string> {
  const routes = new Set<string>();
  for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(`${SRC}${file}`, 'utf8').matchAll(ROUTE))
      routes.add(m[1]!.replace(/\{\?[^}]*\}$/, ''));
  }
  return routes;
}

// Against GitHub's whole description, not the test server's trimmed copy: an endpoint the server
// lacks must still exist on GitHub.
describe('contract with GitHub’s OpenAPI description', () => {
  let gh: GitHubApiServer;
  let client: GitHubClient;
  useTestServer((started) => ({ gh, client } = started));

  it('every endpoint in the source exists in the description with the method used', () => {
    const contract = loadFullContract();
    const routes = [...routesInSource()].sort();
    expect(routes).toEqual([
      'DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}',
      'GET /repos/{owner}/{repo}',
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      'GET /repos/{owner}/{repo}/attestations/{subject_digest}',
      'GET /repos/{owner}/{repo}/commits/{ref}',
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
      'GET /repos/{owner}/{repo}/pulls',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      'GET /repos/{owner}/{repo}/releases',
      'GET /repos/{owner}/{repo}/releases/assets/{asset_id}',
      'GET /repos/{owner}/{repo}/releases/tags/{tag}',
      'GET /repos/{owner}/{repo}/releases/{release_id}/assets',
      'PATCH /repos/{owner}/{repo}/releases/{release_id}',
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      'POST /repos/{owner}/{repo}/attestations',
      'POST /repos/{owner}/{repo}/pulls',
      'POST /repos/{owner}/{repo}/releases',
      'POST /repos/{owner}/{repo}/releases/{release_id}/assets',
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
    ]);
    const missing = routes.filter((route) => {
      const [method, template] = route.split(' ') as [string, string];
      return !contract.hasOperation(method, template);
    });
    expect(missing).toEqual([]);
    // The check can fail: a wrong method or path is not in the description.
    expect(contract.hasOperation('PUT', '/repos/{owner}/{repo}/releases')).toBe(false);
    expect(contract.hasOperation('GET', '/repos/{owner}/{repo}/release')).toBe(false);
  });

  it('the routes called at run time are exactly those, and the server saw no violation', async () => {
    const name = uniqueRepo('contract');
    const state = gh.state.createRepo(name, { workflows: ['publish.yml'] });
    const repo = parseRepo(name);
    const { release } = await createRelease(client, repo, {
      tag: 'v1.0.0',
      target: 'main',
      assets: [{ name: 'a.json', data: '{}' }],
      draft: true,
    });
    const { asset } = await uploadAsset(
      client,
      repo,
      { ...release, assets: [] },
      { name: 'a.json', data: '{"changed":1}' },
    );
    await downloadAsset(client, repo, asset);
    await createRelease(client, repo, { tag: 'v1.0.0', target: 'main' });
    await findRelease(client, repo, 'v9.9.9');
    await previousReleaseTag(client, repo, 'v1.1.0');
    const head = gh.state.commit(state, 'sign/x', 'sign');
    const { pull } = await openPullRequest(client, repo, {
      head: 'sign/x',
      base: 'main',
      title: 't',
    });
    await findPullRequest(client, repo, { headPrefix: 'sign/' });
    gh.state.setCheckRun(state, 'sign/x', 'check', 'completed', 'success');
    await waitForCheck(client, repo, 'sign/x', 'check', virtualTime());
    await mergePullRequest(client, repo, pull.number, { sha: head, ...virtualTime() });
    const { runId } = await dispatchWorkflow(client, repo, 'publish.yml', {
      ref: await defaultBranch(client, repo),
    });
    gh.state.setRunStatus(state, runId, 'completed', 'success');
    await waitForRun(client, repo, runId, virtualTime());
    const statement = { subject: [{ digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'p' };
    await createAttestation(client, repo, {
      dsseEnvelope: {
        payloadType: 'application/vnd.in-toto+json',
        payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      },
    });
    await listAttestations(client, repo, `sha256:${'ab'.repeat(32)}`);
    const contract = loadFullContract();
    const called = [...client.routesUsed].map((route) => {
      const [method, path] = route.split(' ') as [string, string];
      const match = contract.match(method, path);
      expect(match, `${route} is not in the description`).toBeDefined();
      return `${method} ${match!.operation!.template}`;
    });
    expect([...new Set(called)].sort()).toEqual([...routesInSource()].sort());
    gh.assertNoViolations();
  });
});
