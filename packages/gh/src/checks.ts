import type { GitHubClient } from './client';
import { GitHubError } from './errors';
import { poll, type PollOptions } from './poll';
import { repoName, type RepoRef } from './repo';

/** Check-run conclusions that let a release go on (GitHub's own notion of a check that did not fail). */
export const PASSING_CHECK_CONCLUSIONS: ReadonlySet<string> = new Set([
  'success',
  'neutral',
  'skipped',
]);

export interface CheckInfo {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  htmlUrl: string | null;
}

export type CheckProgress =
  | { state: 'missing' }
  | { state: 'queued' | 'in_progress' | 'waiting' | 'requested' | 'pending'; check: CheckInfo };

export interface WaitForCheckOptions extends PollOptions {
  onProgress?: (event: CheckProgress) => void;
}

interface ApiCheck {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  html_url: string | null;
}

/** The latest run of the check named `name` on `ref` (branch, tag or sha), if any. */
export async function getCheck(
  client: GitHubClient,
  repo: RepoRef,
  ref: string,
  name: string,
): Promise<CheckInfo | undefined> {
  const { data } = await client.call(
    { what: `read check "${name}" on ${ref} in ${repoName(repo)}`, permission: 'checks: read' },
    () =>
      client.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
        ...repo,
        ref,
        check_name: name,
        filter: 'latest',
        per_page: 100,
      }),
  );
  const newest = (data.check_runs as ApiCheck[]).sort((a, b) => b.id - a.id)[0];
  return (
    newest && {
      id: newest.id,
      name: newest.name,
      headSha: newest.head_sha,
      status: newest.status,
      conclusion: newest.conclusion,
      htmlUrl: newest.html_url,
    }
  );
}

/**
 * Waits for the check `name` on `ref` to complete: right after a push or a PR there may be no
 * check yet, which counts as waiting. Resolves on success/neutral/skipped; any other
 * conclusion fails with CHECK_FAILED, running out of time with TIMEOUT.
 */
export async function waitForCheck(
  client: GitHubClient,
  repo: RepoRef,
  ref: string,
  name: string,
  options: WaitForCheckOptions = {},
): Promise<CheckInfo> {
  const label = `check "${name}" on ${ref} in ${repoName(repo)}`;
  const check = await poll(`waiting for ${label}`, options, async () => {
    const found = await getCheck(client, repo, ref, name);
    if (!found) {
      options.onProgress?.({ state: 'missing' });
      return { done: false, state: 'no such check yet' };
    }
    if (found.status === 'completed') return { done: true, value: found };
    options.onProgress?.({
      state: found.status as Exclude<CheckProgress['state'], 'missing'>,
      check: found,
    });
    return { done: false, state: found.status };
  });
  if (!PASSING_CHECK_CONCLUSIONS.has(check.conclusion ?? '')) {
    throw new GitHubError(
      'CHECK_FAILED',
      `${label} concluded ${check.conclusion}${check.htmlUrl ? `: ${check.htmlUrl}` : ''}`,
      { expected: 'success', found: check.conclusion },
    );
  }
  return check;
}
