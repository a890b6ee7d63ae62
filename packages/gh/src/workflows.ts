import type { GitHubClient } from './client';
import { GitHubError } from './errors';
import { poll, type PollOptions } from './poll';
import { repoName, type RepoRef } from './repo';

const ACTIONS_WRITE = 'actions: write';

export interface RunInfo {
  id: number;
  name: string | null;
  runNumber: number;
  event: string;
  status: string | null;
  conclusion: string | null;
  headBranch: string | null;
  headSha: string;
  htmlUrl: string;
  createdAt: string;
}

interface ApiRun {
  id: number;
  name?: string | null;
  run_number: number;
  event: string;
  status: string | null;
  conclusion: string | null;
  head_branch: string | null;
  head_sha: string;
  html_url: string;
  created_at: string;
}

function toRun(r: ApiRun): RunInfo {
  return {
    id: r.id,
    name: r.name ?? null,
    runNumber: r.run_number,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    headBranch: r.head_branch,
    headSha: r.head_sha,
    htmlUrl: r.html_url,
    createdAt: r.created_at,
  };
}

export interface RunFilter {
  /** e.g. `workflow_dispatch`, `release`, `push` */
  event?: string;
  headSha?: string;
  /** Branch (or tag, for tag-triggered runs). */
  branch?: string;
  /** `queued`, `in_progress`, `completed` or a conclusion such as `success`. */
  status?: string;
  /** Runs with these ids are ignored (those that existed before a dispatch). */
  exclude?: ReadonlySet<number>;
}

async function listRuns(
  client: GitHubClient,
  repo: RepoRef,
  workflow: string,
  filter: RunFilter,
): Promise<RunInfo[]> {
  const { data } = await client.call(
    { what: `list runs of ${workflow} in ${repoName(repo)}`, permission: 'actions: read' },
    () =>
      client.octokit.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
        ...repo,
        workflow_id: workflow,
        ...(filter.event ? { event: filter.event } : {}),
        ...(filter.headSha ? { head_sha: filter.headSha } : {}),
        ...(filter.branch ? { branch: filter.branch } : {}),
        ...(filter.status ? { status: filter.status as 'completed' } : {}),
        per_page: 100,
      }),
  );
  return (data.workflow_runs as ApiRun[]).map(toRun).filter((r) => !filter.exclude?.has(r.id));
}

/** The newest run of `workflow` (file name or id) matching the filter. */
export async function findWorkflowRun(
  client: GitHubClient,
  repo: RepoRef,
  workflow: string,
  filter: RunFilter = {},
): Promise<RunInfo | undefined> {
  return (await listRuns(client, repo, workflow, filter)).sort((a, b) => b.id - a.id)[0];
}

export async function getWorkflowRun(
  client: GitHubClient,
  repo: RepoRef,
  runId: number,
): Promise<RunInfo> {
  const { data } = await client.call(
    { what: `get workflow run ${runId} of ${repoName(repo)}`, permission: 'actions: read' },
    () =>
      client.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
        ...repo,
        run_id: runId,
      }),
  );
  return toRun(data as ApiRun);
}

export interface DispatchOptions {
  /** Branch or tag to run on. */
  ref: string;
  inputs?: Record<string, string | number | boolean>;
  /**
   * Reuse a `workflow_dispatch` run of this workflow on the same ref at the same commit that is
   * queued, running or succeeded, instead of starting another (default true; inputs are not
   * compared, GitHub does not report them).
   */
  reuse?: boolean;
  /** How long to look for the run when GitHub answers 204 or the answer is lost (default 2 s interval, 2 min). */
  find?: PollOptions;
}

export interface DispatchResult {
  runId: number;
  htmlUrl: string;
  /** How the run was identified: GitHub's run details, a search after 204/lost answer, or an earlier run reused. */
  via: 'run-details' | 'search' | 'reused';
}

/**
 * Dispatches a workflow and identifies its run: `return_run_details` gives the run id directly;
 * when the server answers 204 (older servers) or the answer is lost, the new run is found by
 * event, ref and commit among runs that did not exist before. The dispatch itself is never
 * blindly retried, so a lost answer never starts a second run.
 */
export async function dispatchWorkflow(
  client: GitHubClient,
  repo: RepoRef,
  workflow: string,
  options: DispatchOptions,
): Promise<DispatchResult> {
  const label = `dispatch ${workflow} on ${options.ref} in ${repoName(repo)}`;
  const ref = options.ref.replace(/^refs\/(heads|tags)\//, '');
  const { data: commit } = await client.call(
    { what: `${label}: resolve ${ref}`, permission: 'contents: read' },
    () =>
      client.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', {
        ...repo,
        ref,
        per_page: 1,
      }),
  );
  const headSha = commit.sha;
  const before = await listRuns(client, repo, workflow, {
    event: 'workflow_dispatch',
    branch: ref,
  });
  if (options.reuse !== false) {
    const reusable = before
      .filter(
        (r) => r.headSha === headSha && (r.status !== 'completed' || r.conclusion === 'success'),
      )
      .sort((a, b) => b.id - a.id)[0];
    if (reusable) return { runId: reusable.id, htmlUrl: reusable.htmlUrl, via: 'reused' };
  }
  const known = new Set(before.map((r) => r.id));
  const findNew = () =>
    poll(
      `${label}: looking for the new run`,
      { intervalMs: 2_000, timeoutMs: 120_000, ...options.find },
      async () => {
        const run = await findWorkflowRun(client, repo, workflow, {
          event: 'workflow_dispatch',
          branch: ref,
          headSha,
          exclude: known,
        });
        return run ? { done: true, value: run } : { done: false, state: 'no new run yet' };
      },
    );
  let response;
  try {
    response = await client.octokit.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        ...repo,
        workflow_id: workflow,
        ref,
        ...(options.inputs ? { inputs: options.inputs } : {}),
        return_run_details: true,
        // Not idempotent: a retry after a lost answer could start a second run.
        request: { retries: 0 },
      },
    );
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined && status < 500)
      throw client.explain(error, { what: label, permission: ACTIONS_WRITE });
    // The answer was lost (5xx or network): the dispatch may have landed; look before giving up.
    try {
      const run = await findNew();
      return { runId: run.id, htmlUrl: run.htmlUrl, via: 'search' };
    } catch (searchError) {
      if (searchError instanceof GitHubError && searchError.code === 'TIMEOUT')
        throw client.explain(error, {
          what: `${label} (no run appeared afterwards)`,
          permission: ACTIONS_WRITE,
        });
      throw searchError;
    }
  }
  if (
    response.status === 200 &&
    response.data &&
    typeof response.data === 'object' &&
    'workflow_run_id' in response.data
  ) {
    return {
      runId: Number(response.data.workflow_run_id),
      htmlUrl: response.data.html_url,
      via: 'run-details',
    };
  }
  const run = await findNew();
  return { runId: run.id, htmlUrl: run.htmlUrl, via: 'search' };
}

export interface WaitForRunOptions extends PollOptions {
  onProgress?: (run: RunInfo) => void;
  /** Throw RUN_FAILED when the run concludes other than success (default true). */
  failOnConclusion?: boolean;
}

/** Waits for a workflow run to complete; returns it (conclusion, URL) or fails with RUN_FAILED/TIMEOUT. */
export async function waitForRun(
  client: GitHubClient,
  repo: RepoRef,
  runId: number,
  options: WaitForRunOptions = {},
): Promise<RunInfo> {
  const run = await poll(
    `waiting for workflow run ${runId} of ${repoName(repo)}`,
    options,
    async () => {
      const current = await getWorkflowRun(client, repo, runId);
      if (current.status === 'completed') return { done: true, value: current };
      options.onProgress?.(current);
      return { done: false, state: current.status ?? 'unknown' };
    },
  );
  if (options.failOnConclusion !== false && run.conclusion !== 'success') {
    throw new GitHubError(
      'RUN_FAILED',
      `workflow run ${run.id} (${run.name ?? 'workflow'}) concluded ${run.conclusion}: ${run.htmlUrl}`,
      { expected: 'success', found: run.conclusion },
    );
  }
  return run;
}
