import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { runAction, tempDir } from './support';

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.5.0] - 2026-06-01

### Added

- Feature one
- Feature two

### Changed

- Change one | with a pipe

## [1.4.1] - 2026-05-01

### Fixed

- A fix

[Unreleased]: https://github.com/acme/app/compare/v1.5.0...HEAD
[1.5.0]: https://github.com/acme/app/compare/v1.4.1...v1.5.0
[1.4.1]: https://github.com/acme/app/releases/tag/v1.4.1
`;

const EXPECTED_NOTES = `## Added

- Feature one
- Feature two

## Changed

- Change one | with a pipe

**Full Changelog**: https://github.com/acme/app/compare/v1.4.1...v1.5.0`;

const dirs: string[] = [];
function workspace(): string {
  const dir = tempDir('notes');
  dirs.push(dir);
  writeFileSync(join(dir, 'CHANGELOG.md'), CHANGELOG);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('command: release-notes', () => {
  it('gives the notes of the release event tag, with the Full Changelog link, as outputs, a file and a summary', async () => {
    const dir = workspace();
    const run = await runAction({
      workspace: dir,
      inputs: { command: 'release-notes', 'notes-file': 'notes.md' },
      event: { release: { id: 1, tag_name: 'v1.5.0' } },
      env: { GITHUB_REPOSITORY: 'acme/app', GITHUB_SERVER_URL: 'https://github.com' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs.notes?.trim()).toBe(EXPECTED_NOTES);
    expect(run.outputs).toMatchObject({
      tag: 'v1.5.0',
      version: '1.5.0',
      'previous-tag': 'v1.4.1',
      'full-changelog-url': 'https://github.com/acme/app/compare/v1.4.1...v1.5.0',
      prerelease: 'false',
      'notes-file': join(dir, 'notes.md'),
    });
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe(run.outputs.notes);
    expect(run.summary).toContain('### Release notes for v1.5.0');
    expect(run.summary).toContain('| Previous tag | `v1.4.1` |');
    expect(run.summary).toContain('- Feature one');
  });

  it('takes the tag from a tag push when there is no release event', async () => {
    const run = await runAction({
      workspace: workspace(),
      inputs: { command: 'release-notes' },
      env: { GITHUB_REF: 'refs/tags/v1.4.1' },
    });
    expect(run.code).toBe(0);
    expect(run.outputs.notes?.trim()).toBe(
      '## Fixed\n\n- A fix\n\n**Full Changelog**: https://github.com/acme/app/commits/v1.4.1',
    );
  });

  it('fails naming the version when the changelog has no such release', async () => {
    const run = await runAction({
      workspace: workspace(),
      inputs: { command: 'release-notes', tag: 'v9.9.9' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::.*9\.9\.9/);
    expect(run.outputs.notes).toBeUndefined();
  });

  it('fails naming the file when the changelog is missing', async () => {
    const run = await runAction({
      workspace: workspace(),
      inputs: { command: 'release-notes', tag: 'v1.5.0', changelog: 'docs/NOPE.md' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::.*docs\/NOPE\.md/);
  });

  it('fails saying where a tag comes from when none is known', async () => {
    const run = await runAction({
      workspace: workspace(),
      inputs: { command: 'release-notes' },
      env: { GITHUB_REF: 'refs/heads/main' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::no tag: set the "tag" input, or run on a release event or a tag push',
    );
  });

  it('reads the seed project changelog', async (context) => {
    if (!haveFixtures) return context.skip(fixturesSkipReason);
    const run = await runAction({
      inputs: {
        command: 'release-notes',
        tag: 'v1.1.0',
        changelog: fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md'),
      },
      env: { GITHUB_REPOSITORY: 'amaanx86/oci-prometheus-sd-proxy' },
    });
    expect(run.code).toBe(0);
    expect(run.outputs.notes).toMatch(/^## Added\n\n- \*\*OCI API Rate Limiting\*\*/);
    expect(
      run.outputs.notes
        ?.trimEnd()
        .endsWith(
          '**Full Changelog**: https://github.com/amaanx86/oci-prometheus-sd-proxy/compare/v1.0.0...v1.1.0',
        ),
    ).toBe(true);
  });
});
