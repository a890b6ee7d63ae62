import { describe, expect, it } from 'vitest';
import { rejectionOf } from '@oci-sd/test-support';
import { startGitHubApiServer, type GitHubApiServer } from '@oci-sd/github-api-server';
import {
  createGitHubClient,
  createRelease,
  findRelease,
  parseRepo,
  resolveEndpoints,
  resolveToken,
  type RateLimitEvent,
  type RequestEvent,
  GitHubError,
} from '../src/index';
import { testClient, TOKEN, uniqueRepo } from './support/helpers';
import { useTestServer } from './support/test-server';

let gh: GitHubApiServer;
useTestServer((started) => ({ gh } = started));

function releasedRepo() {
  const name = uniqueRepo();
  const state = gh.state.createRepo(name);
  state.releases.push({
    id: gh.state.id(),
    tagName: 'v1.0.0',
    targetCommitish: 'main',
    name: 'v1.0.0',
    body: null,
    draft: false,
    prerelease: false,
    immutable: false,
    makeLatest: 'true',
    createdAt: gh.state.now(),
    updatedAt: gh.state.now(),
    publishedAt: gh.state.now(),
    assets: [],
  });
  return { name, repo: parseRepo(name) };
}

describe('retries and rate limits', () => {
  it('retries 502s with backoff and counts every attempt', async () => {
    const { name, repo } = releasedRepo();
    const events: RequestEvent[] = [];
    const client = await testClient(gh, { onRequest: (e) => events.push(e) });
    gh.faults.fail({ status: 502, times: 2, match: { operationId: 'repos/get-release-by-tag' } });
    expect(await findRelease(client, repo, 'v1.0.0')).toMatchObject({ tag: 'v1.0.0' });
    expect(events.map((e) => e.status)).toEqual([502, 502, 200]);
    expect(client.requestCount).toBe(3);
    expect(gh.count({ path: name })).toBe(3);
  });

  it('gives up after the configured retries with NETWORK, naming the request', async () => {
    const { repo } = releasedRepo();
    const client = await testClient(gh, { retries: 2 });
    gh.faults.fail({ status: 502, times: 10, match: { operationId: 'repos/get-release-by-tag' } });
    const error = await rejectionOf(findRelease(client, repo, 'v1.0.0'), GitHubError);
    expect(error.code).toBe('NETWORK');
    expect(error.request).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/repos\/.*\/releases\/tags\/v1\.0\.0$/,
    );
    expect(client.requestCount).toBe(3);
  });

  for (const status of [403, 429] as const) {
    it(`honours a secondary rate limit (${status}) with retry-after`, async () => {
      const { repo } = releasedRepo();
      const limits: RateLimitEvent[] = [];
      const client = await testClient(gh, { onRateLimit: (e) => limits.push(e) });
      gh.faults.secondaryRateLimit({
        status,
        retryAfter: 3,
        times: 1,
        match: { operationId: 'repos/get-release-by-tag' },
      });
      const started = performance.now();
      expect(await findRelease(client, repo, 'v1.0.0')).toMatchObject({ tag: 'v1.0.0' });
      expect(client.requestCount).toBe(2);
      expect(limits).toEqual([
        expect.objectContaining({ kind: 'secondary', retryAfterSeconds: 3, retrying: true }),
      ]);
      // 3 units of 1 ms at least (test clients shrink seconds to milliseconds).
      expect(performance.now() - started).toBeGreaterThanOrEqual(3);
    });
  }

  it('fails RATE_LIMITED when the secondary limit persists', async () => {
    const { repo } = releasedRepo();
    const client = await testClient(gh, { retries: 2 });
    gh.faults.secondaryRateLimit({
      retryAfter: 1,
      times: 10,
      match: { operationId: 'repos/get-release-by-tag' },
    });
    const error = await rejectionOf(findRelease(client, repo, 'v1.0.0'), GitHubError);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.found).toBe('1');
    expect(client.requestCount).toBe(3);
  });

  it('waits out a short primary rate limit, refuses a long one', async () => {
    const { repo } = releasedRepo();
    const client = await testClient(gh, { maxRateLimitWaitSeconds: 60 });
    const reset = (inSeconds: number) => String(Math.floor(Date.now() / 1000) + inSeconds);
    gh.faults.fail({
      status: 403,
      message: 'API rate limit exceeded for user ID 1.',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset(5) },
      match: { operationId: 'repos/get-release-by-tag' },
    });
    expect(await findRelease(client, repo, 'v1.0.0')).toMatchObject({ tag: 'v1.0.0' });
    gh.faults.fail({
      status: 403,
      message: 'API rate limit exceeded for user ID 1.',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset(3600) },
      match: { operationId: 'repos/get-release-by-tag' },
    });
    expect((await rejectionOf(findRelease(client, repo, 'v1.0.0'), GitHubError)).code).toBe(
      'RATE_LIMITED',
    );
  });

  it('times out a slow attempt and retries it', async () => {
    const { repo } = releasedRepo();
    const events: RequestEvent[] = [];
    // Generous against a loaded machine: only the first attempt is slowed, far past the timeout.
    const client = await testClient(gh, {
      requestTimeoutMs: 1_500,
      onRequest: (e) => events.push(e),
    });
    gh.faults.slow({ ms: 6_000, times: 1, match: { operationId: 'repos/get-release-by-tag' } });
    expect(await findRelease(client, repo, 'v1.0.0')).toMatchObject({ tag: 'v1.0.0' });
    expect(events[0]!.status).toBeUndefined();
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(1_400);
    expect(events.at(-1)!.status).toBe(200);
  });

  it('fails NETWORK when nothing listens, without the token in the message', async () => {
    const client = await createGitHubClient({
      token: TOKEN,
      apiUrl: 'http://127.0.0.1:9',
      ghCli: false,
      retries: 1,
      backoffUnitMs: 1,
    });
    const error = await rejectionOf(findRelease(client, parseRepo('o/r'), 'v1'), GitHubError);
    expect(error.code).toBe('NETWORK');
    expect(`${error.message} ${JSON.stringify(error.cause)}`).not.toContain(TOKEN);
  });
});

describe('endpoints and tokens', () => {
  it('defaults to GitHub.com and follows Actions variables and Enterprise Server URLs', () => {
    expect(resolveEndpoints({ env: {} })).toEqual({
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
    });
    expect(
      resolveEndpoints({
        env: { GITHUB_API_URL: 'https://api.github.com', GITHUB_SERVER_URL: 'https://github.com' },
      }),
    ).toEqual({ apiUrl: 'https://api.github.com', serverUrl: 'https://github.com' });
    expect(resolveEndpoints({ env: { GITHUB_SERVER_URL: 'https://ghe.example.com/' } })).toEqual({
      apiUrl: 'https://ghe.example.com/api/v3',
      serverUrl: 'https://ghe.example.com',
    });
    expect(resolveEndpoints({ env: { GITHUB_API_URL: 'https://ghe.example.com/api/v3' } })).toEqual(
      { apiUrl: 'https://ghe.example.com/api/v3', serverUrl: 'https://ghe.example.com' },
    );
    expect(
      resolveEndpoints({
        apiUrl: 'http://127.0.0.1:8080',
        env: { GITHUB_API_URL: 'https://ignored' },
      }).apiUrl,
    ).toBe('http://127.0.0.1:8080');
    expect(() => resolveEndpoints({ env: { GITHUB_API_URL: 'ghe.example.com' } })).toThrow(
      /GITHUB_API_URL is not a URL/,
    );
    expect(() => resolveEndpoints({ env: { GITHUB_SERVER_URL: 'ftp://x' } })).toThrow(
      /must be http/,
    );
  });

  it('takes the token from the option, GH_TOKEN, GITHUB_TOKEN, Enterprise variables, then gh', async () => {
    const dotcom = resolveEndpoints({ env: {} });
    const ghe = resolveEndpoints({ env: { GITHUB_SERVER_URL: 'https://ghe.example.com' } });
    const asked: string[] = [];
    const ghCli = async (host: string) => {
      asked.push(host);
      return 'from-gh';
    };
    expect(
      await resolveToken({ token: 'opt', env: { GH_TOKEN: 'x' }, endpoints: dotcom, ghCli }),
    ).toEqual({ token: 'opt', source: 'option' });
    expect(
      await resolveToken({ env: { GH_TOKEN: 'a', GITHUB_TOKEN: 'b' }, endpoints: dotcom, ghCli }),
    ).toEqual({ token: 'a', source: 'GH_TOKEN' });
    expect(await resolveToken({ env: { GITHUB_TOKEN: 'b' }, endpoints: dotcom, ghCli })).toEqual({
      token: 'b',
      source: 'GITHUB_TOKEN',
    });
    expect(
      await resolveToken({
        env: { GITHUB_TOKEN: 'b', GH_ENTERPRISE_TOKEN: 'e' },
        endpoints: ghe,
        ghCli,
      }),
    ).toEqual({ token: 'e', source: 'GH_ENTERPRISE_TOKEN' });
    expect(await resolveToken({ env: {}, endpoints: ghe, ghCli })).toEqual({
      token: 'from-gh',
      source: 'gh auth token',
    });
    expect(asked).toEqual(['ghe.example.com']);
    expect(
      await resolveToken({ env: {}, endpoints: dotcom, ghCli: async () => undefined }),
    ).toBeUndefined();
    expect(
      await resolveToken({ env: { GH_TOKEN: '  ' }, endpoints: dotcom, ghCli: false }),
    ).toBeUndefined();
  });

  it('fails NO_TOKEN without any token unless anonymous', async () => {
    const error = await rejectionOf(createGitHubClient({ env: {}, ghCli: false }), GitHubError);
    expect(error.code).toBe('NO_TOKEN');
    expect(error.message).toMatch(/GH_TOKEN or GITHUB_TOKEN/);
    const anonymous = await createGitHubClient({ env: {}, ghCli: false, anonymous: true });
    expect(anonymous.apiUrl).toBe('https://api.github.com');
  });

  it('reads the Actions environment for the API and builds web links from the server URL', async () => {
    const client = await createGitHubClient({
      env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: TOKEN },
      ghCli: false,
    });
    expect(client.apiUrl).toBe(gh.url);
    expect(client.webUrl('/o/r/compare/v1...v2')).toBe(`${gh.url}/o/r/compare/v1...v2`);
    const { repo } = releasedRepo();
    expect(await findRelease(client, repo, 'v1.0.0')).toMatchObject({ tag: 'v1.0.0' });
  });

  it('parses OWNER/REPO strictly', () => {
    expect(parseRepo('amaanx86/oci-prometheus-sd-proxy')).toEqual({
      owner: 'amaanx86',
      repo: 'oci-prometheus-sd-proxy',
    });
    for (const bad of ['', 'owner', 'a/b/c', 'a b/c', '/r'])
      expect(() => parseRepo(bad)).toThrow(/OWNER\/REPO/);
  });
});

describe('GitHub Enterprise Server', () => {
  it('derives /api/v3 from GITHUB_SERVER_URL and uploads through the release upload_url (/api/uploads)', async () => {
    const ghes = await startGitHubApiServer({ token: TOKEN, enterprise: true });
    try {
      const state = ghes.state.createRepo('corp/app');
      const client = await createGitHubClient({
        env: { GITHUB_SERVER_URL: ghes.webUrl, GITHUB_TOKEN: TOKEN },
        ghCli: false,
        backoffUnitMs: 1,
        minWriteIntervalMs: 0,
      });
      expect(client.apiUrl).toBe(`${ghes.webUrl}/api/v3`);
      const { release } = await createRelease(client, parseRepo('corp/app'), {
        tag: 'v1.0.0',
        target: 'main',
        assets: [{ name: 'sbom.json', data: '{}' }],
      });
      expect(release.assets.map((a) => a.name)).toEqual(['sbom.json']);
      expect(state.releases[0]).toMatchObject({ draft: false, tagName: 'v1.0.0' });
      expect(ghes.requests.map((r) => r.path.split('/').slice(0, 3).join('/'))).toEqual([
        '/api/v3',
        '/api/v3',
        '/api/v3',
        '/api/uploads',
        '/api/v3',
      ]);
      expect(client.webUrl('corp/app/compare/v0.9.0...v1.0.0')).toBe(
        `${ghes.webUrl}/corp/app/compare/v0.9.0...v1.0.0`,
      );
      // GitHub.com-style paths do not exist on an Enterprise Server.
      const stray = await fetch(`${ghes.webUrl}/repos/corp/app`, {
        headers: { authorization: `token ${TOKEN}` },
      });
      expect(stray.status).toBe(404);
      expect(ghes.violations).toEqual([
        expect.stringMatching(/GET \/repos\/corp\/app: no such operation/),
      ]);
    } finally {
      await ghes.stop();
    }
  });
});
