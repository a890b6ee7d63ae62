import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import {
  createRelease, dispatchWorkflow, findPullRequest, findWorkflowRun, mergePullRequest, openPullRequest, parseRepo, previousReleaseTag, waitForCheck, waitForRun,
  type GitHubClient,
} from '../src/index';
import { startServer, testClient, virtualTime } from './helpers';

const APP = 'amaanx86/oci-prometheus-sd-proxy';
const TUF = 'amaanx86/oci-prometheus-sd-proxy-tuf-on-ci';
const CHECK = 'TUF-on-CI signing event';

describe('the seed release, steps 2 to 6, against the GitHub API test server', () => {
  let gh: GitHubApiServer;
  let client: GitHubClient;
  let ci: GitHubClient;
  beforeAll(async () => {
    gh = await startServer();
    client = await testClient(gh);
    ci = await testClient(gh);
    const app = gh.state.createRepo(APP, { immutableReleases: true, workflows: ['docker-build-push.yml'] });
    gh.state.createRepo(TUF, { workflows: ['publish.yml'] });
    // Publishing a release starts the build, as the `release` trigger does on GitHub.
    gh.state.on((event) => {
      if (event.type === 'release.published' && event.repo === app) {
        gh.state.startRun(app, 'docker-build-push.yml', { event: 'release', headBranch: event.release.tagName, headSha: app.tags.get(event.release.tagName)! });
      }
    });
    await createRelease(ci, parseRepo(APP), { tag: 'v1.4.1', target: 'main' });
  });
  afterAll(() => gh.stop());

  /** What the build and TUF-on-CI do while we wait: finish the build, push the signing branch, open its PR, run the check. */
  async function world(poll: number): Promise<void> {
    const app = gh.state.repo(APP);
    const tuf = gh.state.repo(TUF);
    const build = app.runs.find((r) => r.event === 'release' && r.headBranch === 'v1.5.0');
    if (build && build.status !== 'completed' && poll >= 1) {
      gh.state.setRunStatus(app, build.id, 'completed', 'success');
      const branch = `sign/release-1-5-0-${build.id}`;
      gh.state.commit(tuf, branch, 'Add release v1.5.0 target');
      await openPullRequest(ci, parseRepo(TUF), { head: branch, base: 'main', title: 'Signing event: release v1.5.0' });
    }
  }

  async function releaseV150(): Promise<{ requests: number; prUrl: string; publishRun: number }> {
    const app = parseRepo(APP);
    const tuf = parseRepo(TUF);
    const before = client.requestCount;
    const previous = await previousReleaseTag(client, app, 'v1.5.0');
    expect(previous).toBe('v1.4.1');
    const notes = `## Added\n- Feature one\n\n**Full Changelog**: ${client.webUrl(`${APP}/compare/${previous}...v1.5.0`)}`;
    await createRelease(client, app, {
      tag: 'v1.5.0',
      target: 'main',
      notes,
      assets: [
        { name: 'release-metadata.json', data: '{"tag":"v1.5.0"}' },
        { name: 'sbom.cdx.json', data: '{"bomFormat":"CycloneDX"}' },
      ],
    });
    const build = await findWorkflowRun(client, app, 'docker-build-push.yml', { event: 'release', branch: 'v1.5.0' });
    await waitForRun(client, app, build!.id, virtualTime(world));
    const pull = await findPullRequest(client, tuf, { headPrefix: 'sign/release-1-5-0-' }, { state: 'all' });
    expect(pull).toBeDefined();
    // The maintainer signs offline (tuf-on-ci-sign pushes to the branch); a rerun finds it signed and merged.
    const signed = pull!.merged ? pull!.headSha : gh.state.commit(gh.state.repo(TUF), pull!.head, 'Signed by @amaanx86');
    await waitForCheck(client, tuf, signed, CHECK, virtualTime((poll) => {
      if (poll === 1) gh.state.setCheckRun(gh.state.repo(TUF), signed, CHECK, 'in_progress');
      if (poll === 2) gh.state.setCheckRun(gh.state.repo(TUF), signed, CHECK, 'completed', 'success');
    }));
    await mergePullRequest(client, tuf, pull!.number, { sha: signed, ...virtualTime() });
    const { runId } = await dispatchWorkflow(client, tuf, 'publish.yml', { ref: 'main' });
    await waitForRun(client, tuf, runId, virtualTime(() => void gh.state.setRunStatus(gh.state.repo(TUF), runId, 'completed', 'success')));
    return { requests: client.requestCount - before, prUrl: pull!.htmlUrl, publishRun: runId };
  }

  it('runs the release with a known number of requests and no OpenAPI violation', async () => {
    const { requests, publishRun } = await releaseV150();
    const app = gh.state.repo(APP);
    const tuf = gh.state.repo(TUF);
    expect(app.releases.map((r) => [r.tagName, r.draft, r.immutable, r.assets.length])).toEqual([
      ['v1.4.1', false, true, 0],
      ['v1.5.0', false, true, 2],
    ]);
    expect(app.releases[1]!.body).toContain(`/compare/v1.4.1...v1.5.0`);
    expect(tuf.pulls[0]).toMatchObject({ state: 'closed' });
    expect(tuf.pulls[0]!.mergedAt).not.toBeNull();
    expect(tuf.runs.find((r) => r.id === publishRun)).toMatchObject({ event: 'workflow_dispatch', conclusion: 'success', headSha: tuf.branches.get('main') });
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
    const { requests } = await releaseV150();
    expect(counts()).toEqual(before);
    // previous tag 1, release found published 1, build found 1 + done 1, PR 1, check 1, PR merged 1, commit + runs (reused) 2, run done 1.
    expect(requests).toBe(10);
    gh.assertNoViolations();
  });
});
