import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReleaseError } from '../errors';
import { jsonErrorLocation } from './json-location';
import { parseRemoteUrl } from './remote';
import {
  httpUrl,
  validateConfig,
  type ConfigInput,
  type ConfigSource,
  type ReleaseConfig,
} from './schema';

export const CONFIG_FILE = 'oci-sd.config.json';

const run = promisify(execFile);

function readJson(file: string, shownAs: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    const { line, column } = jsonErrorLocation(text);
    throw new ReleaseError(
      'CONFIG',
      `${shownAs}:${line}:${column}: not valid JSON (${(error as Error).message.split('\n')[0]})`,
      {
        expected: 'JSON',
        found: 'a syntax error',
        cause: error,
      },
    );
  }
}

function asObject(value: unknown, source: ConfigSource): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const where = source.prefix ? `field "${source.prefix.slice(0, -1)}"` : 'top level';
    throw new ReleaseError(
      'CONFIG',
      `${source.file}: ${where}: expected an object, found ${JSON.stringify(value)}`,
      { expected: 'an object', found: value },
    );
  }
  return value as Record<string, unknown>;
}

/** The user's configuration: `oci-sd.config.json`, or the `"oci-sd"` key of package.json (never both). */
function readUserConfig(projectDir: string): {
  raw: Record<string, unknown>;
  source: ConfigSource;
} {
  const configFile = join(projectDir, CONFIG_FILE);
  const packageFile = join(projectDir, 'package.json');
  const fromPackage = existsSync(packageFile)
    ? asObject(readJson(packageFile, 'package.json'), { file: 'package.json', prefix: '' })[
        'oci-sd'
      ]
    : undefined;
  if (existsSync(configFile)) {
    if (fromPackage !== undefined) {
      throw new ReleaseError(
        'CONFIG',
        `both ${CONFIG_FILE} and the "oci-sd" key of package.json configure the release; keep one`,
        {
          expected: 'one configuration',
          found: [CONFIG_FILE, 'package.json#oci-sd'],
        },
      );
    }
    const source = { file: CONFIG_FILE, prefix: '' };
    return { raw: asObject(readJson(configFile, CONFIG_FILE), source), source };
  }
  if (fromPackage !== undefined) {
    const source = { file: 'package.json', prefix: 'oci-sd.' };
    return { raw: asObject(fromPackage, source), source };
  }
  return {
    raw: {},
    source: { file: `${CONFIG_FILE} (absent; defaults from the git remote)`, prefix: '' },
  };
}

async function remoteUrl(projectDir: string, remote: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['remote', 'get-url', remote], { cwd: projectDir });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

function apiUrlFor(serverUrl: string): string {
  return serverUrl === 'https://github.com' ? 'https://api.github.com' : `${serverUrl}/api/v3`;
}

/** Defaults for every field, from the repository the configuration or the git remote names. */
function defaultsFor(
  repo: string,
  serverUrl: string,
): Required<Omit<ConfigInput, 'tufRoot' | 'trustedRoot'>> {
  const [owner = '', name = ''] = repo.split('/');
  const host = new URL(serverUrl).host;
  return {
    repo,
    tufRepo: `${owner}/${name}-tuf-on-ci`,
    image: `ghcr.io/${owner.toLowerCase()}/${name.toLowerCase()}`,
    tagPrefix: 'v',
    predicateType: `${serverUrl}/${owner}/${name}/release-metadata`,
    changelog: 'CHANGELOG.md',
    defaultBranch: 'main',
    remote: 'origin',
    serverUrl,
    apiUrl: apiUrlFor(serverUrl),
    workflows: { build: 'docker-build-push.yml', publish: 'publish.yml' },
    signingCheck: 'TUF-on-CI signing event',
    prChecks: [],
    tufProject: name,
    tufDefaultBranch: 'main',
    tufGitUrl: `${serverUrl}/${owner}/${name}-tuf-on-ci.git`,
    // GitHub Pages of the TUF repository, where TUF-on-CI publishes
    tufUrl:
      host === 'github.com'
        ? `https://${owner.toLowerCase()}.github.io/${name}-tuf-on-ci/`
        : `${serverUrl}/pages/${owner}/${name}-tuf-on-ci/`,
  };
}

/** Loads, defaults and validates the release configuration of the project in `projectDir`. */
export async function loadConfig(
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReleaseConfig> {
  const { raw, source } = readUserConfig(projectDir);
  const remote = typeof raw.remote === 'string' ? raw.remote : 'origin';
  const fromRemote = parseRemoteUrl((await remoteUrl(projectDir, remote)) ?? '');
  const serverUrl =
    typeof raw.serverUrl === 'string'
      ? raw.serverUrl.replace(/\/+$/, '')
      : (env.GITHUB_SERVER_URL ?? fromRemote?.serverUrl ?? 'https://github.com');
  const remoteRepo = fromRemote && `${fromRemote.owner}/${fromRemote.repo}`;
  const repo = typeof raw.repo === 'string' ? raw.repo : remoteRepo;
  if (repo === undefined) {
    throw new ReleaseError(
      'CONFIG',
      `${source.file}: field "${source.prefix}repo": expected OWNER/REPO (or a GitHub URL for git remote "${remote}"), found nothing`,
      {
        expected: 'OWNER/REPO',
        found: undefined,
      },
    );
  }
  // an invalid configured repo is reported by validation; defaults then come from the remote, so it is the only error
  const defaultsRepo = [repo, remoteRepo].find((r) => r !== undefined && /^[^/]+\/[^/]+$/.test(r));
  const defaults = defaultsRepo && httpUrl(serverUrl) ? defaultsFor(defaultsRepo, serverUrl) : {};
  const apiDefault =
    env.GITHUB_API_URL && raw.serverUrl === undefined ? { apiUrl: env.GITHUB_API_URL } : {};
  return validateConfig({ ...defaults, ...apiDefault, ...raw }, source);
}
