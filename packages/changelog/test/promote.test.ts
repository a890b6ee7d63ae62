import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fixturePath,
  fixturesSkipReason,
  haveFixtures,
  CHANGELOG_BASE as BASE,
  SMALL_CHANGELOG as SMALL,
  thrownBy,
} from '@oci-sd/test-support';
import { parseChangelog, ChangelogError } from '../src/index';

describe('promote', () => {
  it('adds the version under a fresh Unreleased and updates the links, nothing else', () => {
    const result = parseChangelog(SMALL).promote('1.2.0', { date: '2024-03-01' });
    expect(result.text).toBe(
      SMALL.replace('## [Unreleased]\n', '## [Unreleased]\n\n## [1.2.0] - 2024-03-01\n').replace(
        `[Unreleased]: ${BASE}/compare/v1.1.0...HEAD\n`,
        `[Unreleased]: ${BASE}/compare/v1.2.0...HEAD\n[1.2.0]: ${BASE}/compare/v1.1.0...v1.2.0\n`,
      ),
    );
    expect(result).toMatchObject({
      version: '1.2.0',
      date: '2024-03-01',
      previousVersion: '1.1.0',
    });
    expect(parseChangelog(result.text).validate()).toEqual([]);
  });

  it('bumps major, minor and patch from the latest release', () => {
    const cl = parseChangelog(SMALL);
    expect(cl.promote('major', { date: '2024-03-01' }).version).toBe('2.0.0');
    expect(cl.promote('minor', { date: '2024-03-01' }).version).toBe('1.2.0');
    expect(cl.promote('patch', { date: '2024-03-01' }).version).toBe('1.1.1');
    const rc = parseChangelog(
      SMALL.replace('## [1.1.0] - 2024-02-01', '## [2.0.0-rc.1] - 2024-02-01'),
    );
    expect(rc.promote('major', { date: '2024-03-01' }).version).toBe('2.0.0');
    expect(
      parseChangelog('## [Unreleased]\n- x\n').promote('minor', { date: '2024-03-01' }).version,
    ).toBe('0.1.0');
  });

  it('accepts a v prefix on the version and defaults the date to today (UTC)', () => {
    const result = parseChangelog(SMALL).promote('v1.2.0');
    expect(result.version).toBe('1.2.0');
    expect(result.date).toBe(new Date().toISOString().slice(0, 10));
    expect(
      parseChangelog(SMALL).promote('1.2.0', { date: new Date('2024-05-06T23:30:00-05:00') }).date,
    ).toBe('2024-05-07');
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    const crlf = SMALL.replaceAll('\n', '\r\n').replace(/\r\n$/, '');
    const text = parseChangelog(crlf).promote('1.2.0', { date: '2024-03-01' }).text;
    expect(text).toBe(
      parseChangelog(SMALL)
        .promote('1.2.0', { date: '2024-03-01' })
        .text.replaceAll('\n', '\r\n')
        .replace(/\r\n$/, ''),
    );
    expect(text.replaceAll('\r\n', '')).not.toContain('\n');
  });

  it('puts a new last line after a link reference that ends the file without a newline', () => {
    const text = `## [Unreleased]\n- x\n\n## [1.0.0] - 2024-01-01\n- y\n\n[1.0.0]: ${BASE}/releases/tag/v1.0.0\n[Unreleased]: ${BASE}/compare/v1.0.0...HEAD`;
    expect(parseChangelog(text).promote('1.0.1', { date: '2024-03-01' }).text).toBe(
      `## [Unreleased]\n\n## [1.0.1] - 2024-03-01\n- x\n\n## [1.0.0] - 2024-01-01\n- y\n\n[1.0.0]: ${BASE}/releases/tag/v1.0.0\n[Unreleased]: ${BASE}/compare/v1.0.1...HEAD\n[1.0.1]: ${BASE}/compare/v1.0.0...v1.0.1`,
    );
  });

  it('writes headings without brackets when the file does', () => {
    const text = '## Unreleased\n\n- x\n\n## 1.0.0 - 2024-01-01\n\n- y\n';
    expect(parseChangelog(text).promote('1.1.0', { date: '2024-03-01' }).text).toBe(
      '## Unreleased\n\n## 1.1.0 - 2024-03-01\n\n- x\n\n## 1.0.0 - 2024-01-01\n\n- y\n',
    );
  });

  it('writes v in the heading and link label when the file does', () => {
    const text = SMALL.replaceAll('[1.1.0]', '[v1.1.0]').replaceAll('[1.0.0]', '[v1.0.0]');
    const out = parseChangelog(text).promote('1.2.0', { date: '2024-03-01' });
    expect(out.text).toContain('## [Unreleased]\n\n## [v1.2.0] - 2024-03-01\n');
    expect(out.text).toContain(
      `[Unreleased]: ${BASE}/compare/v1.2.0...HEAD\n[v1.2.0]: ${BASE}/compare/v1.1.0...v1.2.0\n`,
    );
    expect(parseChangelog(out.text).validate()).toEqual([]);
  });

  it('links a first release to its tag, and follows the file for tags without v', () => {
    const first = `## [Unreleased]\n- x\n\n[Unreleased]: ${BASE}/compare/HEAD...HEAD\n`;
    expect(
      parseChangelog(first).promote('0.1.0', { date: '2024-03-01', tagPrefix: '' }).text,
    ).toContain(
      `[Unreleased]: ${BASE}/compare/0.1.0...HEAD\n[0.1.0]: ${BASE}/releases/tag/0.1.0\n`,
    );
    const branch = `## [Unreleased]\n- x\n\n[Unreleased]: ${BASE}/commits/main\n`;
    expect(parseChangelog(branch).promote('1.0.0', { date: '2024-03-01' }).text).toContain(
      `[Unreleased]: ${BASE}/compare/v1.0.0...HEAD\n[1.0.0]: ${BASE}/releases/tag/v1.0.0\n`,
    );
    const bare = SMALL.replaceAll('/v1.', '/1.').replaceAll('...v1.', '...1.');
    expect(parseChangelog(bare).promote('1.2.0', { date: '2024-03-01' }).text).toContain(
      `[Unreleased]: ${BASE}/compare/1.2.0...HEAD\n[1.2.0]: ${BASE}/compare/1.1.0...1.2.0\n`,
    );
  });

  it('writes GitLab and GitHub Enterprise links on their own host', () => {
    const gitlab = SMALL.replaceAll(BASE, 'https://gitlab.example.com/g/p/-');
    expect(parseChangelog(gitlab).promote('1.2.0', { date: '2024-03-01' }).text).toContain(
      '[1.2.0]: https://gitlab.example.com/g/p/-/compare/v1.1.0...v1.2.0\n',
    );
    const ghe = SMALL.replaceAll(BASE, 'https://ghe.corp/o/r');
    expect(parseChangelog(ghe).promote('1.2.0', { date: '2024-03-01' }).text).toContain(
      '[Unreleased]: https://ghe.corp/o/r/compare/v1.2.0...HEAD\n',
    );
  });

  it('writes Bitbucket compare links newest first, as Bitbucket does', () => {
    const bb = 'https://bitbucket.org/o/r';
    const text = `## [Unreleased]\n- x\n\n## [1.1.0] - 2024-02-01\n- b\n\n## [1.0.0] - 2024-01-01\n- a\n\n[Unreleased]: ${bb}/branches/compare/HEAD%0Dv1.1.0\n[1.1.0]: ${bb}/branches/compare/v1.1.0%0Dv1.0.0\n[1.0.0]: ${bb}/src/v1.0.0\n`;
    expect(parseChangelog(text).validate()).toEqual([]);
    const out = parseChangelog(text).promote('1.2.0', { date: '2024-03-01' }).text;
    expect(out).toContain(
      `[Unreleased]: ${bb}/branches/compare/HEAD%0Dv1.2.0\n[1.2.0]: ${bb}/branches/compare/v1.2.0%0Dv1.1.0\n`,
    );
    expect(parseChangelog(out).validate()).toEqual([]);
    expect(parseChangelog(out).notes('1.2.0').fullChangelogUrl).toBe(
      `${bb}/branches/compare/v1.2.0%0Dv1.1.0`,
    );
    expect(parseChangelog(out).notes('1.2.0', { repo: 'x/y' }).fullChangelogUrl).toBe(
      'https://bitbucket.org/x/y/branches/compare/v1.2.0%0Dv1.1.0',
    );
    expect(
      parseChangelog(out).notes('1.2.0', { repo: 'x/y', serverUrl: 'https://github.com' })
        .fullChangelogUrl,
    ).toBe('https://github.com/x/y/compare/v1.1.0...v1.2.0');
    const first = parseChangelog(
      `## [Unreleased]\n- x\n\n[Unreleased]: ${bb}/branches/compare/HEAD%0Dmain\n`,
    ).promote('0.1.0', { date: '2024-03-01' }).text;
    expect(first).toContain(
      `[Unreleased]: ${bb}/branches/compare/HEAD%0Dv0.1.0\n[0.1.0]: ${bb}/src/v0.1.0\n`,
    );
  });

  it('adds a version link above the latest one when the file has no Unreleased link', () => {
    const text = SMALL.replace(`[Unreleased]: ${BASE}/compare/v1.1.0...HEAD\n`, '');
    expect(parseChangelog(text).promote('1.2.0', { date: '2024-03-01' }).text).toContain(
      `[kac]: https://keepachangelog.com\n[1.2.0]: ${BASE}/compare/v1.1.0...v1.2.0\n[1.1.0]:`,
    );
  });

  it('leaves a file without version links without links', () => {
    const text =
      '## [Unreleased]\n- x\n\n## [1.0.0] - 2024-01-01\n- y\n\n[kac]: https://keepachangelog.com\n';
    const out = parseChangelog(text).promote('1.1.0', { date: '2024-03-01' }).text;
    expect(out).toBe(
      text.replace('## [Unreleased]\n', '## [Unreleased]\n\n## [1.1.0] - 2024-03-01\n'),
    );
  });

  it('compares a final release with the previous final release, not its own release candidates', () => {
    const text = SMALL.replace(
      '## [1.1.0] - 2024-02-01',
      '## [2.0.0-rc.2] - 2024-02-03\n\n- rc2\n\n## [2.0.0-rc.1] - 2024-02-02\n\n- rc1\n\n## [1.1.0] - 2024-02-01',
    );
    const result = parseChangelog(text).promote('2.0.0', { date: '2024-03-01' });
    expect(result.previousVersion).toBe('1.1.0');
    expect(result.text).toContain(`[2.0.0]: ${BASE}/compare/v1.1.0...v2.0.0\n`);
  });

  it('refuses an empty Unreleased (headings, blank lines and comments only)', () => {
    const text =
      '# C\n\n## [Unreleased]\n\n### Added\n\n<!-- nothing yet -->\n\n## [1.0.0] - 2024-01-01\n- y\n';
    const e = thrownBy(
      () => parseChangelog(text, { file: 'CHANGELOG.md' }).promote('1.1.0', { date: '2024-03-01' }),
      ChangelogError,
    );
    expect(e).toMatchObject({ code: 'EMPTY_UNRELEASED', file: 'CHANGELOG.md', line: 3, column: 1 });
    expect(e.message).toMatch(/^CHANGELOG\.md:3:1: /);
  });

  it('refuses a version that exists, with its line and column', () => {
    const e = thrownBy(
      () => parseChangelog(SMALL, { file: 'C.md' }).promote('1.0.0', { date: '2024-03-01' }),
      ChangelogError,
    );
    expect(e).toMatchObject({
      code: 'VERSION_EXISTS',
      line: 15,
      column: 5,
      found: '[1.0.0] - 2024-01-01',
    });
    expect(e.message).toContain('C.md:15:5: version 1.0.0 is already released');
  });

  it('refuses a version not greater than the latest release, prereleases included', () => {
    for (const version of ['1.0.5', '1.1.0-rc.1', '0.9.0']) {
      const e = thrownBy(
        () => parseChangelog(SMALL).promote(version, { date: '2024-03-01' }),
        ChangelogError,
      );
      expect(e).toMatchObject({
        code: 'VERSION_NOT_GREATER',
        line: 9,
        expected: 'a version greater than 1.1.0',
        found: version,
      });
    }
    expect(parseChangelog(SMALL).promote('1.2.0-rc.1', { date: '2024-03-01' }).version).toBe(
      '1.2.0-rc.1',
    );
  });

  it('refuses invalid dates and versions', () => {
    for (const date of ['2024-02-29', '2000-02-29', '2024-12-31'])
      expect(parseChangelog(SMALL).promote('1.2.0', { date }).date).toBe(date);
    for (const date of [
      '2024-02-30',
      '2023-02-29',
      '1900-02-29',
      '2024-04-31',
      '2024-00-10',
      '2024-01-00',
      '2024-13-01',
      '24-01-01',
      '2024-1-1',
      'today',
      '',
    ]) {
      expect(
        thrownBy(() => parseChangelog(SMALL).promote('1.2.0', { date }), ChangelogError),
      ).toMatchObject({
        code: 'INVALID_DATE',
        found: date,
      });
    }
    expect(
      thrownBy(
        () => parseChangelog(SMALL).promote('1.2.0', { date: new Date('nope') }),
        ChangelogError,
      ).code,
    ).toBe('INVALID_DATE');
    for (const version of ['1.2', 'v1', '1.2.0.0', 'next', '01.2.0']) {
      expect(
        thrownBy(
          () => parseChangelog(SMALL).promote(version, { date: '2024-03-01' }),
          ChangelogError,
        ),
      ).toMatchObject({ code: 'INVALID_VERSION', found: version });
    }
  });

  it('refuses an Unreleased section below a release', () => {
    const text = '## [1.0.0] - 2024-01-01\n- y\n\n## [Unreleased]\n- x\n';
    expect(
      thrownBy(() => parseChangelog(text).promote('1.1.0', { date: '2024-03-01' }), ChangelogError),
    ).toMatchObject({ code: 'UNRELEASED_NOT_FIRST', line: 4, column: 1 });
  });

  it('refuses a file without Unreleased, or with two', () => {
    expect(
      thrownBy(
        () => parseChangelog('# C\n\n## [1.0.0] - 2024-01-01\n- y\n').promote('1.1.0'),
        ChangelogError,
      ).code,
    ).toBe('NO_UNRELEASED');
    const two = thrownBy(
      () => parseChangelog('## [Unreleased]\n- x\n## [Unreleased]\n- z\n').promote('1.1.0'),
      ChangelogError,
    );
    expect(two).toMatchObject({ code: 'DUPLICATE_UNRELEASED', line: 3 });
  });

  it('refuses a stale link reference for the new version and an Unreleased link it cannot rewrite', () => {
    const stale = thrownBy(
      () =>
        parseChangelog(`${SMALL}[1.2.0]: ${BASE}/compare/v1.1.0...v1.2.0\n`).promote('1.2.0', {
          date: '2024-03-01',
        }),
      ChangelogError,
    );
    expect(stale).toMatchObject({ code: 'VERSION_EXISTS', line: 23, column: 1 });
    // The label is matched as CommonMark matches it: padding, case and a definition listed after others.
    for (const label of ['[ 1.2.0\t]', '[\u00a01.2.0]', '[1.2.0]']) {
      const padded = `${SMALL}[other]: https://example.com\n   ${label}: ${BASE}/compare/v1.1.0...v1.2.0\n`;
      expect(
        thrownBy(
          () => parseChangelog(padded).promote('1.2.0', { date: '2024-03-01' }),
          ChangelogError,
        ),
      ).toMatchObject({ code: 'VERSION_EXISTS', line: 24, column: 4 });
    }
    const upper = parseChangelog(`${SMALL}[1.2.0-RC.1]: ${BASE}/compare/v1.1.0...v1.2.0-rc.1\n`);
    expect(
      thrownBy(() => upper.promote('v1.2.0-rc.1', { date: '2024-03-01' }), ChangelogError).code,
    ).toBe('VERSION_EXISTS');
    // A label inside a code block defines nothing.
    const fenced = parseChangelog(
      SMALL.replace('- a feature', '- a feature\n\n  ```\n[1.2.0]: https://example.com\n  ```'),
    );
    expect(fenced.promote('1.2.0', { date: '2024-03-01' }).version).toBe('1.2.0');
    const odd = thrownBy(
      () =>
        parseChangelog(
          SMALL.replace(`${BASE}/compare/v1.1.0...HEAD`, 'https://example.com/changes'),
        ).promote('1.2.0', { date: '2024-03-01' }),
      ChangelogError,
    );
    expect(odd).toMatchObject({
      code: 'UNSUPPORTED_LINK',
      line: 20,
      column: 15,
      found: 'https://example.com/changes',
    });
  });
});

describe('promote diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'changelog-diff-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  };

  const cases: [string, string][] = [
    ['small', SMALL],
    ['crlf without final newline', SMALL.replaceAll('\n', '\r\n').replace(/\r\n$/, '')],
  ];
  if (haveFixtures) {
    const text = readFileSync(
      fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md'),
      'utf8',
    );
    cases.push([
      'seed fixture',
      text.replace('## [Unreleased]\n', '## [Unreleased]\n\n### Fixed\n\n- a fix\n'),
    ]);
  } else {
    it.skip(fixturesSkipReason, () => undefined);
  }

  it.each(cases)(
    'is a unified diff that git apply turns into the promoted file (%s)',
    (_name, text) => {
      const repo = mkdtempSync(join(dir, 'repo-'));
      execFileSync('git', ['init', '-q', repo], { env });
      writeFileSync(join(repo, 'CHANGELOG.md'), text);
      const result = parseChangelog(text, { file: 'CHANGELOG.md' }).promote('1.2.0', {
        date: '2024-03-01',
      });
      writeFileSync(join(repo, 'change.diff'), result.diff);
      execFileSync('git', ['apply', '--whitespace=nowarn', 'change.diff'], { cwd: repo, env });
      expect(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')).toBe(result.text);
      expect(result.diff.split(/\r?\n/).filter((l) => /^[-+](?![-+])/.test(l))).toEqual(
        expect.arrayContaining(['+## [1.2.0] - 2024-03-01']),
      );
    },
  );
});
