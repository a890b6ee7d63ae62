import { execFile } from 'node:child_process';
import { GitHubError } from './errors';

export interface Endpoints {
  /** REST root: `https://api.github.com`, or `https://HOST/api/v3` on GitHub Enterprise Server. */
  apiUrl: string;
  /** Web root for links (compare links, run pages): `https://github.com` or `https://HOST`. */
  serverUrl: string;
}

type Env = Record<string, string | undefined>;

const DOTCOM_API = 'https://api.github.com';
const DOTCOM_WEB = 'https://github.com';

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function requireHttpUrl(value: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new GitHubError('INVALID_INPUT', `${field} is not a URL: "${value}"`, {
      expected: 'an http(s) URL',
      found: value,
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new GitHubError('INVALID_INPUT', `${field} must be http(s), found "${parsed.protocol}"`, {
      expected: 'https:',
      found: parsed.protocol,
    });
  }
  return trimSlash(value);
}

/**
 * Where GitHub is. Explicit options win; in Actions `GITHUB_API_URL`/`GITHUB_SERVER_URL` point at
 * GitHub.com or an Enterprise Server; a server URL alone implies its `/api/v3` REST root.
 */
export function resolveEndpoints(
  options: { apiUrl?: string; serverUrl?: string; env?: Env } = {},
): Endpoints {
  const env = options.env ?? process.env;
  const apiRaw = options.apiUrl ?? env.GITHUB_API_URL;
  const serverRaw = options.serverUrl ?? env.GITHUB_SERVER_URL;
  const serverUrl = serverRaw
    ? requireHttpUrl(serverRaw, options.serverUrl ? 'serverUrl' : 'GITHUB_SERVER_URL')
    : undefined;
  let apiUrl = apiRaw
    ? requireHttpUrl(apiRaw, options.apiUrl ? 'apiUrl' : 'GITHUB_API_URL')
    : undefined;
  if (!apiUrl) apiUrl = serverUrl && serverUrl !== DOTCOM_WEB ? `${serverUrl}/api/v3` : DOTCOM_API;
  return { apiUrl, serverUrl: serverUrl ?? webFromApi(apiUrl) };
}

function webFromApi(apiUrl: string): string {
  if (apiUrl === DOTCOM_API) return DOTCOM_WEB;
  return apiUrl.replace(/\/api\/v3$/, '');
}

export interface TokenSource {
  token: string;
  /** Where it came from, for messages (never the token itself). */
  source:
    | 'option'
    | 'GH_TOKEN'
    | 'GITHUB_TOKEN'
    | 'GH_ENTERPRISE_TOKEN'
    | 'GITHUB_ENTERPRISE_TOKEN'
    | 'gh auth token';
}

/** Runs `gh auth token`; resolves undefined when gh is missing, logged out or slow. */
export type GhCliTokenReader = (hostname: string) => Promise<string | undefined>;

export const readGhCliToken: GhCliTokenReader = (hostname) =>
  new Promise((resolve) => {
    execFile(
      'gh',
      ['auth', 'token', '--hostname', hostname],
      { timeout: 5_000, env: { ...process.env, GH_PROMPT_DISABLED: '1' } },
      (error, stdout) => {
        const token = stdout?.trim();
        resolve(error || !token ? undefined : token);
      },
    );
  });

/**
 * The token, in gh's order: the option, `GH_TOKEN`, `GITHUB_TOKEN` (Enterprise hosts: the
 * `*_ENTERPRISE_TOKEN` variables first), then `gh auth token` when the gh CLI is installed.
 */
export async function resolveToken(options: {
  token?: string;
  env?: Env;
  endpoints: Endpoints;
  ghCli?: GhCliTokenReader | false;
}): Promise<TokenSource | undefined> {
  if (options.token) return { token: options.token, source: 'option' };
  const env = options.env ?? process.env;
  const host = new URL(options.endpoints.serverUrl).host;
  const enterprise = host !== 'github.com';
  const order = (enterprise ? ['GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN'] : []).concat([
    'GH_TOKEN',
    'GITHUB_TOKEN',
  ]) as TokenSource['source'][];
  for (const name of order) {
    const value = env[name]?.trim();
    if (value) return { token: value, source: name };
  }
  if (options.ghCli === false) return undefined;
  const token = await (options.ghCli ?? readGhCliToken)(host);
  return token ? { token, source: 'gh auth token' } : undefined;
}
