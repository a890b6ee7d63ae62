import { describe, expect, it } from 'vitest';
import { rejectionOf } from '@oci-sd/test-support';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import {
  findPullRequest,
  mergePullRequest,
  openPullRequest,
  parseRepo,
  waitForCheck,
  type CheckProgress,
  type GitHubClient,
  GitHubError,
} from '../src/index';
import { uniqueRepo, virtualTime } from './support/helpers';
import { useTestServer } from './support/test-server';

let gh: GitHubApiServer;
let client: GitHubClient;
useTestServer((started) => ({ gh, client } = started));

/** A TUF-on-CI style repository with a pushed signing-event branch. */
function signingRepo(branch = 'sign/release-1-5-0-9876') {
  const name = uniqueRepo('tuf');
  const state = gh.state.createRepo(name);
  const head = gh.state.commit(state, branch, 'Signing event');
  return { name, repo: parseRepo(name), state, branch, head };
}

describe('pull requests', () => {
  it('opens once, finds by head and by head prefix, never opens a second one', async () => {
    const { repo, state, branch } = signingRepo();
    const opened = await openPullRequest(client, repo, {
      head: branch,
      base: 'main',
      title: 'Signing event',
      body: 'sign it',
    });
    expect(opened.created).toBe(true);
    const again = await openPullRequest(client, repo, {
      head: branch,
      base: 'main',
      title: 'Signing event',
    });
    expect(again.created).toBe(false);
    expect(again.pull.number).toBe(opened.pull.number);
    expect(state.pulls).toHaveLength(1);
    expect(await findPullRequest(client, repo, { head: branch })).toMatchObject({
      number: opened.pull.number,
      head: branch,
    });
    expect(
      await findPullRequest(client, repo, { headPrefix: 'sign/release-1-5-0-' }),
    ).toMatchObject({ number: opened.pull.number });
    expect(
      await findPullRequest(client, repo, { headPrefix: 'sign/release-1-6-0-' }),
    ).toBeUndefined();
    expect(await findPullRequest(client, repo, { head: 'sign/release-1-5-0' })).toBeUndefined();
  });

  it('takes the newest of several signing events with the same prefix', async () => {
    const { repo, state } = signingRepo('sign/release-2-0-0-1');
    gh.state.commit(state, 'sign/release-2-0-0-2', 'second event');
    await openPullRequest(client, repo, {
      head: 'sign/release-2-0-0-1',
      base: 'main',
      title: 'first',
    });
    const second = await openPullRequest(client, repo, {
      head: 'sign/release-2-0-0-2',
      base: 'main',
      title: 'second',
    });
    expect(
      await findPullRequest(client, repo, { headPrefix: 'sign/release-2-0-0-' }),
    ).toMatchObject({ number: second.pull.number, head: 'sign/release-2-0-0-2' });
  });

  it('finds the pull request that a lost answer created instead of failing', async () => {
    const { repo, state, branch } = signingRepo();
    gh.faults.fail({ status: 502, times: 4, landed: true, match: { operationId: 'pulls/create' } });
    const opened = await openPullRequest(client, repo, {
      head: branch,
      base: 'main',
      title: 'Signing event',
    });
    expect(opened.created).toBe(false);
    expect(state.pulls).toHaveLength(1);
  });

  it('merges pinned to the signed head, waiting while mergeable is computed', async () => {
    const { repo, state, branch, head } = signingRepo();
    const { pull } = await openPullRequest(client, repo, {
      head: branch,
      base: 'main',
      title: 'Signing event',
    });
    const seen: string[] = [];
    const merged = await mergePullRequest(client, repo, pull.number, {
      sha: head,
      ...virtualTime(),
      onProgress: (e) => seen.push(e.state),
    });
    expect(seen).toEqual(['computing-mergeable', 'merging', 'merged']);
    expect(merged.alreadyMerged).toBe(false);
    expect(state.branches.get('main')).toBe(merged.sha);
    // Rerun after a crash: already merged at the same sha is success, without a second merge.
    const before = gh.count({ operationId: 'pulls/merge' });
    expect(
      await mergePullRequest(client, repo, pull.number, { sha: head, ...virtualTime() }),
    ).toEqual({ sha: merged.sha, alreadyMerged: true });
    expect(gh.count({ operationId: 'pulls/merge' })).toBe(before);
  });

  it('treats a merge whose answer was lost as merged', async () => {
    const { repo, state, branch, head } = signingRepo();
    const { pull } = await openPullRequest(client, repo, {
      head: branch,
      base: 'main',
      title: 'Signing event',
    });
    gh.faults.fail({ status: 502, times: 1, landed: true, match: { operationId: 'pulls/merge' } });
    const merged = await mergePullRequest(client, repo, pull.number, {
      sha: head,
      ...virtualTime(),
    });
    expect(merged.alreadyMerged).toBe(true);
    expect(state.pulls[0]!.mergedAt).not.toBeNull();
    expect(gh.count({ operationId: 'pulls/merge' })).toBeGreaterThanOrEqual(2);
  });

  it('refuses when the head moved after signing (before asking, and on a 409)', async () => {
    const { repo, state, branch, head } = signingRepo();
    const { pull } = await openPullRequest(client, repo, {
      head: branch,
      base: 'main',
      title: 'Signing event',
    });
    const pushed = gh.state.commit(state, branch, 'unsigned change');
    const error = await rejectionOf(
      mergePullRequest(client, repo, pull.number, { sha: head, ...virtualTime() }),
      GitHubError,
    );
    expect(error.code).toBe('HEAD_MOVED');
    expect(error).toMatchObject({ expected: head, found: pushed });
    expect(state.pulls[0]!.state).toBe('open');
    // The head moves between our look and the merge: GitHub's 409.
    gh.faults.fail({
      status: 409,
      message: 'Head branch was modified. Review and try the merge again.',
      match: { operationId: 'pulls/merge' },
    });
    const conflict = await rejectionOf(
      mergePullRequest(client, repo, pull.number, { sha: pushed, ...virtualTime() }),
      GitHubError,
    );
    expect(conflict.code).toBe('HEAD_MOVED');
    expect(conflict.status).toBe(409);
  });

  it('fails NOT_MERGEABLE when the pull request becomes unmergeable, and on 405', async () => {
    const { repo, state, branch, head } = signingRepo();
    const { pull } = await openPullRequest(client, repo, {
      head: branch,
      base: 'main',
      title: 'Signing event',
    });
    gh.state.setMergeable(state, pull.number, false);
    const error = await rejectionOf(
      mergePullRequest(client, repo, pull.number, { sha: head, ...virtualTime() }),
      GitHubError,
    );
    expect(error.code).toBe('NOT_MERGEABLE');
    expect(error.found).toBe('mergeable: false');
    gh.state.setMergeable(state, pull.number, true);
    gh.faults.fail({
      status: 405,
      message: 'Pull Request is not mergeable',
      match: { operationId: 'pulls/merge' },
    });
    const refused = await rejectionOf(
      mergePullRequest(client, repo, pull.number, { sha: head, ...virtualTime() }),
      GitHubError,
    );
    expect(refused.code).toBe('NOT_MERGEABLE');
    expect(refused.request).toMatch(/^PUT .*\/pulls\/\d+\/merge$/);
  });

  it('gives up with TIMEOUT when mergeability never settles', async () => {
    const { repo, state, branch, head } = signingRepo();
    const { pull } = await openPullRequest(client, repo, {
      head: branch,
      base: 'main',
      title: 'Signing event',
    });
    // Every poll finds GitHub computing again.
    const time = virtualTime(() => gh.state.setMergeable(state, pull.number, true), 1_000, 5_000);
    const error = await rejectionOf(
      mergePullRequest(client, repo, pull.number, { sha: head, ...time }),
      GitHubError,
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/mergeable: null/);
  });
});

describe('waitForCheck', () => {
  it('waits through no check yet and pending to success, reporting progress', async () => {
    const { repo, state, branch } = signingRepo();
    const progress: CheckProgress['state'][] = [];
    const time = virtualTime((poll) => {
      if (poll === 2) gh.state.setCheckRun(state, branch, 'TUF-on-CI signing event', 'queued');
      if (poll === 3) gh.state.setCheckRun(state, branch, 'TUF-on-CI signing event', 'in_progress');
      if (poll === 4)
        gh.state.setCheckRun(state, branch, 'TUF-on-CI signing event', 'completed', 'success');
    });
    const check = await waitForCheck(client, repo, branch, 'TUF-on-CI signing event', {
      ...time,
      onProgress: (e) => progress.push(e.state),
    });
    expect(progress).toEqual(['missing', 'missing', 'queued', 'in_progress']);
    expect(check).toMatchObject({
      name: 'TUF-on-CI signing event',
      status: 'completed',
      conclusion: 'success',
    });
    expect(time.polls()).toBe(4);
  });

  it('fails CHECK_FAILED on a failing conclusion, with the check URL', async () => {
    const { repo, state, branch } = signingRepo();
    gh.state.setCheckRun(state, branch, 'signing event', 'completed', 'failure');
    gh.state.setCheckRun(state, branch, 'unrelated', 'completed', 'success');
    const error = await rejectionOf(
      waitForCheck(client, repo, branch, 'signing event', virtualTime()),
      GitHubError,
    );
    expect(error.code).toBe('CHECK_FAILED');
    expect(error.message).toMatch(/concluded failure: http:\/\/127\.0\.0\.1:\d+\/.*\/runs\/\d+/);
  });

  it('times out on a check that never appears, saying so', async () => {
    const { repo, branch } = signingRepo();
    const time = virtualTime(() => {}, 10_000, 60_000);
    const error = await rejectionOf(waitForCheck(client, repo, branch, 'never', time), GitHubError);
    expect(error.code).toBe('TIMEOUT');
    expect(error.found).toBe('no such check yet');
    expect(time.polls()).toBe(6);
  });
});
