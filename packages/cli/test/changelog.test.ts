import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  fixturePath,
  fixturesSkipReason,
  haveFixtures,
  CHANGELOG_BASE as BASE,
  changelogDirs,
  SMALL_CHANGELOG as SMALL,
} from '@oci-sd/test-support';
import { runMain } from './support/run-cli';

const run = (...args: string[]) => runMain('changelog', ...args);

describe('oci-sd changelog', () => {
  const { root, fresh, remove } = changelogDirs('cli-changelog-', SMALL);
  afterAll(remove);
  beforeEach(() => {
    // The notes defaults come from these in Actions; the tests choose them.
    vi.stubEnv('GITHUB_REPOSITORY', undefined);
    vi.stubEnv('GITHUB_SERVER_URL', undefined);
    return () => vi.unstubAllEnvs();
  });

  it('shows subcommands and examples in --help', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    for (const word of [
      'promote',
      'notes',
      'validate',
      'next',
      'Examples:',
      'oci-sd changelog promote 1.5.0 --date 2026-06-01',
    ])
      expect(top.out).toContain(word);
    const promote = await run('promote', '--help');
    for (const word of [
      '--date <YYYY-MM-DD>',
      '--file <path>',
      '--dry-run',
      '--json',
      'major, minor or patch',
      'Examples:',
    ])
      expect(promote.out).toContain(word);
  });

  it('promote writes the file and says what it did', async () => {
    const { file } = fresh();
    const r = await run('promote', '1.2.0', '--date', '2024-03-01', '--file', file);
    expect(r).toEqual({ code: 0, out: `${file}: Unreleased is now 1.2.0 (2024-03-01)\n`, err: '' });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('## [Unreleased]\n\n## [1.2.0] - 2024-03-01\n\n### Added\n');
    expect(text).toContain(
      `[Unreleased]: ${BASE}/compare/v1.2.0...HEAD\n[1.2.0]: ${BASE}/compare/v1.1.0...v1.2.0\n`,
    );
  });

  it('promote --dry-run prints a unified diff that git applies, and writes nothing', async () => {
    const { dir, file } = fresh();
    const r = await run('promote', 'minor', '--date', '2024-03-01', '--file', file, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 3)).toEqual([
      `--- ${file}`,
      `+++ ${file}`,
      '@@ -1,6 +1,8 @@',
    ]);
    expect(readFileSync(file, 'utf8')).toBe(SMALL);
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    };
    execFileSync('git', ['init', '-q', dir], { env });
    writeFileSync(join(dir, 'change.diff'), r.out.replaceAll(` ${file}\n`, ' CHANGELOG.md\n'));
    execFileSync('git', ['apply', '-p0', 'change.diff'], { cwd: dir, env });
    expect(readFileSync(file, 'utf8')).toContain('## [1.2.0] - 2024-03-01');
  });

  it('promote --json reports version, previous version, diff and whether it wrote', async () => {
    const { file } = fresh();
    const r = await run(
      'promote',
      'v2.0.0',
      '--date',
      '2024-03-01',
      '--file',
      file,
      '--json',
      '--dry-run',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      file,
      version: '2.0.0',
      date: '2024-03-01',
      previousVersion: '1.1.0',
      written: false,
      diff: expect.stringContaining('+## [2.0.0] - 2024-03-01'),
    });
  });

  it('promote refuses with file:line:col and exit 2, leaving the file as it was', async () => {
    const { dir, file } = fresh();
    const exists = await run('promote', '1.1.0', '--date', '2024-03-01', '--file', file);
    expect(exists.code).toBe(2);
    expect(exists.out).toBe('');
    expect(exists.err).toContain(`${file}:9:5: version 1.1.0 is already released here`);
    const lower = await run('promote', '1.0.9', '--file', file);
    expect(lower.code).toBe(2);
    expect(lower.err).toContain(
      `${file}:9:5: version 1.0.9 is not greater than the latest release 1.1.0`,
    );
    const date = await run('promote', '1.2.0', '--date', '2024-02-30', '--file', file);
    expect(date.code).toBe(2);
    expect(date.err).toContain(
      'release date "2024-02-30" is not a calendar date written YYYY-MM-DD',
    );
    expect(readFileSync(file, 'utf8')).toBe(SMALL);
    expect(readdirSync(dir)).toEqual(['CHANGELOG.md']);
  });

  it('promote --json reports a refusal as JSON too, with line and column', async () => {
    const { file } = fresh();
    const r = await run('promote', '1.0.0', '--file', file, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({
      error: {
        code: 'VERSION_EXISTS',
        message: `${file}:15:5: version 1.0.0 is already released here`,
        file,
        line: 15,
        column: 5,
        expected: 'a version not in the changelog',
        found: '[1.0.0] - 2024-01-01',
      },
    });
    expect(readFileSync(file, 'utf8')).toBe(SMALL);
  });

  it('promote without a version is a usage error', async () => {
    const { file } = fresh();
    const r = await run('promote', '--file', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain("missing required argument 'version'");
  });

  it.skipIf(!haveFixtures)(
    `notes and promote on the seed project's changelog${haveFixtures ? '' : ` (${fixturesSkipReason})`}`,
    async () => {
      const seed = readFileSync(
        fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md'),
        'utf8',
      );
      const { file } = fresh(seed);
      const notes = await run('notes', '1.1.0', '--file', file);
      expect(notes.code).toBe(0);
      expect(notes.out.startsWith('## Added\n\n- **OCI API Rate Limiting**')).toBe(true);
      expect(
        notes.out.endsWith(
          '\n\n**Full Changelog**: https://github.com/amaanx86/oci-prometheus-sd-proxy/compare/v1.0.0...v1.1.0\n',
        ),
      ).toBe(true);
      // The seed's Unreleased is empty: promote refuses, pointing at the heading.
      const promote = await run('promote', '1.2.0', '--file', file);
      expect(promote.code).toBe(2);
      expect(promote.err).toContain(
        `${file}:8:1: the Unreleased section has no entries to release`,
      );
      expect(readFileSync(file, 'utf8')).toBe(seed);
    },
  );

  it('notes maps --repo, --server-url and --tag-prefix, and reads them from the Actions environment', async () => {
    const { file } = fresh();
    const ghe = await run(
      'notes',
      '1.1.0',
      '--file',
      file,
      '--repo',
      'acme/app',
      '--server-url',
      'https://ghe.example.com',
      '--tag-prefix',
      '',
    );
    expect(ghe.out).toBe(
      '## Fixed\n\n- a fix\n\n**Full Changelog**: https://ghe.example.com/acme/app/compare/1.0.0...1.1.0\n',
    );
    vi.stubEnv('GITHUB_REPOSITORY', 'env/repo');
    vi.stubEnv('GITHUB_SERVER_URL', 'https://ghe.env');
    expect((await run('notes', '1.1.0', '--file', file)).out).toContain(
      '**Full Changelog**: https://ghe.env/env/repo/compare/v1.0.0...v1.1.0\n',
    );
    const json = JSON.parse((await run('notes', '1.0.0', '--file', file, '--json')).out);
    expect(json).toMatchObject({
      version: '1.0.0',
      tag: 'v1.0.0',
      fullChangelogUrl: 'https://ghe.env/env/repo/commits/v1.0.0',
      yanked: false,
    });
  });

  it('notes for a missing version exits 2', async () => {
    const { file } = fresh();
    const r = await run('notes', '9.9.9', '--file', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: there is no section for version 9.9.9`);
  });

  it('validate says valid, or lists file:line:col problems and exits 2, as text or JSON', async () => {
    const good = fresh();
    expect(await run('validate', '--file', good.file)).toEqual({
      code: 0,
      out: `${good.file}: valid\n`,
      err: '',
    });
    const bad = fresh(SMALL.replace('## [1.0.0] - 2024-01-01', '## [1.0.0] - 2024-1-1'));
    const text = await run('validate', '--file', bad.file);
    expect(text.code).toBe(2);
    expect(text.out).toBe(
      `${bad.file}:15:14: error: "2024-1-1" is not a calendar date (expected YYYY-MM-DD, found 2024-1-1) [INVALID_DATE]\n`,
    );
    expect(text.err).toContain('1 error, 0 warnings');
    const json = await run('validate', '--file', bad.file, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toEqual({
      file: bad.file,
      valid: false,
      problems: [
        {
          file: bad.file,
          code: 'INVALID_DATE',
          severity: 'error',
          line: 15,
          column: 14,
          message: '"2024-1-1" is not a calendar date',
          expected: 'YYYY-MM-DD',
          found: '2024-1-1',
        },
      ],
    });
  });

  it('validate on a missing file exits 2 naming it', async () => {
    const r = await run('validate', '--file', join(root, 'nope.md'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(root, 'nope.md')}: cannot read`);
  });

  it('next prints the version the entries call for', async () => {
    const { file } = fresh();
    expect(await run('next', '--file', file)).toEqual({ code: 0, out: '1.2.0\n', err: '' });
    expect((await run('next', '--file', file, '--preid', 'rc')).out).toBe('1.2.0-rc.0\n');
    expect(JSON.parse((await run('next', '--file', file, '--json')).out)).toMatchObject({
      version: '1.2.0',
      bump: 'minor',
      from: '1.1.0',
      reasons: [{ bump: 'minor', reason: '### Added', line: 5, column: 1 }],
    });
  });

  it('next refuses an empty Unreleased with file:line:col, as JSON too', async () => {
    const { file } = fresh(SMALL.replace('### Added\n\n- a feature\n', ''));
    const r = await run('next', '--file', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:3:1: the Unreleased section has no entries`);
    const json = await run('next', '--file', file, '--json');
    expect(JSON.parse(json.out).error).toMatchObject({
      code: 'EMPTY_UNRELEASED',
      line: 3,
      column: 1,
    });
  });

  it('validate --json on a good file says valid with no problems', async () => {
    const { file } = fresh();
    const r = await run('validate', '--file', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ file, valid: true, problems: [] });
  });

  it('reads CHANGELOG.md in the working directory by default', async () => {
    const { dir } = fresh();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect((await run('next')).out).toBe('1.2.0\n');
      expect((await run('promote', 'patch', '--dry-run')).out.split('\n').slice(0, 2)).toEqual([
        '--- a/CHANGELOG.md',
        '+++ b/CHANGELOG.md',
      ]);
    } finally {
      process.chdir(cwd);
    }
  });
});
