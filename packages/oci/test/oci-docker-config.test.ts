import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  registryAvailable,
  startRegistry,
  startRegistryProxy,
  type RegistryProxy,
  type TestRegistry,
} from '@oci-sd/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '@oci-sd/test-support';
import { OciError } from '../src/errors';
import {
  dockerConfigCredentials,
  dockerConfigPath,
  type DockerConfigOptions,
} from '../src/docker-config';
import { pushImage } from '../src/image';
import { openImageSource } from '../src/open';
import { parseImageReference } from '../src/reference';
import { RegistrySource } from '../src/registry';

const HELPER_SECRET = 'helper-secret-5d1e0b-never-print';
const skipReason = registryAvailable()
  ? ''
  : ' (skipped: /usr/bin/docker-registry not installed; apt-get install docker-registry)';

/** Everything an error shows a person or a log. */

const errorText = (error: OciError) =>
  JSON.stringify({
    message: error.message,
    expected: error.expected,
    found: error.found,
    stack: error.stack,
  });

describe('dockerConfigCredentials', () => {
  let dir: string;
  let helpers: string;
  let options: DockerConfigOptions;
  const write = async (config: unknown) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
    return path;
  };
  /** A real `docker-credential-<name>` on the test PATH; it records its stdin in `<name>.stdin`. */
  const helper = async (name: string, body: string) => {
    const path = join(helpers, `docker-credential-${name}`);
    await writeFile(path, `#!/bin/sh\ncat > '${join(dir, `${name}.stdin`)}'\n${body}\n`);
    await chmod(path, 0o755);
  };
  const answer = (username: string, secret: string) =>
    `printf '%s' '{"ServerURL":"x","Username":"${username}","Secret":"${secret}"}'`;
  const stdinOf = (name: string) => readFile(join(dir, `${name}.stdin`), 'utf8');
  const ran = (name: string) => existsSync(join(dir, `${name}.stdin`));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oci-sd-docker-config-'));
    helpers = join(dir, 'bin');
    await mkdir(helpers);
    options = { env: { PATH: `${helpers}:/usr/bin:/bin` } };
    await Promise.all([
      helper('ghcr', answer('octocat', 'ghcr-pw')),
      helper('store', answer('stored-user', 'stored-pw')),
      helper('hub', answer('hub-user', 'hub-pw')),
      helper('identity', answer('<token>', 'identity-token-1')),
      helper('empty', answer('', '')),
      helper('notfound', "echo 'credentials not found in native keychain'; exit 1"),
      helper('notfound-stderr', "echo 'credentials not found in native keychain' >&2; exit 1"),
      helper('fails', `${answer('u', HELPER_SECRET)}; echo 'keychain is locked' >&2; exit 1`),
      helper('badjson', `printf '%s' '{"Username":"u","Secret":"${HELPER_SECRET}"'`),
      helper('wrongshape', `printf '%s' '{"Username":"u","Password":"${HELPER_SECRET}"}'`),
      helper('hangs', `printf '%s' '${HELPER_SECRET}'; exec sleep 60`),
      helper('evil name', 'exit 0'),
      // 70 000 bytes: more than any credentials answer.
      helper('floods', 'exec head -c 70000 /dev/zero'),
      helper('crashes', `printf '%s' '${HELPER_SECRET}'; kill -9 $$`),
    ]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('inline auths', () => {
    it('reads base64 auth, username/password and registry tokens for the exact registry', async () => {
      const path = await write({
        auths: {
          'ghcr.io': { auth: Buffer.from('octocat:ghp_secret:with:colons').toString('base64') },
          'https://index.docker.io/v1/': { username: 'hub', password: 'hubpw' },
          'registry.example.com:5000': { registrytoken: 'rt-1' },
        },
      });
      expect(await dockerConfigCredentials('ghcr.io', path)).toEqual({
        username: 'octocat',
        password: 'ghp_secret:with:colons',
      });
      expect(await dockerConfigCredentials('docker.io', path)).toEqual({
        username: 'hub',
        password: 'hubpw',
      });
      expect(await dockerConfigCredentials('registry.example.com:5000', path)).toEqual({
        token: 'rt-1',
      });
      expect(await dockerConfigCredentials('ghcr.io.evil.example', path)).toBeUndefined();
    });

    it('returns undefined without a file or an entry, and names the field of a broken entry without the secret', async () => {
      expect(await dockerConfigCredentials('ghcr.io', join(dir, 'absent.json'))).toBeUndefined();
      expect(
        await dockerConfigCredentials(
          'ghcr.io',
          await write({ auths: { 'quay.io': { username: 'q', password: 'p' } } }),
        ),
      ).toBeUndefined();
      const broken = await write({
        auths: { 'ghcr.io': { auth: Buffer.from('no-colon-secret').toString('base64') } },
      });
      const error = await rejectionOf(dockerConfigCredentials('ghcr.io', broken), OciError);
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('auths["ghcr.io"].auth');
      expect(error.message).not.toContain('no-colon-secret');
      expect(
        (await rejectionOf(dockerConfigCredentials('ghcr.io', await write('{not json')), OciError))
          .code,
      ).toBe('INVALID_INPUT');
    });

    it('rejects config fields of the wrong type, naming the field', async () => {
      for (const [config, field] of [
        [null, 'top level'],
        [{ auths: [] }, 'auths'],
        [{ credsStore: 7 }, 'credsStore'],
        [{ credHelpers: 'gcloud' }, 'credHelpers'],
        [{ credHelpers: { 'ghcr.io': true } }, 'credHelpers["ghcr.io"]'],
      ] as const) {
        const path = await write(config);
        const error = await rejectionOf(
          dockerConfigCredentials('ghcr.io', path, options),
          OciError,
        );
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.message).toContain(`${path}: ${field}: expected`);
      }
    });

    it('honours DOCKER_CONFIG', () => {
      expect(dockerConfigPath({ DOCKER_CONFIG: '/etc/docker-ci' })).toBe(
        '/etc/docker-ci/config.json',
      );
      expect(dockerConfigPath({})).toMatch(/\.docker\/config\.json$/);
    });
  });

  describe('credential helpers', () => {
    it('asks the credHelpers helper for its registry, writing the registry host to its stdin; it wins over inline and credsStore', async () => {
      const path = await write({
        credHelpers: { 'ghcr.io': 'ghcr' },
        credsStore: 'store',
        auths: { 'ghcr.io': { username: 'inline', password: 'inline-pw' } },
      });
      expect(await dockerConfigCredentials('ghcr.io', path, options)).toEqual({
        username: 'octocat',
        password: 'ghcr-pw',
      });
      expect(await stdinOf('ghcr')).toBe('ghcr.io');
      expect(ran('store')).toBe(false);
      // Another registry is not the helper's business: its inline entry answers.
      expect(
        await dockerConfigCredentials(
          'quay.io',
          await write({
            credHelpers: { 'ghcr.io': 'absent' },
            auths: { 'quay.io': { username: 'q', password: 'qp' } },
          }),
          options,
        ),
      ).toEqual({ username: 'q', password: 'qp' });
    });

    it('uses credsStore when there is no inline entry or only the empty placeholder docker writes', async () => {
      for (const auths of [undefined, { 'localhost:5000': {} }]) {
        const path = await write({ credsStore: 'store', ...(auths ? { auths } : {}) });
        expect(await dockerConfigCredentials('localhost:5000', path, options)).toEqual({
          username: 'stored-user',
          password: 'stored-pw',
        });
        expect(await stdinOf('store')).toBe('localhost:5000');
      }
    });

    it('prefers an inline entry with credentials over credsStore', async () => {
      await rm(join(dir, 'store.stdin'), { force: true });
      const path = await write({
        credsStore: 'store',
        auths: { 'ghcr.io': { auth: Buffer.from('inline:inline-pw').toString('base64') } },
      });
      expect(await dockerConfigCredentials('ghcr.io', path, options)).toEqual({
        username: 'inline',
        password: 'inline-pw',
      });
      expect(ran('store')).toBe(false);
    });

    it('an empty credHelpers entry opts its registry out of credsStore, as in docker', async () => {
      await rm(join(dir, 'store.stdin'), { force: true });
      expect(
        await dockerConfigCredentials(
          'ghcr.io',
          await write({ credsStore: 'store', credHelpers: { 'ghcr.io': '' } }),
          options,
        ),
      ).toBeUndefined();
      expect(ran('store')).toBe(false);
    });

    it('passes Docker Hub as https://index.docker.io/v1/ and keys its credHelpers entry by index.docker.io', async () => {
      expect(
        await dockerConfigCredentials(
          'docker.io',
          await write({ credHelpers: { 'index.docker.io': 'hub' } }),
          options,
        ),
      ).toEqual({ username: 'hub-user', password: 'hub-pw' });
      expect(await stdinOf('hub')).toBe('https://index.docker.io/v1/');
      expect(
        await dockerConfigCredentials('docker.io', await write({ credsStore: 'store' }), options),
      ).toEqual({ username: 'stored-user', password: 'stored-pw' });
      expect(await stdinOf('store')).toBe('https://index.docker.io/v1/');
    });

    it('maps the <token> user name to an identity token sent as a bearer token', async () => {
      expect(
        await dockerConfigCredentials(
          'myregistry.azurecr.io',
          await write({ credsStore: 'identity' }),
          options,
        ),
      ).toEqual({ token: 'identity-token-1' });
    });

    it('goes anonymous when the helper has no entry ("credentials not found", on stdout or stderr) or an empty secret', async () => {
      for (const name of ['notfound', 'notfound-stderr', 'empty']) {
        expect(
          await dockerConfigCredentials('ghcr.io', await write({ credsStore: name }), options),
        ).toBeUndefined();
        expect(await stdinOf(name)).toBe('ghcr.io');
      }
    });

    it('reports a helper missing from PATH, naming the helper, the config file and the field', async () => {
      const path = await write({ credHelpers: { 'ghcr.io': 'absent' } });
      const error = await rejectionOf(dockerConfigCredentials('ghcr.io', path, options), OciError);
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain(
        `${path}: credHelpers["ghcr.io"]: docker-credential-absent get for ghcr.io: docker-credential-absent not found on PATH`,
      );
    });

    it('reports a failing exit, invalid JSON, a wrong shape, a flood, a crash and a hang without the secret the helper printed', async () => {
      // Only the hanging helper gets a short timeout: the others must not race it on a loaded machine.
      const cases = [
        ['fails', 'exited with 1: keychain is locked', undefined],
        ['badjson', 'found unparsable text', undefined],
        ['wrongshape', 'string Username and Secret', undefined],
        ['floods', 'printed more than 65536 bytes; the helper was killed', undefined],
        ['crashes', 'was killed by SIGKILL', undefined],
        ['hangs', 'no answer within 300 ms; the helper was killed', 300],
      ] as const;
      for (const [name, reason, helperTimeoutMs] of cases) {
        const path = await write({ credsStore: name });
        const error = await rejectionOf(
          dockerConfigCredentials('ghcr.io', path, {
            ...options,
            ...(helperTimeoutMs ? { helperTimeoutMs } : {}),
          }),
          OciError,
        );
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.message).toContain(
          `${path}: credsStore: docker-credential-${name} get for ghcr.io: `,
        );
        expect(error.message).toContain(reason);
        expect(errorText(error)).not.toContain(HELPER_SECRET);
      }
    });

    it('rejects a helper name that is not a plain program name before running anything', async () => {
      for (const name of ['../evil', 'evil name']) {
        const path = await write({ credHelpers: { 'ghcr.io': name } });
        const error = await rejectionOf(
          dockerConfigCredentials('ghcr.io', path, options),
          OciError,
        );
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.message).toContain(
          `${path}: credHelpers["ghcr.io"]: expected a credential helper name matching`,
        );
      }
      // `docker-credential-evil name` exists on the PATH: only the name check kept it from running.
      expect(ran('evil name')).toBe(false);
    });
  });

  describe.skipIf(!registryAvailable())(
    `end to end through a registry that requires basic credentials${skipReason}`,
    () => {
      let registry: TestRegistry;
      let proxy: RegistryProxy;
      beforeAll(async () => {
        registry = await startRegistry();
        await pushImage(new RegistrySource(registry.host, 'acme/private'), {
          tag: 'v1',
          platforms: [{ os: 'linux', architecture: 'amd64', files: { 'bin/app': 'app' } }],
        });
        proxy = await startRegistryProxy(registry.url, {
          auth: { service: 'test-registry', basic: { username: 'ci', password: HELPER_SECRET } },
        });
        await helper('e2e', answer('ci', HELPER_SECRET));
      });
      afterAll(async () => {
        await proxy?.stop();
        await registry?.stop();
      });

      it('pulls with the credentials the credsStore helper gave for the registry host; anonymous is refused', async () => {
        const reference = parseImageReference(`${proxy.host}/acme/private:v1`);
        if (reference.kind !== 'registry') throw new Error('expected a registry reference');
        const credentials = await dockerConfigCredentials(
          reference.registry,
          await write({ credsStore: 'e2e' }),
          options,
        );
        expect(await stdinOf('e2e')).toBe(proxy.host);
        const { source } = openImageSource(reference, { credentials: credentials!, retries: 0 });
        expect((await source.resolve('v1')).digest).toMatch(/^sha256:/);
        const tokenRequest = proxy.log.find((request) => request.path.startsWith('/token'));
        expect(tokenRequest?.authorization).toBe(
          `Basic ${Buffer.from(`ci:${HELPER_SECRET}`).toString('base64')}`,
        );

        const anonymous = openImageSource(reference, { retries: 0 }).source;
        expect((await rejectionOf(anonymous.resolve('v1'), OciError)).message).toContain(
          'token request answered 401',
        );
      });
    },
  );
});
