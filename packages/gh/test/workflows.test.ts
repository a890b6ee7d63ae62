import { describe, expect, it } from 'vitest';
import { rejectionOf } from '@oci-sd/test-support';
import type { GitHubApiServer, Repo } from '@oci-sd/github-api-server';
import {
  dispatchWorkflow,
  findWorkflowRun,
  parseRepo,
  waitForRun,
  type GitHubClient,
  type RunInfo,
  GitHubError,
} from '../src/index';
import { uniqueRepo, virtualTime } from './support/helpers';
import { useTestServer } from './support/test-server';

let gh: GitHubApiServer;
let client: GitHubClient;
useTestServer((started) => ({ gh, client } = started));

function tufRepo(): { name: string; state: Repo } {
  const name = uniqueRepo('tuf');
  return {
    name,
    state: gh.state.createRepo(name, { workflows: ['publish.yml', 'docker-build-push.yml'] }),
  };
}

describe('dispatchWorkflow', () => {
  it('identifies the run from return_run_details, with inputs passed on', async () => {
    const { name, state } = tufRepo();
    const result = await dispatchWorkflow(client, parseRepo(name), 'publish.yml', {
      ref: 'main',
      inputs: { dry_run: false },
    });
    expect(result.via).toBe('run-details');
    expect(state.runs).toHaveLength(1);
    expect(state.runs[0]).toMatchObject({
      id: result.runId,
      event: 'workflow_dispatch',
      headBranch: 'main',
      inputs: { dry_run: false },
    });
    expect(result.htmlUrl).toMatch(new RegExp(`/actions/runs/${result.runId}$`));
  });

  it('falls back to finding the new run when the server answers 204', async () => {
    const { name, state } = tufRepo();
    const repo = parseRepo(name);
    // An older run on the same ref must not be mistaken for ours.
    const old = gh.state.startRun(state, 'publish.yml', {
      event: 'workflow_dispatch',
      headBranch: 'main',
      headSha: state.branches.get('main')!,
      displayTitle: 'old',
    });
    gh.state.setRunStatus(state, old.id, 'completed', 'failure');
    gh.faults.dispatchWithoutRunDetails = true;
    const result = await dispatchWorkflow(client, repo, 'publish.yml', {
      ref: 'main',
      find: virtualTime(),
    });
    expect(result.via).toBe('search');
    expect(result.runId).not.toBe(old.id);
    expect(state.runs.map((r) => r.id)).toEqual([old.id, result.runId]);
  });

  it('never dispatches twice when the answer is lost: it finds the run that did start', async () => {
    const { name, state } = tufRepo();
    gh.faults.fail({
      status: 502,
      landed: true,
      match: { operationId: 'actions/create-workflow-dispatch' },
    });
    const result = await dispatchWorkflow(client, parseRepo(name), 'publish.yml', {
      ref: 'main',
      find: virtualTime(),
    });
    expect(result.via).toBe('search');
    expect(state.runs).toHaveLength(1);
    expect(gh.count({ operationId: 'actions/create-workflow-dispatch', path: name })).toBe(1);
  });

  it('fails NETWORK, not a second dispatch, when a failed dispatch started nothing', async () => {
    const { name, state } = tufRepo();
    gh.faults.fail({ status: 502, match: { operationId: 'actions/create-workflow-dispatch' } });
    const error = await rejectionOf(
      dispatchWorkflow(client, parseRepo(name), 'publish.yml', {
        ref: 'main',
        find: virtualTime(() => {}, 2_000, 10_000),
      }),
      GitHubError,
    );
    expect(error.code).toBe('NETWORK');
    expect(error.message).toMatch(/no run appeared afterwards/);
    expect(state.runs).toHaveLength(0);
    expect(gh.count({ operationId: 'actions/create-workflow-dispatch', path: name })).toBe(1);
  });

  it('reuses a queued, running or successful run on the same commit instead of dispatching again', async () => {
    const { name, state } = tufRepo();
    const repo = parseRepo(name);
    const first = await dispatchWorkflow(client, repo, 'publish.yml', { ref: 'main' });
    const rerun = await dispatchWorkflow(client, repo, 'publish.yml', { ref: 'main' });
    expect(rerun).toMatchObject({ runId: first.runId, via: 'reused' });
    gh.state.setRunStatus(state, first.runId, 'completed', 'failure');
    const retried = await dispatchWorkflow(client, repo, 'publish.yml', { ref: 'main' });
    expect(retried.via).toBe('run-details');
    gh.state.commit(state, 'main', 'new commit');
    const forced = await dispatchWorkflow(client, repo, 'publish.yml', {
      ref: 'main',
      reuse: false,
    });
    expect(forced.via).toBe('run-details');
    expect(state.runs).toHaveLength(3);
  });

  it('names a missing workflow or ref', async () => {
    const { name } = tufRepo();
    expect(
      (
        await rejectionOf(
          dispatchWorkflow(client, parseRepo(name), 'nope.yml', { ref: 'main' }),
          GitHubError,
        )
      ).code,
    ).toBe('NOT_FOUND');
    const badRef = await rejectionOf(
      dispatchWorkflow(client, parseRepo(name), 'publish.yml', { ref: 'no-branch' }),
      GitHubError,
    );
    expect(badRef.message).toMatch(/resolve no-branch/);
  });
});

describe('findWorkflowRun and waitForRun', () => {
  it('finds the build run a published release started, by event and commit', async () => {
    const { name, state } = tufRepo();
    const sha = state.branches.get('main')!;
    gh.state.startRun(state, 'docker-build-push.yml', {
      event: 'push',
      headBranch: 'main',
      headSha: sha,
    });
    const build = gh.state.startRun(state, 'docker-build-push.yml', {
      event: 'release',
      headBranch: 'v1.5.0',
      headSha: sha,
    });
    const repo = parseRepo(name);
    expect(
      await findWorkflowRun(client, repo, 'docker-build-push.yml', {
        event: 'release',
        headSha: sha,
      }),
    ).toMatchObject({ id: build.id, headBranch: 'v1.5.0' });
    expect(
      await findWorkflowRun(client, repo, 'docker-build-push.yml', {
        event: 'release',
        branch: 'v9.9.9',
      }),
    ).toBeUndefined();
  });

  it('waits for completion with progress and returns the conclusion and URL', async () => {
    const { name, state } = tufRepo();
    const { runId } = await dispatchWorkflow(client, parseRepo(name), 'publish.yml', {
      ref: 'main',
    });
    const seen: (string | null)[] = [];
    const time = virtualTime((poll) => {
      if (poll === 1) gh.state.setRunStatus(state, runId, 'in_progress');
      if (poll === 2) gh.state.setRunStatus(state, runId, 'completed', 'success');
    });
    const run: RunInfo = await waitForRun(client, parseRepo(name), runId, {
      ...time,
      onProgress: (r) => seen.push(r.status),
    });
    expect(seen).toEqual(['queued', 'in_progress']);
    expect(run).toMatchObject({ id: runId, status: 'completed', conclusion: 'success' });
    expect(run.htmlUrl).toContain(`/actions/runs/${runId}`);
  });

  it('fails RUN_FAILED with the run URL, or returns it when asked not to fail', async () => {
    const { name, state } = tufRepo();
    const repo = parseRepo(name);
    const { runId } = await dispatchWorkflow(client, repo, 'publish.yml', { ref: 'main' });
    gh.state.setRunStatus(state, runId, 'completed', 'failure');
    const error = await rejectionOf(waitForRun(client, repo, runId, virtualTime()), GitHubError);
    expect(error.code).toBe('RUN_FAILED');
    expect(error.message).toMatch(new RegExp(`concluded failure: .*/actions/runs/${runId}`));
    expect(
      await waitForRun(client, repo, runId, { ...virtualTime(), failOnConclusion: false }),
    ).toMatchObject({ conclusion: 'failure' });
  });

  it('times out on a run that never finishes', async () => {
    const { name } = tufRepo();
    const { runId } = await dispatchWorkflow(client, parseRepo(name), 'publish.yml', {
      ref: 'main',
    });
    const error = await rejectionOf(
      waitForRun(
        client,
        parseRepo(name),
        runId,
        virtualTime(() => {}, 5_000, 20_000),
      ),
      GitHubError,
    );
    expect(error).toMatchObject({ code: 'TIMEOUT', found: 'queued' });
  });
});
