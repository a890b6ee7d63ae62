import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VerificationError } from '../errors';
import type { RegistryCredentials } from './http';

const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  registrytoken?: string;
}

/** The config.json `docker login` writes: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

function entryKeys(registry: string): string[] {
  if (registry === 'docker.io') return DOCKER_HUB_KEYS;
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/**
 * Credentials `docker login` stored inline for `registry` (`auth` = base64 `user:password`, or
 * `username`/`password`, or `registrytoken`). Undefined when the file or the entry is absent.
 * Credential helpers (`credsStore`, `credHelpers`) are not run: pass credentials explicitly then.
 * Errors name the file and the field, never the secret.
 */
export async function dockerConfigCredentials(registry: string, path = dockerConfigPath()): Promise<RegistryCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VerificationError('INVALID_INPUT', `${path}: ${(error as Error).message}`, { cause: error });
  }
  let config: { auths?: Record<string, DockerAuthEntry> };
  try {
    config = JSON.parse(text) as typeof config;
  } catch {
    throw new VerificationError('INVALID_INPUT', `${path}: expected JSON, found unparsable text`, { expected: 'JSON', found: 'unparsable text' });
  }
  const auths = config.auths ?? {};
  const key = entryKeys(registry).find((candidate) => Object.hasOwn(auths, candidate));
  if (key === undefined) return undefined;
  const entry = auths[key]!;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') return { token: entry.registrytoken };
  if (typeof entry.username === 'string' && typeof entry.password === 'string') return { username: entry.username, password: entry.password };
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new VerificationError('INVALID_INPUT', `${path}: auths["${key}"].auth: expected base64 of "user:password"`, { expected: 'base64 user:password', found: 'no colon after decoding' });
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}
