import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient, openPullRequest, parseRepo } from '@oci-sd/gh';
import { startGitHubApiServer, type GitHubApiServer } from '@oci-sd/github-api-server';
import { runMain, type MainResult } from './support/run-cli';

const TOKEN = `ghp_${'cliTOKEN42'.repeat(4)}`;
let gh: GitHubApiServer;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  gh = await startGitHubApiServer({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'oci-sd-gh-cli-'));
});
afterAll(async () => {
  await gh.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.env = { ...saved };
  gh.faults.clear();
  gh.assertNoViolations();
});

/** Runs `oci-sd ...` in-process against the test server, as a user would with GITHUB_API_URL and GH_TOKEN set. */
function run(...args: string[]): Promise<MainResult> {
  process.env = { ...saved, GITHUB_API_URL: gh.url, GH_TOKEN: TOKEN };
  delete process.env.GITHUB_REPOSITORY;
  delete process.env.GITHUB_TOKEN;
  return runMain(...args);
}

describe('oci-sd gh workflow run', () => {
  it('dispatches on the default branch with inputs and prints the run', async () => {
    const repo = gh.state.createRepo('acme/tuf-1', {
      defaultBranch: 'trunk',
      workflows: ['publish.yml'],
    });
    const { code, out, err } = await run(
      'gh',
      'workflow',
      'run',
      'publish.yml',
      '--repo',
      'acme/tuf-1',
      '-f',
      'dry_run=false',
      '-f',
      'note=a=b',
    );
    expect(code).toBe(0);
    expect(repo.runs).toHaveLength(1);
    expect(repo.runs[0]).toMatchObject({
      headBranch: 'trunk',
      inputs: { dry_run: 'false', note: 'a=b' },
    });
    expect(out.trim()).toBe(`${gh.url}/acme/tuf-1/actions/runs/${repo.runs[0]!.id}`);
    expect(err).toMatch(/Dispatched publish\.yml on trunk: run \d+/);
  });

  it('--wait follows the run and exits non-zero when it fails', async () => {
    const repo = gh.state.createRepo('acme/tuf-2', { workflows: ['publish.yml'] });
    gh.state.on((event) => {
      if (event.type === 'workflow.dispatched' && event.repo === repo)
        gh.state.setRunStatus(repo, event.run.id, 'completed', 'failure');
    });
    const { code, out, err } = await run(
      'gh',
      'workflow',
      'run',
      'publish.yml',
      '-R',
      'acme/tuf-2',
      '--wait',
      '--interval',
      '0.01',
      '--json',
    );
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({
      conclusion: 'failure',
      status: 'completed',
      via: 'run-details',
    });
    expect(err).toMatch(/concluded failure/);
  });

  it('--wait succeeds on a successful run', async () => {
    const repo = gh.state.createRepo('acme/tuf-3', { workflows: ['publish.yml'] });
    gh.state.on((event) => {
      if (event.type === 'workflow.dispatched' && event.repo === repo)
        gh.state.setRunStatus(repo, event.run.id, 'completed', 'success');
    });
    const { code, out } = await run(
      'gh',
      'workflow',
      'run',
      'publish.yml',
      '--repo',
      'acme/tuf-3',
      '--ref',
      'main',
      '--wait',
      '--interval',
      '0.01',
    );
    expect(code).toBe(0);
    expect(out).toMatch(/actions\/runs\/\d+ success/);
  });

  it('rejects bad input with exit 2 before any request', async () => {
    const before = gh.requests.length;
    expect((await run('gh', 'workflow', 'run', 'publish.yml', '--repo', 'not-a-repo')).err).toMatch(
      /OWNER\/REPO/,
    );
    expect(
      (await run('gh', 'workflow', 'run', 'publish.yml', '--repo', 'a/b', '-f', 'novalue')).code,
    ).toBe(2);
    expect(
      (await run('gh', 'workflow', 'run', 'publish.yml', '--repo', 'a/b', '--interval', 'soon'))
        .code,
    ).toBe(2);
    expect(gh.requests.length).toBe(before);
  });

  it('exits 3 on network failure and never prints the token', async () => {
    gh.state.createRepo('acme/tuf-4', { workflows: ['publish.yml'] });
    gh.faults.fail({ status: 502, times: 20, match: { operationId: 'repos/get' } });
    const { code, err } = await run('gh', 'workflow', 'run', 'publish.yml', '--repo', 'acme/tuf-4');
    expect(code).toBe(3);
    expect(err).toMatch(/read repository acme\/tuf-4 failed/);
    expect(err).not.toContain(TOKEN);
  });
});

describe('oci-sd gh release', () => {
  it('creates (draft, assets, publish), reruns idempotently, and views', async () => {
    const repo = gh.state.createRepo('acme/app-1', { immutableReleases: true });
    const notes = join(dir, 'notes.md');
    writeFileSync(notes, '## Added\n- Feature one\n');
    const sbom = join(dir, 'sbom.cdx.json');
    writeFileSync(sbom, '{"bomFormat":"CycloneDX"}');
    const args = [
      'gh',
      'release',
      'create',
      'v1.5.0',
      sbom,
      `${notes}#Release notes`,
      '--repo',
      'acme/app-1',
      '--target',
      'main',
      '--notes-file',
      notes,
    ];
    const first = await run(...args);
    expect(first.code).toBe(0);
    expect(first.err).toMatch(
      /created draft: v1\.5\.0[\s\S]*asset sbom\.cdx\.json: uploaded[\s\S]*published: v1\.5\.0/,
    );
    expect(first.out.trim()).toBe(`${gh.url}/acme/app-1/releases/tag/v1.5.0`);
    const again = await run(...args, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({
      tag: 'v1.5.0',
      created: false,
      published: false,
      immutable: true,
    });
    expect(repo.releases).toHaveLength(1);
    expect(repo.releases[0]!.assets.map((a) => [a.name, a.label])).toEqual([
      ['sbom.cdx.json', null],
      ['notes.md', 'Release notes'],
    ]);
    const view = await run('gh', 'release', 'view', 'v1.5.0', '--repo', 'acme/app-1');
    expect(view.code).toBe(0);
    expect(view.out).toMatch(/v1\.5\.0 \(v1\.5\.0, published, immutable\)/);
    expect(view.out).toMatch(/sbom\.cdx\.json {2}25 bytes {2}sha256:[0-9a-f]{64}/);
    expect(view.out).toContain('## Added');
  });

  it('view finds drafts and fails clearly on a missing release', async () => {
    gh.state.createRepo('acme/app-2');
    expect(
      (
        await run(
          'gh',
          'release',
          'create',
          'v0.1.0',
          '--repo',
          'acme/app-2',
          '--target',
          'main',
          '--draft',
        )
      ).code,
    ).toBe(0);
    const draft = await run('gh', 'release', 'view', 'v0.1.0', '--repo', 'acme/app-2', '--json');
    expect(JSON.parse(draft.out)).toMatchObject({ tag: 'v0.1.0', draft: true });
    const missing = await run('gh', 'release', 'view', 'v9.9.9', '--repo', 'acme/app-2');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(
      /no release v9\.9\.9 in acme\/app-2 \(drafts included\) \[NOT_FOUND\]/,
    );
  });

  it('refuses a burned tag and a missing asset file', async () => {
    const repo = gh.state.createRepo('acme/app-3', { immutableReleases: true });
    expect(
      (await run('gh', 'release', 'create', 'v1.0.0', '--repo', 'acme/app-3', '--target', 'main'))
        .code,
    ).toBe(0);
    repo.releases.length = 0;
    const burned = await run(
      'gh',
      'release',
      'create',
      'v1.0.0',
      '--repo',
      'acme/app-3',
      '--target',
      'main',
    );
    expect(burned.code).toBe(2);
    expect(burned.err).toMatch(/\[TAG_BURNED\]/);
    const missing = await run(
      'gh',
      'release',
      'create',
      'v1.0.1',
      join(dir, 'nope.json'),
      '--repo',
      'acme/app-3',
      '--target',
      'main',
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.json/);
  });

  it('prints help with examples', async () => {
    const help = await run('gh', 'release', 'create', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('oci-sd gh release create v1.5.0 --target main');
    const top = await run('gh', '--help');
    expect(top.out).toContain('GH_TOKEN');
  });
});

describe('oci-sd gh pr merge', () => {
  /** Opens pull requests the way TUF-on-CI's workflow would, beside the CLI under test. */
  const workflowClient = () =>
    createGitHubClient({ token: TOKEN, apiUrl: gh.url, ghCli: false, minWriteIntervalMs: 0 });

  it('finds the signing PR by prefix, waits for its check, merges pinned, and is done on a rerun', async () => {
    const repo = gh.state.createRepo('acme/tuf-merge');
    const head = gh.state.commit(repo, 'sign/release-1-5-0-77', 'signed');
    gh.state.setCheckRun(repo, head, 'TUF-on-CI signing event', 'completed', 'success');
    const { pull } = await openPullRequest(await workflowClient(), parseRepo('acme/tuf-merge'), {
      head: 'sign/release-1-5-0-77',
      base: 'main',
      title: 'sign',
    });
    const args = [
      'gh',
      'pr',
      'merge',
      '--head-prefix',
      'sign/release-1-5-0-',
      '--check',
      'TUF-on-CI signing event',
      '--repo',
      'acme/tuf-merge',
      '--interval',
      '0.01',
      '--json',
    ];
    const first = await run(...args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({
      number: pull.number,
      alreadyMerged: false,
      mergeCommit: repo.branches.get('main'),
    });
    const again = await run(...args);
    expect(JSON.parse(again.out)).toMatchObject({ number: pull.number, alreadyMerged: true });
    expect(gh.count({ operationId: 'pulls/merge', path: 'acme/tuf-merge' })).toBe(1);
  });

  it('refuses a head that moved from --sha, and a failed check, without merging', async () => {
    const repo = gh.state.createRepo('acme/tuf-moved');
    const signed = gh.state.commit(repo, 'sign/x', 'signed');
    const { pull } = await openPullRequest(await workflowClient(), parseRepo('acme/tuf-moved'), {
      head: 'sign/x',
      base: 'main',
      title: 'sign',
    });
    gh.state.commit(repo, 'sign/x', 'unsigned');
    const moved = await run(
      'gh',
      'pr',
      'merge',
      String(pull.number),
      '--sha',
      signed,
      '--repo',
      'acme/tuf-moved',
      '--interval',
      '0.01',
    );
    expect(moved.code).toBe(1);
    expect(moved.err).toMatch(/\[HEAD_MOVED\]/);
    gh.state.setCheckRun(repo, 'sign/x', 'signing event', 'completed', 'failure');
    const failed = await run(
      'gh',
      'pr',
      'merge',
      '--head',
      'sign/x',
      '--check',
      'signing event',
      '--repo',
      'acme/tuf-moved',
      '--interval',
      '0.01',
    );
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/concluded failure: http.*\/runs\/\d+ \[CHECK_FAILED\]/);
    expect(repo.pulls[0]!.state).toBe('open');
  });

  it('needs exactly one way to pick the pull request', async () => {
    expect((await run('gh', 'pr', 'merge', '--repo', 'a/b')).code).toBe(2);
    expect((await run('gh', 'pr', 'merge', '3', '--head', 'x', '--repo', 'a/b')).code).toBe(2);
    expect((await run('gh', 'pr', 'merge', 'three', '--repo', 'a/b')).err).toMatch(
      /positive integer/,
    );
  });
});

describe('oci-sd gh run watch', () => {
  it('follows a run started by a release and reports its conclusion', async () => {
    const repo = gh.state.createRepo('acme/app-watch', { workflows: ['docker-build-push.yml'] });
    const build = gh.state.startRun(repo, 'docker-build-push.yml', {
      event: 'release',
      headBranch: 'v1.5.0',
      headSha: repo.branches.get('main')!,
    });
    // The run finishes once the command has looked at it twice.
    let looks = 0;
    const off = gh.onRequest((r) => {
      if (
        r.operationId === 'actions/get-workflow-run' &&
        r.path.includes('/acme/app-watch/') &&
        ++looks === 2
      )
        gh.state.setRunStatus(repo, build.id, 'completed', 'success');
    });
    const { code, out, err } = await run(
      'gh',
      'run',
      'watch',
      String(build.id),
      '--repo',
      'acme/app-watch',
      '--interval',
      '0.01',
      '--json',
    );
    off();
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      runId: build.id,
      status: 'completed',
      conclusion: 'success',
    });
    expect(err).toMatch(/release on v1\.5\.0/);
    expect(err).toMatch(/run \d+: queued/);
  });

  it('fails with exit 1 on a failed run and 2 on a bad id', async () => {
    const repo = gh.state.createRepo('acme/app-watch-2', { workflows: ['publish.yml'] });
    const failed = gh.state.startRun(repo, 'publish.yml', {
      event: 'workflow_dispatch',
      headBranch: 'main',
      headSha: repo.branches.get('main')!,
    });
    gh.state.setRunStatus(repo, failed.id, 'completed', 'cancelled');
    const result = await run('gh', 'run', 'watch', String(failed.id), '--repo', 'acme/app-watch-2');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/concluded cancelled/);
    expect((await run('gh', 'run', 'watch', 'latest', '--repo', 'acme/app-watch-2')).code).toBe(2);
  });
});
