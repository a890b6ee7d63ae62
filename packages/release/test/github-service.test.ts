import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubApiServer, type GitHubApiServer } from '@oci-sd/github-api-server';
import { createGitHubClient } from '@oci-sd/gh';
import { githubService } from '../src/adapters';
import type { GitHubService } from '../src/services';

const TOKEN = 'test-token';

describe('the release’s GitHub service finds the pull request from a head, whatever its state', () => {
  let gh: GitHubApiServer;
  let github: GitHubService;
  beforeAll(async () => {
    gh = await startGitHubApiServer({ token: TOKEN });
    const client = await createGitHubClient({
      token: TOKEN,
      apiUrl: gh.url,
      ghCli: false,
      backoffUnitMs: 1,
      minWriteIntervalMs: 0,
    });
    github = githubService(client, { intervalMs: 1, timeoutMs: 5_000 });
  });
  afterAll(() => gh.stop());

  it('an open one, then the same one once merged (a rerun after a maintainer merged it), in one request each', async () => {
    const repo = gh.state.createRepo('acme/merged');
    const head = gh.state.commit(repo, 'changelog/v1.5.0', 'changelog: 1.5.0');
    const opened = await github.openPullRequest('acme/merged', {
      head: 'changelog/v1.5.0',
      base: 'main',
      title: 'Release 1.5.0',
      body: '',
    });
    expect(await github.findPullRequest('acme/merged', 'changelog/v1.5.0')).toMatchObject({
      number: opened.number,
      state: 'open',
      merged: false,
      headSha: head,
    });

    const merge = await fetch(`${gh.url}/repos/acme/merged/pulls/${opened.number}/merge`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(merge.status).toBe(200);
    const mergeSha = ((await merge.json()) as { sha: string }).sha;
    const before = gh.requests.length;
    expect(await github.findPullRequest('acme/merged', 'changelog/v1.5.0')).toEqual({
      number: opened.number,
      url: opened.url,
      state: 'closed',
      merged: true,
      headSha: head,
      mergeSha,
    });
    expect(gh.requests.slice(before).map((r) => `${r.operationId} ${r.query}`)).toEqual([
      'pulls/list ?state=all&head=acme%3Achangelog%2Fv1.5.0&sort=created&direction=desc&per_page=100',
    ]);
    gh.assertNoViolations();
  });

  it('undefined when no pull request ever came from that head', async () => {
    gh.state.createRepo('acme/none');
    expect(await github.findPullRequest('acme/none', 'changelog/v9.9.9')).toBeUndefined();
    gh.assertNoViolations();
  });
});
