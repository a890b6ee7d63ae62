import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The published shapes: bin/oci-sd-sandbox.js on dist/ (the private test servers bundled into
// it), and `oci-sd demo` of the built CLI, which runs that bin. Nx builds this package and its
// dependencies before it tests this package (`nx.targets.test.dependsOn`).
const PACKAGE_DIR = join(import.meta.dirname, '..');
const SANDBOX_BIN = join(PACKAGE_DIR, 'bin', 'oci-sd-sandbox.js');
const CLI_DIR = join(PACKAGE_DIR, '..', 'cli');
const CLI_BIN = join(CLI_DIR, 'bin', 'oci-sd.js');
const built =
  existsSync(join(PACKAGE_DIR, 'dist', 'index.js')) &&
  existsSync(join(CLI_DIR, 'dist', 'index.js'));
/**
 * Fails any resolution of @octokit/openapi (GitHub's full description, 385 MB installed): a
 * devDependency of the test server, never installed with the sandbox, which ships the trimmed description.
 */
const WITHOUT_FULL_OPENAPI = `data:text/javascript,import{registerHooks}from'node:module';registerHooks({resolve(s,c,next){if(s.startsWith('@octokit/openapi'))throw new Error('resolved '+s);return next(s,c)}})`;

function demoEvents(stdout: string) {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; message?: string; body?: string });
}

describe.skipIf(!built)('the built sandbox (bin/ on dist/; skipped until built)', () => {
  it('--help describes the tour and exits 0; an unknown flag exits 2', () => {
    const help = spawnSync(process.execPath, [SANDBOX_BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--registry <host>');
    const bad = spawnSync(process.execPath, [SANDBOX_BIN, '--no-such-flag'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no-such-flag/);
  });

  it('oci-sd demo --json runs the sandbox: releases and verifies without @octokit/openapi, exit 0, leaving no sandbox behind', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', WITHOUT_FULL_OPENAPI, CLI_BIN, 'demo', '--json'],
      { encoding: 'utf8', timeout: 110_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const events = demoEvents(run.stdout);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: 'done' });
    expect(done.message).toMatch(
      /released v1\.5\.0 \(\d+ GitHub API requests, 0 contract violations\)/,
    );
    // the release ran as `oci-sd release --json` in the sandbox: its plan is among the events
    expect(events.some((e) => e.type === 'plan')).toBe(true);
    const sandbox = /project\s+(\S+)\/app\s/.exec(
      events.find((e) => e.type === 'text')?.body ?? '',
    )?.[1];
    expect(sandbox).toMatch(/oci-sd-sandbox-/);
    expect(existsSync(sandbox!)).toBe(false);
  }, 120_000);
});
