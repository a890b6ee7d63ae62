import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newState, ReleaseError, saveState } from '@oci-sd/release';
import { runReleaseCommand, type ReleaseFlags } from '../src/commands/release-run';
import { exitCodeFor } from '../src/exit';
import type { CliError } from '../src/errors';
import { git, GIT_ENV, projectWithRemote, tempDir } from '@oci-sd/test-support';

const CHANGELOG = `# Changelog

## [Unreleased]

### Added
- Service discovery for OCI instance pools.

### Fixed
- Refresh interval no longer drifts.

## [1.4.1] - 2026-03-02

### Fixed
- Reload keeps targets.

[Unreleased]: https://github.com/acme/app/compare/v1.4.1...HEAD
[1.4.1]: https://github.com/acme/app/releases/tag/v1.4.1
`;
// preflight and the dry run never call the API: a closed port proves it
const CONFIG = JSON.stringify({
  repo: 'acme/app',
  apiUrl: 'http://127.0.0.1:9',
  tufGitUrl: '/nonexistent/tuf.git',
});
const WITH_TOKEN = { ...GIT_ENV, GITHUB_TOKEN: 'ghp_preflighttoken', GH_TOKEN: '' };
// GH_CONFIG_DIR: a gh CLI logged in on this machine must not lend its token
const NO_TOKEN = { ...GIT_ENV, GITHUB_TOKEN: '', GH_TOKEN: '', GH_CONFIG_DIR: '/nonexistent/gh' };

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

function project(changelog = CHANGELOG): { work: string; bare: string } {
  const tmp = tempDir('oci-sd-preflight-');
  cleanup.push(tmp.remove);
  return projectWithRemote(tmp.dir, {
    'CHANGELOG.md': changelog,
    'oci-sd.config.json': CONFIG,
    '.gitignore': '.oci-sd/\n',
  });
}

function flags(dir: string, extra: Partial<ReleaseFlags> = {}): ReleaseFlags {
  return { dir, timeout: '1', pollInterval: '1', yes: true, ...extra };
}

async function run(
  requested: string | undefined,
  f: ReleaseFlags,
  env: NodeJS.ProcessEnv,
): Promise<{ out: string; error?: CliError | ReleaseError }> {
  let out = '';
  const sink = { isTTY: false, write: (chunk: string) => (out += chunk) };
  try {
    await runReleaseCommand(requested, f, sink, env);
    return { out };
  } catch (error) {
    return { out, error: error as CliError | ReleaseError };
  }
}

function remoteRefs(bare: string): string {
  return git(bare, 'for-each-ref', '--format=%(refname) %(objectname)');
}

describe('oci-sd release --dry-run', () => {
  it('prints the plan, the changelog diff and the notes, and changes nothing anywhere', async () => {
    const { work, bare } = project();
    const before = remoteRefs(bare);
    const { out, error } = await run(
      'minor',
      flags(work, { dryRun: true, date: '2026-06-01' }),
      WITH_TOKEN,
    );
    expect(error).toBeUndefined();
    expect(out).toContain('Dry run: release v1.5.0 of acme/app (nothing is changed)');
    expect(out).toContain('push release/v1.5.0 with CHANGELOG.md promoted');
    expect(out).toContain('+## [1.5.0] - 2026-06-01');
    expect(out).toContain('+[1.5.0]: https://github.com/acme/app/compare/v1.4.1...v1.5.0');
    expect(out).toContain(
      'Release notes for v1.5.0:\n## Added\n- Service discovery for OCI instance pools.',
    );
    expect(out).toContain(
      '**Full Changelog**: https://github.com/acme/app/compare/v1.4.1...v1.5.0',
    );
    expect(out).toContain('✓ preflight checks pass');
    expect(remoteRefs(bare)).toBe(before);
    expect(git(work, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(work, '.oci-sd'))).toBe(false);
  });

  it('--json gives one event per line', async () => {
    const { work } = project();
    const { out, error } = await run(
      '1.5.0',
      flags(work, { dryRun: true, json: true }),
      WITH_TOKEN,
    );
    expect(error).toBeUndefined();
    const events = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual(['plan', 'text', 'text', 'check']);
  });
});

describe('oci-sd release preflight (fails before anything is written)', () => {
  async function expectPreflight(
    work: string,
    env: NodeJS.ProcessEnv,
    ...problems: RegExp[]
  ): Promise<void> {
    const { error } = await run('minor', flags(work), env);
    expect(error).toBeInstanceOf(ReleaseError);
    expect(error!.code).toBe('PREFLIGHT');
    expect(exitCodeFor(error)).toBe(2);
    for (const p of problems) expect(error!.message).toMatch(p);
    expect(existsSync(join(work, '.oci-sd'))).toBe(false);
  }

  it('names a dirty work tree', async () => {
    const { work } = project();
    writeFileSync(join(work, 'notes.txt'), 'wip');
    await expectPreflight(
      work,
      WITH_TOKEN,
      /work tree not clean: expected no changes, found notes\.txt/,
    );
  });

  it('names the wrong branch', async () => {
    const { work } = project();
    git(work, 'switch', '--quiet', '-c', 'feature');
    await expectPreflight(work, WITH_TOKEN, /branch: expected main, found feature/);
  });

  it('names a main that is ahead of the remote', async () => {
    const { work } = project();
    git(work, 'commit', '--quiet', '--allow-empty', '-m', 'local only');
    await expectPreflight(
      work,
      WITH_TOKEN,
      /main not up to date with origin: expected [0-9a-f]{12}, found [0-9a-f]{12}/,
    );
  });

  it('names a missing token, and never prints one', async () => {
    const { work } = project();
    await expectPreflight(
      work,
      NO_TOKEN,
      /GitHub token: expected GITHUB_TOKEN, GH_TOKEN or a `gh auth login` session, found none/,
    );
    // past preflight, the unreachable API is a network failure (exit 3) whose message holds no token
    const { out, error } = await run('minor', flags(work), {
      ...WITH_TOKEN,
      GITHUB_TOKEN: 'ghp_secretvalue123',
    });
    expect(exitCodeFor(error)).toBe(3);
    expect(`${out}${String(error?.message)}`).not.toContain('ghp_secretvalue123');
  });

  it('names a tag that exists on the remote', async () => {
    const { work } = project();
    git(work, 'tag', 'v1.5.0');
    git(work, 'push', '--quiet', 'origin', 'v1.5.0');
    await expectPreflight(
      work,
      WITH_TOKEN,
      /tag v1\.5\.0: expected a new tag, found it on origin already/,
    );
  });

  it('refuses an empty Unreleased and a version not greater than the last release, naming the file', async () => {
    const { work } = project(CHANGELOG.replace(/### Added[\s\S]*?(?=## \[1\.4\.1\])/, ''));
    const empty = await run('minor', flags(work), WITH_TOKEN);
    expect(empty.error?.message).toMatch(/CHANGELOG\.md.*Unreleased section has no entries/s);
    expect(exitCodeFor(empty.error)).toBe(2);
    const { work: other } = project();
    const older = await run('1.4.0', flags(other), WITH_TOKEN);
    expect(older.error?.message).toMatch(/1\.4\.0/);
    expect(exitCodeFor(older.error)).toBe(2);
  });
});

describe('oci-sd release state handling', () => {
  it('refuses to start over a release in progress, and to resume nothing', async () => {
    const { work } = project();
    await saveState(work, newState('1.5.0', 'v1.5.0', 'acme/app', 'acme/app-tuf-on-ci'));
    const again = await run('1.5.0', flags(work), WITH_TOKEN);
    expect(again.error?.code).toBe('STATE');
    expect(again.error?.message).toContain('a release of 1.5.0 is in progress');
    const { work: fresh } = project();
    const nothing = await run(undefined, flags(fresh, { resume: true }), WITH_TOKEN);
    expect(nothing.error?.code).toBe('USAGE');
    expect(nothing.error?.message).toBe('no unfinished release to resume');
  });

  it('refuses a state file of another repository', async () => {
    const { work } = project();
    await saveState(work, newState('1.5.0', 'v1.5.0', 'other/app', 'other/app-tuf-on-ci'));
    const { error } = await run('1.5.0', flags(work, { resume: true }), WITH_TOKEN);
    expect(error?.code).toBe('STATE');
    expect(error?.message).toContain(
      'belongs to other/app / other/app-tuf-on-ci, not the configured acme/app / acme/app-tuf-on-ci',
    );
  });

  it('asks for --yes when there is no terminal to ask on', async () => {
    const { work } = project();
    const { error } = await run('minor', flags(work, { yes: false }), WITH_TOKEN);
    expect(error?.code).toBe('USAGE');
    expect(error?.message).toContain('pass --yes');
  });
});
