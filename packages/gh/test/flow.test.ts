import { describe, expect, it } from 'vitest';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import type { GitHubClient } from '../src/index';
import { testClient } from './support/helpers';
import { useTestServer } from './support/test-server';
import { APP, releaseV150, seedRepositories, TUF } from './support/seed-flow';

describe('the seed release, steps 2 to 6, against the GitHub API test server', () => {
  let gh: GitHubApiServer;
  let client: GitHubClient;
  let ci: GitHubClient;
  useTestServer(async (started) => {
    ({ gh, client } = started);
    ci = await testClient(gh);
    await seedRepositories(gh, ci);
  });

  it('runs the release with a known number of requests and no OpenAPI violation', async () => {
    const { requests, previous, publishRun } = await releaseV150(gh, client, ci);
    expect(previous).toBe('v1.4.1');
    const app = gh.state.repo(APP);
    const tuf = gh.state.repo(TUF);
    expect(app.releases.map((r) => [r.tagName, r.draft, r.immutable, r.assets.length])).toEqual([
      ['v1.4.1', false, true, 0],
      ['v1.5.0', false, true, 2],
    ]);
    expect(app.releases[1]!.body).toContain(`/compare/v1.4.1...v1.5.0`);
    expect(tuf.pulls[0]).toMatchObject({ state: 'closed' });
    expect(tuf.pulls[0]!.mergedAt).not.toBeNull();
    expect(tuf.runs.find((r) => r.id === publishRun)).toMatchObject({
      event: 'workflow_dispatch',
      conclusion: 'success',
      headSha: tuf.branches.get('main'),
    });
    // previous tag 1; release: tag 404, drafts list, draft, 2 uploads, publish = 6; build run: find 1 + 2 polls;
    // PR 1; check: 3 polls; merge: mergeable null, computed, PUT = 3; dispatch: commit, runs, POST = 3; publish run: 2 polls.
    expect(requests).toBe(22);
    gh.assertNoViolations();
  });

  it('a rerun of the whole release creates nothing and dispatches nothing', async () => {
    const counts = () => ({
      releases: gh.state.repo(APP).releases.length,
      assets: gh.state.repo(APP).releases.flatMap((r) => r.assets).length,
      pulls: gh.state.repo(TUF).pulls.length,
      runs: gh.state.repo(TUF).runs.length,
      merges: gh.count({ operationId: 'pulls/merge' }),
    });
    const before = counts();
    const { requests } = await releaseV150(gh, client, ci);
    expect(counts()).toEqual(before);
    // previous tag 1, release found published 1, build found 1 + done 1, PR 1, check 1, PR merged 1, commit + runs (reused) 2, run done 1.
    expect(requests).toBe(10);
    gh.assertNoViolations();
  });
});
