import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerConfigCredentials, dockerConfigPath } from '../src/oci/docker-config';

describe('dockerConfigCredentials', () => {
  let dir: string;
  const write = async (config: unknown) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
    return path;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oci-sd-docker-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads base64 auth, username/password and registry tokens for the exact registry', async () => {
    const path = await write({
      auths: {
        'ghcr.io': { auth: Buffer.from('octocat:ghp_secret:with:colons').toString('base64') },
        'https://index.docker.io/v1/': { username: 'hub', password: 'hubpw' },
        'registry.example.com:5000': { registrytoken: 'rt-1' },
      },
    });
    expect(await dockerConfigCredentials('ghcr.io', path)).toEqual({ username: 'octocat', password: 'ghp_secret:with:colons' });
    expect(await dockerConfigCredentials('docker.io', path)).toEqual({ username: 'hub', password: 'hubpw' });
    expect(await dockerConfigCredentials('registry.example.com:5000', path)).toEqual({ token: 'rt-1' });
    expect(await dockerConfigCredentials('ghcr.io.evil.example', path)).toBeUndefined();
  });

  it('returns undefined without a file or an entry, and names the field of a broken entry without the secret', async () => {
    expect(await dockerConfigCredentials('ghcr.io', join(dir, 'absent.json'))).toBeUndefined();
    expect(await dockerConfigCredentials('ghcr.io', await write({ credsStore: 'desktop' }))).toBeUndefined();
    const broken = await write({ auths: { 'ghcr.io': { auth: Buffer.from('no-colon-secret').toString('base64') } } });
    const error = await dockerConfigCredentials('ghcr.io', broken).catch((caught: Error) => caught);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((error as Error).message).toContain('auths["ghcr.io"].auth');
    expect((error as Error).message).not.toContain('no-colon-secret');
    await expect(dockerConfigCredentials('ghcr.io', await write('{not json'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('honours DOCKER_CONFIG', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/etc/docker-ci' })).toBe('/etc/docker-ci/config.json');
    expect(dockerConfigPath({})).toMatch(/\.docker\/config\.json$/);
  });
});
