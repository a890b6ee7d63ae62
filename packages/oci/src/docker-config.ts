import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OciError } from './errors';
import { credentialHelperCredentials, type CredentialHelperOptions } from './credential-helper';
import type { RegistryCredentials } from './http';

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];
/** What docker passes to a helper for Docker Hub, and the host it keys `credHelpers` by. */
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';
const DOCKER_HUB_HELPER_KEY = 'index.docker.io';

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  registrytoken?: string;
}

interface DockerConfig {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export type DockerConfigOptions = CredentialHelperOptions;

/** The config.json `docker login` writes: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

function entryKeys(registry: string): string[] {
  if (registry === DOCKER_HUB) return DOCKER_HUB_KEYS;
  return [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readDockerConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OciError('INVALID_INPUT', `${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new OciError('INVALID_INPUT', `${path}: expected JSON, found unparsable text`, {
      expected: 'JSON',
      found: 'unparsable text',
    });
  }
  const wrongType = (field: string, expected: string, value: unknown) => {
    const found = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return new OciError(
      'INVALID_INPUT',
      `${path}: ${field}: expected ${expected}, found ${found}`,
      { expected, found },
    );
  };
  if (!isRecord(config)) throw wrongType('top level', 'a JSON object', config);
  if (config.auths !== undefined && !isRecord(config.auths))
    throw wrongType('auths', 'an object', config.auths);
  if (config.credsStore !== undefined && typeof config.credsStore !== 'string')
    throw wrongType('credsStore', 'a helper name (string)', config.credsStore);
  if (config.credHelpers !== undefined) {
    if (!isRecord(config.credHelpers))
      throw wrongType('credHelpers', 'an object of registry to helper name', config.credHelpers);
    for (const [host, helper] of Object.entries(config.credHelpers)) {
      if (typeof helper !== 'string')
        throw wrongType(`credHelpers["${host}"]`, 'a helper name (string)', helper);
    }
  }
  return config as DockerConfig;
}

/** The inline `auths` entry for `registry`; an entry without credentials (the `{}` docker leaves next to a helper) counts as none. */
function inlineCredentials(
  auths: Record<string, DockerAuthEntry>,
  registry: string,
  path: string,
): RegistryCredentials | undefined {
  const key = entryKeys(registry).find((candidate) => Object.hasOwn(auths, candidate));
  if (key === undefined) return undefined;
  const entry = auths[key]!;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '')
    return { token: entry.registrytoken };
  if (typeof entry.username === 'string' && typeof entry.password === 'string')
    return { username: entry.username, password: entry.password };
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0)
      throw new OciError(
        'INVALID_INPUT',
        `${path}: auths["${key}"].auth: expected base64 of "user:password"`,
        { expected: 'base64 user:password', found: 'no colon after decoding' },
      );
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/**
 * The credentials `docker login` left for `registry`, found as docker and crane look for them:
 * 1. `credHelpers[host]` names a helper for this registry (Docker Hub: `index.docker.io`): it alone answers;
 * 2. else an inline `auths` entry (`auth` = base64 `user:password`, `username`/`password`, or `registrytoken`);
 * 3. else `credsStore`, the default helper.
 * A helper is `docker-credential-<name>` on `options.env.PATH`, run without a shell (see
 * `credentialHelperCredentials`). Undefined when the file, the entry or the helper's entry is absent
 * (anonymous access). Errors name the file and the field (and the helper), never the secret.
 */
export async function dockerConfigCredentials(
  registry: string,
  path = dockerConfigPath(),
  options: DockerConfigOptions = {},
): Promise<RegistryCredentials | undefined> {
  const config = await readDockerConfig(path);
  if (config === undefined) return undefined;
  const serverUrl = registry === DOCKER_HUB ? DOCKER_HUB_SERVER_URL : registry;
  const helperKey = registry === DOCKER_HUB ? DOCKER_HUB_HELPER_KEY : registry;
  const credHelpers = config.credHelpers ?? {};
  if (Object.hasOwn(credHelpers, helperKey)) {
    const helper = credHelpers[helperKey]!;
    // As docker: an empty per-registry helper opts the registry out of credsStore (inline entries only).
    if (helper === '') return inlineCredentials(config.auths ?? {}, registry, path);
    return credentialHelperCredentials(
      helper,
      serverUrl,
      `${path}: credHelpers["${helperKey}"]`,
      options,
    );
  }
  const inline = inlineCredentials(config.auths ?? {}, registry, path);
  if (inline !== undefined || config.credsStore === undefined || config.credsStore === '')
    return inline;
  return credentialHelperCredentials(config.credsStore, serverUrl, `${path}: credsStore`, options);
}
