import type { GitHubClient } from './client';
import { GitHubError } from './errors';

export interface RepoRef {
  owner: string;
  repo: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Parses `OWNER/REPO` (default: GITHUB_REPOSITORY, as in Actions). */
export function parseRepo(value: string | undefined = process.env.GITHUB_REPOSITORY): RepoRef {
  const [owner, repo, extra] = (value ?? '').split('/');
  if (!owner || !repo || extra !== undefined || !NAME.test(owner) || !NAME.test(repo)) {
    throw new GitHubError(
      'INVALID_INPUT',
      `repository must be OWNER/REPO, found ${value === undefined ? 'nothing (set --repo or GITHUB_REPOSITORY)' : `"${value}"`}`,
      {
        expected: 'OWNER/REPO',
        found: value,
      },
    );
  }
  return { owner, repo };
}

export function repoName(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}

/** The repository's default branch (what `gh workflow run` dispatches on without --ref). */
export async function defaultBranch(client: GitHubClient, ref: RepoRef): Promise<string> {
  const { data } = await client.call(
    { what: `read repository ${repoName(ref)}`, permission: 'metadata: read' },
    () => client.octokit.request('GET /repos/{owner}/{repo}', { ...ref }),
  );
  return data.default_branch;
}
