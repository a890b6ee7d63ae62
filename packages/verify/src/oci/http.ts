import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { VerificationError } from '../errors';

/** Counts HTTP requests and the sequential round trips among them (the critical path), for benchmarks. */
export class RequestCounter {
  requests = 0;
  /**
   * Length of the longest chain of requests where each started after the previous finished:
   * a request's depth is one more than the deepest request completed before it started.
   * An upper bound on true dependencies, exact for sequential and fully parallel fetches.
   */
  roundTrips = 0;
  private completedDepth = 0;

  /** Call when a request starts; call the returned function when it completes (success or not). */
  start(): () => void {
    this.requests += 1;
    const depth = this.completedDepth + 1;
    this.roundTrips = Math.max(this.roundTrips, depth);
    return () => {
      this.completedDepth = Math.max(this.completedDepth, depth);
    };
  }

  reset(): void {
    this.requests = 0;
    this.roundTrips = 0;
    this.completedDepth = 0;
  }
}

export type RegistryCredentials = { username: string; password: string } | { token: string };

export interface RegistryClientOptions {
  credentials?: RegistryCredentials;
  /** Per attempt, covering connect, headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, 429, timeout or dropped connection. Default 3. */
  retries?: number;
  /** First backoff delay, doubled per attempt (with jitter), capped at 10 s. Default 250 ms. */
  backoffMs?: number;
  /** Share one counter between sources to count a whole verification. */
  counter?: RequestCounter;
  /** Largest response body accepted (manifests are small; blobs are read whole). Default 256 MiB. */
  maxBodyBytes?: number;
}

/** Response headers by name, case-insensitive; repeated headers joined with `, ` (as fetch's Headers). */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method?: 'GET' | 'HEAD' | 'PUT' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
  /** Scope actions for the bearer token: reads need `pull`, writes `pull,push`. */
  actions?: 'pull' | 'pull,push';
  maxBodyBytes?: number;
}

const MAX_BACKOFF_MS = 10_000;

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function retryAfterMs(headers: ResponseHeaders): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Parses `Bearer realm="...",service="...",scope="..."` (and `Basic realm=...`). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  const params: Record<string, string> = {};
  if (!match) return { scheme: '', params };
  for (const [, key, quoted, bare] of match[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[key!.toLowerCase()] = quoted === undefined ? bare! : quoted.replace(/\\(.)/g, '$1');
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

function isLoopbackUrl(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    return (error as Error & { code?: string }).code ?? error.message;
  }
  return String(error);
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
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBodyBytes: number;

  constructor(
    readonly baseUrl: string,
    readonly repository: string,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.counter = options.counter ?? new RequestCounter();
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBodyBytes = options.maxBodyBytes ?? 256 * 1024 * 1024;
  }

  /** `path` is relative to `/v2/<repository>/` unless it is an absolute URL (upload locations). */
  async request(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(`/v2/${this.repository}/${path}`, this.baseUrl);
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
      if (this.authorization(actions) === sentWith) await this.authenticateOnce(response.headers.get('www-authenticate'), actions, `${options.method ?? 'GET'} ${url}`);
    }
  }

  /** Parallel requests that all met a 401 share one token exchange. */
  private authenticateOnce(header: string | null, actions: string, what: string): Promise<void> {
    let pending = this.pendingAuth.get(actions);
    if (!pending) {
      pending = this.authenticate(header, actions, what).finally(() => this.pendingAuth.delete(actions));
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
    const basic = credentials && 'username' in credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    if (challenge.scheme === 'basic') {
      if (!basic) throw new VerificationError('REGISTRY', `${what}: registry requires basic authentication and no credentials were given`, { expected: 'username and password', found: 'none' });
      this.authorizations.set(actions, basic);
      return;
    }
    const realm = challenge.params.realm;
    if (challenge.scheme !== 'bearer' || !realm) {
      throw new VerificationError('REGISTRY', `${what}: 401 without a usable WWW-Authenticate challenge`, { expected: 'Bearer realm=...', found: challenge.scheme || 'none' });
    }
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(realm);
    } catch (error) {
      throw new VerificationError('REGISTRY', `${what}: token realm is not a URL`, { expected: 'an https URL', found: realm, cause: error });
    }
    if (tokenUrl.protocol !== 'https:' && !(tokenUrl.protocol === 'http:' && isLoopbackUrl(tokenUrl))) {
      throw new VerificationError('REGISTRY', `${what}: token realm must be https`, { expected: 'https://...', found: tokenUrl.origin });
    }
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', `repository:${this.repository}:${actions}`);
    const response = await this.send(tokenUrl, { maxBodyBytes: 1024 * 1024 }, basic);
    if (response.status !== 200) {
      throw new VerificationError('REGISTRY', `GET ${tokenUrl.origin}${tokenUrl.pathname}: token request answered ${response.status}`, { expected: 200, found: response.status });
    }
    let token: unknown;
    try {
      const json = JSON.parse(response.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = json.token ?? json.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') {
      throw new VerificationError('REGISTRY', `GET ${tokenUrl.origin}${tokenUrl.pathname}: token response has no "token" or "access_token" string`, { expected: '{"token": "..."}', found: 'no token' });
    }
    this.authorizations.set(actions, `Bearer ${token}`);
  }

  /** One logical request with retries; the body is read inside each attempt so a dropped body is retried too. */
  private async send(url: URL, options: RequestOptions, authorization: string | undefined): Promise<HttpResponse> {
    const method = options.method ?? 'GET';
    const what = `${method} ${url.origin}${url.pathname}`;
    const limit = options.maxBodyBytes ?? this.maxBodyBytes;
    let lastProblem: string;
    for (let attempt = 0; ; attempt += 1) {
      const done = this.counter.start();
      let retryDelay: number | undefined;
      try {
        const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...options.headers };
        if (authorization) headers.authorization = authorization;
        const response = await exchange(url, { method, headers, ...(options.body ? { body: options.body } : {}) }, AbortSignal.timeout(this.timeoutMs), limit, what);
        if (!isRetryableStatus(response.status)) return response;
        lastProblem = `HTTP ${response.status}`;
        retryDelay = retryAfterMs(response.headers);
      } catch (error) {
        if (error instanceof VerificationError) throw error;
        lastProblem = describeError(error);
      } finally {
        done();
      }
      if (attempt >= this.retries) {
        throw new VerificationError('REGISTRY', `${what}: ${lastProblem} after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`, {
          expected: 'a response from the registry',
          found: lastProblem,
        });
      }
      const backoff = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_BACKOFF_MS, retryDelay ?? backoff)));
    }
  }
}

const USER_AGENT = 'oci-sd-verify';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
/** Headers that describe a body, dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location'];

interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * One request over node:http or node:https, redirects followed as fetch's `redirect: 'follow'` does
 * (at most 20; 303, and 301/302 after a POST, become a GET without body; Authorization is not sent
 * to another origin), the body read whole up to `limit`. `signal` bounds the whole exchange.
 * Not fetch: its first call loads undici, which costs a cold `verify release` more CPU than a check.
 */
async function exchange(start: URL, outgoing: Outgoing, signal: AbortSignal, limit: number, what: string): Promise<HttpResponse> {
  let url = start;
  let request = outgoing;
  for (let redirects = 0; ; redirects += 1) {
    const response = await sendOnce(url, request, signal);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) {
      return { status: response.statusCode ?? 0, headers: headerReader(response.headers), body: await readBody(response, signal, limit, what) };
    }
    response.resume();
    if (redirects === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Error(`redirect to a ${next.protocol} URL`);
    const status = response.statusCode;
    const headers = { ...request.headers };
    if (next.origin !== url.origin) delete headers.authorization;
    if ((status === 303 && request.method !== 'HEAD') || ((status === 301 || status === 302) && request.method === 'POST')) {
      for (const name of BODY_HEADERS) delete headers[name];
      request = { method: 'GET', headers };
    } else {
      request = { ...request, headers };
    }
    url = next;
  }
}

function sendOnce(url: URL, { method, headers, body }: Outgoing, signal: AbortSignal): Promise<IncomingMessage> {
  // process.getBuiltinModule, not an import: the ESM facade of node:http reads its lazy undici getters (~35 ms cold).
  const { request } = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    // PUT and POST declare their length, empty or not, as fetch does (registries refuse chunked empty uploads).
    const length = body ? body.length : method === 'PUT' || method === 'POST' ? 0 : undefined;
    const req = request(url, { method, headers: length === undefined ? headers : { ...headers, 'content-length': String(length) } }, (response) => {
      // From here on the body reader owns the timeout.
      signal.removeEventListener('abort', abort);
      resolve(response);
    });
    const abort = () => req.destroy(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    req.on('error', (error) => {
      signal.removeEventListener('abort', abort);
      reject(error);
    });
    req.end(body);
  });
}

function headerReader(headers: IncomingHttpHeaders): ResponseHeaders {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

async function readBody(response: IncomingMessage, signal: AbortSignal, limit: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers['content-length'] ?? NaN);
  if (declared > limit) {
    response.destroy();
    throw new VerificationError('REGISTRY', `${what}: response of ${declared} bytes exceeds the ${limit} byte limit`, { expected: `<= ${limit} bytes`, found: declared });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // The timeout covers the body too: a stalled body ends the attempt as a stalled connect does.
  const abort = () => response.destroy(signal.reason as Error);
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        response.destroy();
        throw new VerificationError('REGISTRY', `${what}: response exceeds the ${limit} byte limit`, { expected: `<= ${limit} bytes`, found: `> ${limit}` });
      }
      chunks.push(chunk);
    }
  } finally {
    signal.removeEventListener('abort', abort);
  }
  // A connection closed before the declared end is a dropped body, never a short one.
  if (!response.complete) throw new Error('connection closed before the end of the body');
  return Buffer.concat(chunks);
}
