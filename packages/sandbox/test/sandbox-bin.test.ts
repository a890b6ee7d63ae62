import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The published shape: bin/oci-sd.js on dist/, the demo's private tools bundled into its chunk.
// Nx builds before it tests this package (`nx.targets.test.dependsOn`).
const PACKAGE_DIR = join(import.meta.dirname, '..');
const BIN = join(PACKAGE_DIR, 'bin', 'oci-sd.js');
const built = existsSync(join(PACKAGE_DIR, 'dist', 'index.js'));
/**
 * Fails any resolution of @octokit/openapi (GitHub's full description, 385 MB installed): a
 * devDependency of the test server, never installed with the CLI, which ships the trimmed description.
 */
const WITHOUT_FULL_OPENAPI = `data:text/javascript,import{registerHooks}from'node:module';registerHooks({resolve(s,c,next){if(s.startsWith('@octokit/openapi'))throw new Error('resolved '+s);return next(s,c)}})`;

describe.skipIf(!built)('the built oci-sd binary (bin/ on dist/; skipped until built)', () => {
  it('lists every command', () => {
    const run = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    for (const name of ['release', 'changelog', 'verify', 'tuf', 'gh', 'demo'])
      expect(run.stdout).toContain(name);
  });

  it('oci-sd demo --json releases and verifies without @octokit/openapi, exit 0, leaving no sandbox behind', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', WITHOUT_FULL_OPENAPI, BIN, 'demo', '--json'],
      { encoding: 'utf8', timeout: 110_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const events = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; message?: string; body?: string });
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: 'done' });
    expect(done.message).toMatch(
      /released v1\.5\.0 \(\d+ GitHub API requests, 0 contract violations\)/,
    );
    const sandbox = /project\s+(\S+)\/app\s/.exec(
      events.find((e) => e.type === 'text')?.body ?? '',
    )?.[1];
    expect(sandbox).toMatch(/oci-sd-sandbox-/);
    expect(existsSync(sandbox!)).toBe(false);
  }, 120_000);
});
