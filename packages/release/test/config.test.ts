import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, loadConfig } from '../src/config/load';
import { parseRemoteUrl } from '../src/config/remote';
import { ReleaseError } from '../src/errors';
import { git, projectWithRemote, tempDir } from '@oci-sd/test-support';

const CHANGELOG = '# Changelog\n\n## [Unreleased]\n\n### Added\n- x\n';
const NO_ENV = {};
let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

function project(
  files: Record<string, string> = {},
  remoteUrl = 'https://github.com/amaanx86/oci-prometheus-sd-proxy.git',
): string {
  const tmp = tempDir('oci-sd-config-');
  cleanup.push(tmp.remove);
  return projectWithRemote(tmp.dir, { 'CHANGELOG.md': CHANGELOG, ...files }, remoteUrl).work;
}

async function configError(dir: string): Promise<ReleaseError> {
  const error = await loadConfig(dir, NO_ENV).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReleaseError);
  expect((error as ReleaseError).code).toBe('CONFIG');
  return error as ReleaseError;
}

describe('parseRemoteUrl', () => {
  it.each([
    [
      'https://github.com/amaanx86/oci-prometheus-sd-proxy.git',
      'https://github.com',
      'amaanx86',
      'oci-prometheus-sd-proxy',
    ],
    [
      'https://github.com/amaanx86/oci-prometheus-sd-proxy',
      'https://github.com',
      'amaanx86',
      'oci-prometheus-sd-proxy',
    ],
    ['git@github.com:Acme/Widget.git', 'https://github.com', 'Acme', 'Widget'],
    ['ssh://git@ghe.example.com:2222/team/app.git', 'https://ghe.example.com', 'team', 'app'],
    ['https://x-access-token:secret@github.com/o/r.git', 'https://github.com', 'o', 'r'],
  ])('reads %s', (url, serverUrl, owner, repo) => {
    expect(parseRemoteUrl(url)).toEqual({ serverUrl, owner, repo });
  });

  it.each(['/tmp/remote.git', 'file:///tmp/remote.git', 'https://github.com/only-owner', ''])(
    'refuses %s',
    (url) => {
      expect(parseRemoteUrl(url)).toBeUndefined();
    },
  );
});

describe('loadConfig', () => {
  it('derives every default of the seed project from its GitHub remote', async () => {
    const config = await loadConfig(project(), NO_ENV);
    expect(config).toEqual({
      repo: 'amaanx86/oci-prometheus-sd-proxy',
      tufRepo: 'amaanx86/oci-prometheus-sd-proxy-tuf-on-ci',
      image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
      tagPrefix: 'v',
      predicateType: 'https://github.com/amaanx86/oci-prometheus-sd-proxy/release-metadata',
      changelog: 'CHANGELOG.md',
      defaultBranch: 'main',
      remote: 'origin',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      workflows: { build: 'docker-build-push.yml', publish: 'publish.yml' },
      signingCheck: 'TUF-on-CI signing event',
      prChecks: [],
      tufProject: 'oci-prometheus-sd-proxy',
      tufDefaultBranch: 'main',
      tufGitUrl: 'https://github.com/amaanx86/oci-prometheus-sd-proxy-tuf-on-ci.git',
      tufUrl: 'https://amaanx86.github.io/oci-prometheus-sd-proxy-tuf-on-ci/',
    });
  });

  it('lowercases the image of a mixed-case owner and uses GitHub Enterprise URLs for an enterprise remote', async () => {
    const config = await loadConfig(project({}, 'git@ghe.example.com:Acme/Widget.git'), NO_ENV);
    expect(config.image).toBe('ghcr.io/acme/widget');
    expect(config.serverUrl).toBe('https://ghe.example.com');
    expect(config.apiUrl).toBe('https://ghe.example.com/api/v3');
    expect(config.predicateType).toBe('https://ghe.example.com/Acme/Widget/release-metadata');
  });

  it('needs a repository when the remote is not a GitHub URL', async () => {
    const error = await configError(project({}, '/git/app.git'));
    expect(error.message).toContain(
      'field "repo": expected OWNER/REPO (or a GitHub URL for git remote "origin"), found nothing',
    );
  });

  it('takes GITHUB_SERVER_URL and GITHUB_API_URL from the Actions environment', async () => {
    const dir = project({ [CONFIG_FILE]: JSON.stringify({ repo: 'acme/app' }) }, '/git/app.git');
    const config = await loadConfig(dir, {
      GITHUB_SERVER_URL: 'https://ghe.example.com',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
    });
    expect(config.serverUrl).toBe('https://ghe.example.com');
    expect(config.apiUrl).toBe('https://ghe.example.com/api/v3');
    expect(config.tufGitUrl).toBe('https://ghe.example.com/acme/app-tuf-on-ci.git');
  });

  it('applies oci-sd.config.json over the defaults', async () => {
    const dir = project({
      [CONFIG_FILE]: JSON.stringify({
        image: '127.0.0.1:5000/acme/app',
        tagPrefix: '',
        workflows: { build: 'build.yml', publish: 'pages.yaml' },
        prChecks: ['ci'],
      }),
    });
    const config = await loadConfig(dir, NO_ENV);
    expect(config.image).toBe('127.0.0.1:5000/acme/app');
    expect(config.tagPrefix).toBe('');
    expect(config.workflows).toEqual({ build: 'build.yml', publish: 'pages.yaml' });
    expect(config.prChecks).toEqual(['ci']);
    expect(config.repo).toBe('amaanx86/oci-prometheus-sd-proxy');
  });

  it('reads the "oci-sd" key of package.json and names its fields in errors', async () => {
    const ok = project({
      'package.json': JSON.stringify({ name: 'x', 'oci-sd': { tufRepo: 'acme/tuf' } }),
    });
    expect((await loadConfig(ok, NO_ENV)).tufRepo).toBe('acme/tuf');
    const bad = project({
      'package.json': JSON.stringify({ name: 'x', 'oci-sd': { image: 'GHCR.io/Acme/App:latest' } }),
    });
    const error = await configError(bad);
    expect(error.message).toContain('package.json: invalid configuration');
    expect(error.message).toContain(
      'oci-sd.image: expected an image name without tag or digest, e.g. ghcr.io/owner/repo, found "GHCR.io/Acme/App:latest"',
    );
  });

  it('reports every invalid field at once, with expected and found', async () => {
    const dir = project({
      [CONFIG_FILE]: JSON.stringify({
        repo: 'no-slash',
        workflows: { build: 'build.sh' },
        prChecks: 'ci',
        imgae: 'typo',
      }),
    });
    const error = await configError(dir);
    expect(error.message).toContain(`${CONFIG_FILE}: invalid configuration`);
    expect(error.message).toContain('imgae: expected one of the known fields');
    expect(error.message).toContain('repo: expected OWNER/REPO, found "no-slash"');
    expect(error.message).toContain(
      'workflows.build: expected a workflow file name such as docker-build-push.yml, found "build.sh"',
    );
    expect(error.message).toContain(
      'workflows.publish: expected a workflow file name such as publish.yml, found nothing',
    );
    expect(error.message).toContain('prChecks: expected an array of check names, found "ci"');
    expect(error.expected).toHaveLength(5);
  });

  it('points at the line and column of a JSON syntax error', async () => {
    const dir = project({ [CONFIG_FILE]: '{\n  "repo": "a/b",\n  "image": \n}\n' });
    const error = await configError(dir);
    expect(error.message).toMatch(
      new RegExp(`^${CONFIG_FILE.replace('.', '\\.')}:4:1: not valid JSON`),
    );
  });

  it('refuses two configurations', async () => {
    const dir = project({ [CONFIG_FILE]: '{}', 'package.json': JSON.stringify({ 'oci-sd': {} }) });
    expect((await configError(dir)).message).toContain('keep one');
  });

  it('refuses a configuration that is not an object', async () => {
    const dir = project({ [CONFIG_FILE]: '["acme/app"]' });
    expect((await configError(dir)).message).toBe(
      `${CONFIG_FILE}: top level: expected an object, found ["acme/app"]`,
    );
  });

  it('follows the configured remote', async () => {
    const dir = project();
    git(dir, 'remote', 'add', 'upstream', 'https://github.com/upstream-org/proj.git');
    writeFileSync(join(dir, CONFIG_FILE), JSON.stringify({ remote: 'upstream' }));
    expect((await loadConfig(dir, NO_ENV)).repo).toBe('upstream-org/proj');
  });
});
