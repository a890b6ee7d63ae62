import {
  CoreError,
  HttpClient,
  type HttpClientOptions,
  type HttpResponse,
  type RequestCounter,
} from '@oci-sd/core';
import { OciError } from './errors';

export { RequestCounter, type HttpResponse, type ResponseHeaders } from '@oci-sd/core';

export type RegistryCredentials = { username: string; password: string } | { token: string };

export interface RegistryClientOptions extends Pick<
  HttpClientOptions,
  'timeoutMs' | 'retries' | 'backoffMs' | 'counter' | 'maxBodyBytes'
> {
  credentials?: RegistryCredentials;
}

export interface RequestOptions {
  method?: 'GET' | 'HEAD' | 'PUT' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
  /** Scope actions for the bearer token: reads need `pull`, writes `pull,push`. */
  actions?: 'pull' | 'pull,push';
  maxBodyBytes?: number;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (and `Basic realm=...`). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  const params: Record<string, string> = {};
  if (!match) return { scheme: '', params };
  for (const [, key, quoted, bare] of match[2]!.matchAll(
    /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g,
  )) {
    params[key!.toLowerCase()] = quoted === undefined ? bare! : quoted.replace(/\\(.)/g, '$1');
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

function isLoopbackUrl(url: URL): boolean {
  return (
    url.hostname === 'localhost' ||
    url.hostname === '[::1]' ||
    /^127\.\d+\.\d+\.\d+$/.test(url.hostname)
  );
}

/**
 * One repository on one registry over the OCI distribution API: timeouts, retries with backoff,
 * anonymous or credentialled bearer token exchange, basic auth, and a request counter.
 * Credentials and tokens go only into Authorization headers, never into errors.
 */
export class RegistryClient {
  readonly counter: RequestCounter;
  /** Authorization header values by scope actions, learned from 401 challenges. */
  private readonly authorizations = new Map<string, string>();
  private readonly pendingAuth = new Map<string, Promise<void>>();
  private readonly http: HttpClient;

  constructor(
    readonly baseUrl: string,
    readonly repository: string,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.http = new HttpClient({ ...options, userAgent: 'oci-sd-verify' });
    this.counter = this.http.counter;
  }

  /** `path` is relative to `/v2/<repository>/` unless it is an absolute URL (upload locations). */
  async request(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(`/v2/${this.repository}/${path}`, this.baseUrl);
    const actions = options.actions ?? 'pull';
    // Upload locations may point at other hosts (object storage): credentials stay with the registry.
    if (url.origin !== new URL(this.baseUrl).origin) return this.send(url, options, undefined);
    let authRetried = false;
    for (;;) {
      const sentWith = this.authorization(actions);
      const response = await this.send(url, options, sentWith);
      if (response.status !== 401 || authRetried) return response;
      // One token exchange per 401: a second 401 with a fresh token is the registry's answer.
      authRetried = true;
      if (this.authorization(actions) === sentWith)
        await this.authenticateOnce(
          response.headers.get('www-authenticate'),
          actions,
          `${options.method ?? 'GET'} ${url}`,
        );
    }
  }

  /** Parallel requests that all met a 401 share one token exchange. */
  private authenticateOnce(header: string | null, actions: string, what: string): Promise<void> {
    let pending = this.pendingAuth.get(actions);
    if (!pending) {
      pending = this.authenticate(header, actions, what).finally(() =>
        this.pendingAuth.delete(actions),
      );
      this.pendingAuth.set(actions, pending);
    }
    return pending;
  }

  private authorization(actions: string): string | undefined {
    const token = this.authorizations.get(actions);
    if (token !== undefined) return token;
    const credentials = this.options.credentials;
    if (credentials && 'token' in credentials) return `Bearer ${credentials.token}`;
    return undefined;
  }

  private async authenticate(header: string | null, actions: string, what: string): Promise<void> {
    const challenge = parseChallenge(header ?? '');
    const credentials = this.options.credentials;
    const basic =
      credentials && 'username' in credentials
        ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
        : undefined;
    if (challenge.scheme === 'basic') {
      if (!basic)
        throw new OciError(
          'REGISTRY',
          `${what}: registry requires basic authentication and no credentials were given`,
          { expected: 'username and password', found: 'none' },
        );
      this.authorizations.set(actions, basic);
      return;
    }
    const realm = challenge.params.realm;
    if (challenge.scheme !== 'bearer' || !realm) {
      throw new OciError('REGISTRY', `${what}: 401 without a usable WWW-Authenticate challenge`, {
        expected: 'Bearer realm=...',
        found: challenge.scheme || 'none',
      });
    }
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(realm);
    } catch (error) {
      throw new OciError('REGISTRY', `${what}: token realm is not a URL`, {
        expected: 'an https URL',
        found: realm,
        cause: error,
      });
    }
    if (
      tokenUrl.protocol !== 'https:' &&
      !(tokenUrl.protocol === 'http:' && isLoopbackUrl(tokenUrl))
    ) {
      throw new OciError('REGISTRY', `${what}: token realm must be https`, {
        expected: 'https://...',
        found: tokenUrl.origin,
      });
    }
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', `repository:${this.repository}:${actions}`);
    const response = await this.send(tokenUrl, { maxBodyBytes: 1024 * 1024 }, basic);
    if (response.status !== 200) {
      throw new OciError(
        'REGISTRY',
        `GET ${tokenUrl.origin}${tokenUrl.pathname}: token request answered ${response.status}`,
        { expected: 200, found: response.status },
      );
    }
    let token: unknown;
    try {
      const json = JSON.parse(response.body.toString('utf8')) as {
        token?: unknown;
        access_token?: unknown;
      };
      token = json.token ?? json.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') {
      throw new OciError(
        'REGISTRY',
        `GET ${tokenUrl.origin}${tokenUrl.pathname}: token response has no "token" or "access_token" string`,
        { expected: '{"token": "..."}', found: 'no token' },
      );
    }
    this.authorizations.set(actions, `Bearer ${token}`);
  }

  /** The shared transport's errors, under this package's code: a registry that cannot be read is REGISTRY. */
  private async send(
    url: URL,
    options: RequestOptions,
    authorization: string | undefined,
  ): Promise<HttpResponse> {
    const { actions: _actions, ...request } = options;
    try {
      return await this.http.request(
        url,
        authorization ? { ...request, headers: { ...request.headers, authorization } } : request,
      );
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      throw new OciError('REGISTRY', error.message, {
        expected: error.expected,
        found: error.found,
        cause: error,
      });
    }
  }
}
