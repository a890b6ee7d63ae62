import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registryAvailable, type TestRegistry } from '@oci-sd/test-registry';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/sandbox';
import { loadState } from '@oci-sd/release';
import { buildCliForTests } from './support/cli-binary';
import { startReleaseWorld, type ReleaseWorld } from './support/release-world';
import { runCli, type CliRun } from './support/run-cli';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)],
  );
}

function failure(run: CliRun): { code: string; message: string } {
  const error = run.events.find((e) => e.type === 'error') as
    { code: string; message: string } | undefined;
  expect(error, run.stderr).toBeDefined();
  return error!;
}

describe('oci-sd release when the world moves: fails closed naming what went wrong, or takes what a person did', () => {
  let bin: string;
  let sandbox: Sandbox | undefined;

  beforeAll(async () => {
    bin = await buildCliForTests();
  });
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });
  afterAll(() => rmSync(bin, { force: true }));

  it('a changelog pull request closed by someone stops the release (exit 1) and keeps the state to resume', async () => {
    sandbox = await createSandbox();
    const { forge, project } = sandbox;
    forge.api.state.on((event) => {
      if (event.type === 'pull.opened' && event.repo === project.state) event.pull.state = 'closed';
    });
    const run = await runCli(bin, sandbox, ['minor']);
    expect(run.code).toBe(1);
    const error = failure(run);
    expect(error.code).toBe('REMOTE_STATE');
    expect(error.message).toContain('/acme/app/pull/1');
    expect(project.state.releases).toEqual([]);
    expect(loadState(sandbox.projectDir, '1.5.0')?.completed).toEqual(['preflight']);
  }, 120_000);

  it('a changelog pull request merged by a maintainer while the CLI was stopped: the resume takes it and goes on', async () => {
    sandbox = await createSandbox();
    const killed = await runCli(
      bin,
      sandbox,
      ['minor'],
      (e) => e.type === 'info' && /^pull request #/.test(e.message ?? ''),
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const { forge, token } = sandbox;
    const merge = await fetch(`${forge.api.url}/repos/acme/app/pulls/1/merge`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(merge.status).toBe(200);
    const resumed = await runCli(bin, sandbox, ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(sandbox.project.state.pulls).toHaveLength(1);
    expect(sandbox.project.state.releases.map((r) => r.targetCommitish)).toEqual([
      sandbox.project.state.pulls[0]!.mergeCommitSha,
    ]);
  }, 120_000);

  it('a release whose published TUF manifest was tampered with is not reported as verified (exit 1)', async () => {
    sandbox = await createSandbox();
    const killed = await runCli(
      bin,
      sandbox,
      ['minor'],
      (e) => e.type === 'step' && e.step === 'verify' && e.state === 'start',
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    await sandbox.actions.settled();
    const manifest = files(join(sandbox.siteDir, 'targets')).find((f) =>
      f.endsWith('.v1.5.0.json'),
    )!;
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('"tag": "v1.5.0"', '"tag": "v1.5.1"'),
    );
    const run = await runCli(bin, sandbox, ['--resume']);
    expect(run.code).toBe(1);
    expect(failure(run)).toMatchObject({
      code: 'CHECK_FAILED',
      message: expect.stringContaining('tuf-target'),
    });
    expect(run.events.filter((e) => e.type === 'check' && e.ok)).toEqual([]);
    expect(loadState(sandbox.projectDir, '1.5.0')?.completed).not.toContain('verify');
  }, 120_000);
});

describe.skipIf(!registryAvailable())('oci-sd release with a registry that goes away', () => {
  let world: ReleaseWorld | undefined;
  let bin: string;
  let registry: TestRegistry;
  let sandbox: Sandbox;

  beforeAll(async () => {
    world = await startReleaseWorld();
    ({ bin, registry, sandbox } = world);
  });
  afterAll(() => world?.stop());

  it('a failed build run stops the release with exit 1 and the run URL', async () => {
    await registry.stop();
    const run = await runCli(bin, sandbox, ['minor']);
    expect(run.code).toBe(1);
    const error = failure(run);
    expect(error.code).toBe('RUN_FAILED');
    expect(error.message).toMatch(
      /docker-build-push\.yml run http:\/\/127\.0\.0\.1:\d+\/acme\/app\/actions\/runs\/\d+ concluded failure/,
    );
    expect(sandbox.tuf.state.pulls).toEqual([]);
    expect(loadState(sandbox.projectDir, '1.5.0')?.completed).toEqual([
      'preflight',
      'changelog',
      'release',
    ]);
  }, 120_000);
});
