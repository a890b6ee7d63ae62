import type { GitHubApiServer } from '@oci-sd/github-api-server';
import {
  createRelease,
  dispatchWorkflow,
  findPullRequest,
  findWorkflowRun,
  mergePullRequest,
  openPullRequest,
  parseRepo,
  previousReleaseTag,
  waitForCheck,
  waitForRun,
  type GitHubClient,
} from '../../src/index';
import { virtualTime } from './helpers';

export const APP = 'amaanx86/oci-prometheus-sd-proxy';
export const TUF = 'amaanx86/oci-prometheus-sd-proxy-tuf-on-ci';
const CHECK = 'TUF-on-CI signing event';

/**
 * The seed's two repositories on the test server: the app (immutable releases, a build started
 * by every published release) with v1.4.1 released, and its TUF-on-CI repository.
 * `ci` acts as the workflows do (opening the signing-event PR).
 */
export async function seedRepositories(gh: GitHubApiServer, ci: GitHubClient): Promise<void> {
  const app = gh.state.createRepo(APP, {
    immutableReleases: true,
    workflows: ['docker-build-push.yml'],
  });
  gh.state.createRepo(TUF, { workflows: ['publish.yml'] });
  gh.state.on((event) => {
    if (event.type === 'release.published' && event.repo === app) {
      gh.state.startRun(app, 'docker-build-push.yml', {
        event: 'release',
        headBranch: event.release.tagName,
        headSha: app.tags.get(event.release.tagName)!,
      });
    }
  });
  await createRelease(ci, parseRepo(APP), { tag: 'v1.4.1', target: 'main' });
}

export interface SeedRelease {
  /** Requests `client` made. */
  requests: number;
  previous: string | undefined;
  pullNumber: number;
  publishRun: number;
}

/**
 * Steps 2 to 6 of the seed for v1.5.0, as the orchestrator runs them: release with assets, wait
 * for the build, find the signing PR, wait for its check, merge pinned to the signed head,
 * dispatch publish.yml and wait for it. The world (build, TUF-on-CI, the signer) moves between polls.
 */
export async function releaseV150(
  gh: GitHubApiServer,
  client: GitHubClient,
  ci: GitHubClient,
): Promise<SeedRelease> {
  const app = parseRepo(APP);
  const tuf = parseRepo(TUF);
  const before = client.requestCount;
  const buildAndSigningEvent = async () => {
    const build = gh.state
      .repo(APP)
      .runs.find((r) => r.event === 'release' && r.headBranch === 'v1.5.0');
    if (!build || build.status === 'completed') return;
    gh.state.setRunStatus(gh.state.repo(APP), build.id, 'completed', 'success');
    const branch = `sign/release-1-5-0-${build.id}`;
    gh.state.commit(gh.state.repo(TUF), branch, 'Add release v1.5.0 target');
    await openPullRequest(ci, tuf, {
      head: branch,
      base: 'main',
      title: 'Signing event: release v1.5.0',
    });
  };

  const previous = await previousReleaseTag(client, app, 'v1.5.0');
  await createRelease(client, app, {
    tag: 'v1.5.0',
    target: 'main',
    notes: `## Added\n- Feature one\n\n**Full Changelog**: ${client.webUrl(`${APP}/compare/${previous}...v1.5.0`)}`,
    assets: [
      { name: 'release-metadata.json', data: '{"tag":"v1.5.0"}' },
      { name: 'sbom.cdx.json', data: '{"bomFormat":"CycloneDX"}' },
    ],
  });
  const build = await findWorkflowRun(client, app, 'docker-build-push.yml', {
    event: 'release',
    branch: 'v1.5.0',
  });
  if (!build) throw new Error('the release started no build');
  await waitForRun(client, app, build.id, virtualTime(buildAndSigningEvent));
  const pull = await findPullRequest(
    client,
    tuf,
    { headPrefix: 'sign/release-1-5-0-' },
    { state: 'all' },
  );
  if (!pull) throw new Error('no signing-event pull request');
  // The maintainer signs offline (tuf-on-ci-sign pushes to the branch); a rerun finds it signed and merged.
  const signed = pull.merged
    ? pull.headSha
    : gh.state.commit(gh.state.repo(TUF), pull.head, 'Signed by @amaanx86');
  await waitForCheck(
    client,
    tuf,
    signed,
    CHECK,
    virtualTime((poll) => {
      if (poll === 1) gh.state.setCheckRun(gh.state.repo(TUF), signed, CHECK, 'in_progress');
      if (poll === 2)
        gh.state.setCheckRun(gh.state.repo(TUF), signed, CHECK, 'completed', 'success');
    }),
  );
  await mergePullRequest(client, tuf, pull.number, { sha: signed, ...virtualTime() });
  const { runId } = await dispatchWorkflow(client, tuf, 'publish.yml', { ref: 'main' });
  await waitForRun(
    client,
    tuf,
    runId,
    virtualTime(
      () => void gh.state.setRunStatus(gh.state.repo(TUF), runId, 'completed', 'success'),
    ),
  );
  return {
    requests: client.requestCount - before,
    previous,
    pullNumber: pull.number,
    publishRun: runId,
  };
}
