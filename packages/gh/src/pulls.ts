import type { GitHubClient } from './client';
import { GitHubError } from './errors';
import { poll, type PollOptions } from './poll';
import { repoName, type RepoRef } from './repo';

const PULLS_WRITE = 'pull-requests: write';

export interface PullRequestInfo {
  number: number;
  title: string;
  state: 'open' | 'closed';
  head: string;
  headSha: string;
  base: string;
  htmlUrl: string;
  /** Only on a single pull request: null while GitHub computes it. */
  mergeable?: boolean | null;
  merged?: boolean;
  mergeCommitSha: string | null;
}

interface ApiPull {
  number: number;
  title: string;
  state: string;
  head: { ref: string; sha: string };
  base: { ref: string };
  html_url: string;
  mergeable?: boolean | null;
  merged?: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
}

function toPull(p: ApiPull): PullRequestInfo {
  return {
    number: p.number,
    title: p.title,
    state: p.state === 'open' ? 'open' : 'closed',
    head: p.head.ref,
    headSha: p.head.sha,
    base: p.base.ref,
    htmlUrl: p.html_url,
    ...(p.mergeable !== undefined ? { mergeable: p.mergeable } : {}),
    merged: p.merged ?? p.merged_at !== null,
    mergeCommitSha: p.merge_commit_sha,
  };
}

/** A head branch exactly, or every head branch starting with a prefix (e.g. `sign/release-1-5-0-`). */
export type PullSelector = { head: string } | { headPrefix: string };

/**
 * The newest pull request whose head matches (open ones by default; `state: 'all'` also finds a
 * merged one, for reruns). Exact heads use GitHub's `head=OWNER:BRANCH` filter (one request);
 * prefixes list pull requests, newest first, and match locally.
 */
export async function findPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  selector: PullSelector,
  options: { state?: 'open' | 'closed' | 'all' } = {},
): Promise<PullRequestInfo | undefined> {
  const what = 'head' in selector ? `head ${selector.head}` : `head prefix ${selector.headPrefix}`;
  const state = options.state ?? 'open';
  return client.call(
    {
      what: `find pull request by ${what} in ${repoName(repo)}`,
      permission: 'pull-requests: read',
    },
    async () => {
      if ('head' in selector) {
        const { data } = await client.octokit.request('GET /repos/{owner}/{repo}/pulls', {
          ...repo,
          state,
          head: `${repo.owner}:${selector.head}`,
          sort: 'created',
          direction: 'desc',
          per_page: 100,
        });
        const first = (data as ApiPull[])[0];
        return first ? toPull(first) : undefined;
      }
      for await (const page of client.octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls', {
        ...repo,
        state,
        sort: 'created',
        direction: 'desc',
        per_page: 100,
      })) {
        const hit = (page.data as ApiPull[]).find((p) =>
          p.head.ref.startsWith(selector.headPrefix),
        );
        if (hit) return toPull(hit);
      }
      return undefined;
    },
  );
}

export interface OpenPullRequestOptions {
  head: string;
  base: string;
  title: string;
  body?: string;
}

/** Opens a pull request, or returns the open one for the same head (never a second one). */
export async function openPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  options: OpenPullRequestOptions,
): Promise<{ pull: PullRequestInfo; created: boolean }> {
  const existing = await findPullRequest(client, repo, { head: options.head });
  if (existing) return { pull: existing, created: false };
  const context = {
    what: `open pull request ${options.head} -> ${options.base} in ${repoName(repo)}`,
    permission: PULLS_WRITE,
  };
  try {
    const { data } = await client.octokit.request('POST /repos/{owner}/{repo}/pulls', {
      ...repo,
      head: options.head,
      base: options.base,
      title: options.title,
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    return { pull: toPull(data as ApiPull), created: true };
  } catch (error) {
    // Opened concurrently (or our earlier attempt landed before the connection dropped).
    const raced =
      (error as { status?: number }).status === 422
        ? await findPullRequest(client, repo, { head: options.head })
        : undefined;
    if (raced) return { pull: raced, created: false };
    throw client.explain(error, context);
  }
}

export async function getPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<PullRequestInfo> {
  const { data } = await client.call(
    { what: `get pull request #${number} of ${repoName(repo)}`, permission: 'pull-requests: read' },
    () =>
      client.octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
        ...repo,
        pull_number: number,
      }),
  );
  return toPull(data as ApiPull);
}

export interface MergeOptions extends PollOptions {
  /** The head sha that was reviewed/signed: the merge fails (HEAD_MOVED) if the branch moved since. Default: the head seen now. */
  sha?: string;
  method?: 'merge' | 'squash' | 'rebase';
  onProgress?: (event: {
    state: 'computing-mergeable' | 'merging' | 'merged' | 'already-merged';
    pull: PullRequestInfo;
  }) => void;
}

/**
 * Merges a pull request pinned to its head sha: waits while GitHub computes `mergeable`, refuses a
 * moved head, and treats an already merged pull request (at that sha) as done.
 */
export async function mergePullRequest(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
  options: MergeOptions = {},
): Promise<{ sha: string; alreadyMerged: boolean }> {
  const label = `merge pull request #${number} of ${repoName(repo)}`;
  const pinned = (pull: PullRequestInfo) => {
    if (options.sha && pull.headSha !== options.sha) {
      throw new GitHubError(
        'HEAD_MOVED',
        `${label}: the head moved to ${pull.headSha}, expected ${options.sha}; review the new commits before merging`,
        { expected: options.sha, found: pull.headSha },
      );
    }
  };
  const settled = await poll(
    `${label}: waiting for GitHub to compute mergeability`,
    { intervalMs: 2_000, timeoutMs: 120_000, ...options },
    async () => {
      const pull = await getPullRequest(client, repo, number);
      if (pull.merged || pull.mergeable !== null || pull.state === 'closed')
        return { done: true, value: pull };
      options.onProgress?.({ state: 'computing-mergeable', pull });
      return { done: false, state: 'mergeable: null (computing)' };
    },
  );
  if (settled.merged) {
    pinned(settled);
    options.onProgress?.({ state: 'already-merged', pull: settled });
    return { sha: settled.mergeCommitSha ?? settled.headSha, alreadyMerged: true };
  }
  if (settled.state === 'closed')
    throw new GitHubError(
      'NOT_MERGEABLE',
      `${label}: the pull request is closed without being merged`,
      { expected: 'open', found: 'closed' },
    );
  pinned(settled);
  if (settled.mergeable === false) {
    throw new GitHubError(
      'NOT_MERGEABLE',
      `${label}: GitHub reports it is not mergeable (conflicts or branch protection); fix it, then retry`,
      { expected: 'mergeable: true', found: 'mergeable: false' },
    );
  }
  options.onProgress?.({ state: 'merging', pull: settled });
  const sha = options.sha ?? settled.headSha;
  try {
    const { data } = await client.octokit.request(
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { ...repo, pull_number: number, sha, merge_method: options.method ?? 'merge' },
    );
    options.onProgress?.({ state: 'merged', pull: settled });
    return { sha: data.sha, alreadyMerged: false };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 409)
      throw new GitHubError(
        'HEAD_MOVED',
        `${label}: GitHub refused (409): the head moved after ${sha}; review the new commits before merging`,
        { expected: sha, status, request: `PUT /repos/${repoName(repo)}/pulls/${number}/merge` },
      );
    if (status === 405) {
      // A merge whose answer was lost and then retried sees 405; it is done if the pull is merged at our sha.
      const after = await getPullRequest(client, repo, number);
      if (after.merged && after.headSha === sha)
        return { sha: after.mergeCommitSha ?? sha, alreadyMerged: true };
    }
    throw client.explain(error, { what: label, permission: 'contents: write' });
  }
}
