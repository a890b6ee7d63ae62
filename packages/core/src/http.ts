import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { CoreError } from './errors';

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

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpClientOptions {
  /** Per attempt, covering connect, headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, 429, timeout or dropped connection. Default 3. */
  retries?: number;
  /** First backoff delay, doubled per attempt (with jitter), capped at 10 s. Default 250 ms. */
  backoffMs?: number;
  /** Share one counter between clients to count a whole operation. */
  counter?: RequestCounter;
  /** Largest response body accepted, unless a request sets its own. Default 256 MiB. */
  maxBodyBytes?: number;
  /** Sent unless the request sets its own. */
  userAgent?: string;
  /** Send each attempt with this fetch instead of node:http(s) (tests, proxies); retries and limits still apply. */
  fetch?: FetchFunction;
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

export interface HttpRequest {
  method?: 'GET' | 'HEAD' | 'PUT' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
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

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    return (error as Error & { code?: string }).code ?? error.message;
  }
  return String(error);
}

/**
 * HTTP requests with a timeout per attempt, retries with backoff on 5xx, 429, timeouts and dropped
 * connections (honouring Retry-After), a body size limit and a request counter. Over node:http(s),
 * not fetch: fetch's first call loads undici, which costs a cold start more CPU than a verification.
 * Errors are CoreError: FETCH when the attempts are spent, TOO_LARGE over the size limit (not
 * retried). They name the method, origin and path only: no query, no credentials.
 */
export class HttpClient {
  readonly counter: RequestCounter;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBodyBytes: number;
  private readonly userAgent: string | undefined;
  private readonly exchange: Exchange;

  constructor(options: HttpClientOptions = {}) {
    this.counter = options.counter ?? new RequestCounter();
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBodyBytes = options.maxBodyBytes ?? 256 * 1024 * 1024;
    this.userAgent = options.userAgent;
    this.exchange = options.fetch ? fetchExchange(options.fetch) : nodeExchange;
  }

  /** One logical request; the body is read inside each attempt so a dropped body is retried too. Non-retryable statuses are returned. */
  async request(url: URL, options: HttpRequest = {}): Promise<HttpResponse> {
    const method = options.method ?? 'GET';
    const what = `${method} ${url.origin}${url.pathname}`;
    const limit = options.maxBodyBytes ?? this.maxBodyBytes;
    const headers: Record<string, string> = {
      ...(this.userAgent && { 'user-agent': this.userAgent }),
      ...options.headers,
    };
    const outgoing: Outgoing = { method, headers, ...(options.body && { body: options.body }) };
    let lastProblem: string;
    for (let attempt = 0; ; attempt += 1) {
      const done = this.counter.start();
      let retryDelay: number | undefined;
      try {
        const response = await this.exchange(
          url,
          outgoing,
          AbortSignal.timeout(this.timeoutMs),
          limit,
          what,
        );
        if (!isRetryableStatus(response.status)) return response;
        lastProblem = `HTTP ${response.status}`;
        retryDelay = retryAfterMs(response.headers);
      } catch (error) {
        if (error instanceof CoreError) throw error;
        lastProblem = describeError(error);
      } finally {
        done();
      }
      if (attempt >= this.retries) {
        throw new CoreError(
          'FETCH',
          `${what}: ${lastProblem} after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`,
          { expected: 'a response', found: lastProblem },
        );
      }
      const backoff =
        Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(MAX_BACKOFF_MS, retryDelay ?? backoff)),
      );
    }
  }
}

interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** One attempt: the response with its body read whole up to `limit`; `signal` bounds all of it. */
type Exchange = (
  url: URL,
  outgoing: Outgoing,
  signal: AbortSignal,
  limit: number,
  what: string,
) => Promise<HttpResponse>;

function limitExceeded(what: string, limit: number, found: number | undefined): CoreError {
  return found === undefined
    ? new CoreError('TOO_LARGE', `${what}: more than the limit of ${limit} bytes`, {
        expected: `<= ${limit} bytes`,
        found: `> ${limit}`,
      })
    : new CoreError('TOO_LARGE', `${what}: ${found} bytes exceed the limit of ${limit}`, {
        expected: `<= ${limit} bytes`,
        found,
      });
}

function fetchExchange(fetchImpl: FetchFunction): Exchange {
  return async (url, { method, headers, body }, signal, limit, what) => {
    const response = await fetchImpl(url.href, {
      method,
      headers,
      signal,
      redirect: 'follow',
      ...(body && { body }),
    });
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > limit) {
      await response.body?.cancel().catch(() => undefined);
      throw limitExceeded(what, limit, declared);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body ?? []) {
      total += chunk.byteLength;
      if (total > limit) {
        await response.body?.cancel().catch(() => undefined);
        throw limitExceeded(what, limit, undefined);
      }
      chunks.push(chunk);
    }
    return {
      status: response.status,
      headers: response.headers,
      body: Buffer.concat(chunks, total),
    };
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
/** Headers that describe a body, dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location'];

/**
 * One request over node:http or node:https, redirects followed as fetch's `redirect: 'follow'` does
 * (at most 20; 303, and 301/302 after a POST, become a GET without body; Authorization is not sent
 * to another origin).
 */
const nodeExchange: Exchange = async (start, outgoing, signal, limit, what) => {
  let url = start;
  let request = outgoing;
  for (let redirects = 0; ; redirects += 1) {
    const response = await sendOnce(url, request, signal);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) {
      return {
        status: response.statusCode ?? 0,
        headers: headerReader(response.headers),
        body: await readBody(response, signal, limit, what),
      };
    }
    response.resume();
    if (redirects === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw new Error(`redirect to a ${next.protocol} URL`);
    const status = response.statusCode;
    const headers = { ...request.headers };
    if (next.origin !== url.origin) delete headers.authorization;
    if (
      (status === 303 && request.method !== 'HEAD') ||
      ((status === 301 || status === 302) && request.method === 'POST')
    ) {
      for (const name of BODY_HEADERS) delete headers[name];
      request = { method: 'GET', headers };
    } else {
      request = { ...request, headers };
    }
    url = next;
  }
};

function sendOnce(
  url: URL,
  { method, headers, body }: Outgoing,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  // process.getBuiltinModule, not an import: the ESM facade of node:http reads its lazy undici getters (~35 ms cold).
  const { request } =
    url.protocol === 'https:'
      ? process.getBuiltinModule('node:https')
      : process.getBuiltinModule('node:http');
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    // PUT and POST declare their length, empty or not, as fetch does (registries refuse chunked empty uploads).
    const length = body ? body.length : method === 'PUT' || method === 'POST' ? 0 : undefined;
    const req = request(
      url,
      {
        method,
        headers: length === undefined ? headers : { ...headers, 'content-length': String(length) },
      },
      (response) => {
        // From here on the body reader owns the timeout.
        signal.removeEventListener('abort', abort);
        resolve(response);
      },
    );
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

async function readBody(
  response: IncomingMessage,
  signal: AbortSignal,
  limit: number,
  what: string,
): Promise<Buffer> {
  const declared = Number(response.headers['content-length'] ?? NaN);
  if (declared > limit) {
    response.destroy();
    throw limitExceeded(what, limit, declared);
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
        throw limitExceeded(what, limit, undefined);
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
