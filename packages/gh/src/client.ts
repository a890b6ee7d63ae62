import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { resolveEndpoints, resolveToken, type GhCliTokenReader } from './config';
import { GitHubError, type GitHubErrorCode } from './errors';
import { redact } from '@oci-sd/core';

type Env = Record<string, string | undefined>;

export interface RequestEvent {
  method: string;
  /** Full URL (tokens never travel in URLs; redacted anyway). */
  url: string;
  /** HTTP status, or undefined when the request failed before an answer (timeout, connection). */
  status: number | undefined;
  durationMs: number;
}

export interface RateLimitEvent {
  kind: 'primary' | 'secondary';
  retryAfterSeconds: number;
  request: string;
  /** Whether the client waits and retries (false: the error surfaces as RATE_LIMITED). */
  retrying: boolean;
}

export interface GitHubClientOptions {
  /** Token; else GH_TOKEN / GITHUB_TOKEN (Enterprise: GH_ENTERPRISE_TOKEN first), else `gh auth token`. */
  token?: string;
  /** REST root; else GITHUB_API_URL, else derived from the server URL, else https://api.github.com. */
  apiUrl?: string;
  /** Web root; else GITHUB_SERVER_URL, else derived from the REST root. */
  serverUrl?: string;
  /** Environment to read (default process.env). */
  env?: Env;
  /** How to ask the gh CLI for a token; false never asks. */
  ghCli?: GhCliTokenReader | false;
  /** Allow running without any token (public reads only). Default false: NO_TOKEN. */
  anonymous?: boolean;
  /** Per attempt (default 30 s); a timed-out attempt counts as a network failure and is retried. */
  requestTimeoutMs?: number;
  /** Retries on 5xx, 429 and network failures (default 3); rate limits get as many waits. */
  retries?: number;
  /** Unit of every wait, in ms (default 1000: backoff of 1, 4, 9 units; `retry-after` seconds). Tests shrink it. */
  backoffUnitMs?: number;
  /** Space between content-creating requests, as GitHub asks (default 1000 ms). */
  minWriteIntervalMs?: number;
  /** Longest primary rate limit reset worth waiting for, in seconds (default 120); longer ones fail. */
  maxRateLimitWaitSeconds?: number;
  /** Called after every HTTP attempt (retries included). */
  onRequest?: (event: RequestEvent) => void;
  /** Called when a rate limit is hit. */
  onRateLimit?: (event: RateLimitEvent) => void;
  /** fetch implementation (default global fetch). */
  fetch?: typeof fetch;
}

/** What a failing call was doing, for messages that say what to do. */
export interface CallContext {
  /** e.g. `create release v1.5.0 in owner/repo` */
  what: string;
  /** The permission the call needs, e.g. `contents: write`. */
  permission?: string;
}

interface RequestErrorLike {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

interface ValidationDetail {
  resource?: string;
  field?: string;
  code?: string;
  message?: string;
}

function validationDetails(data: unknown): ValidationDetail[] {
  const errors = (data as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors)
    ? errors.filter((e): e is ValidationDetail => typeof e === 'object' && e !== null)
    : [];
}

function githubMessage(data: unknown): string | undefined {
  const message = (data as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** The GitHub client every operation uses: retries, rate limits, timeouts, redaction and a request count. */
export class GitHubClient {
  readonly octokit: Octokit;
  readonly apiUrl: string;
  readonly serverUrl: string;
  /** HTTP attempts made (each retry counts). */
  requestCount = 0;
  /** Routes called, as `METHOD /path/{param}` (or the concrete path for later pages); the contract test checks each against GitHub's description. */
  readonly routesUsed = new Set<string>();
  private readonly secrets: string[];

  constructor(
    options: GitHubClientOptions & { apiUrl: string; serverUrl: string; tokenValue?: string },
  ) {
    this.apiUrl = options.apiUrl;
    this.serverUrl = options.serverUrl;
    this.secrets = options.tokenValue ? [options.tokenValue] : [];
    const unit = options.backoffUnitMs ?? 1000;
    const retries = options.retries ?? 3;
    const maxWait = options.maxRateLimitWaitSeconds ?? 120;
    const timeoutMs = options.requestTimeoutMs ?? 30_000;
    const baseFetch = options.fetch ?? fetch;
    const minWrite = options.minWriteIntervalMs ?? 1000;
    const limiterId = `oci-sd-${Math.random().toString(36).slice(2)}`;
    const rateLimited =
      (kind: RateLimitEvent['kind']) =>
      (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        const retrying = retryCount < retries && (kind === 'secondary' || retryAfter <= maxWait);
        options.onRateLimit?.({
          kind,
          retryAfterSeconds: retryAfter,
          request: `${request.method} ${request.url}`,
          retrying,
        });
        return retrying;
      };
    const Client = Octokit.plugin(retry, throttling);
    this.octokit = new Client({
      ...(options.tokenValue ? { auth: options.tokenValue } : {}),
      baseUrl: this.apiUrl,
      userAgent: 'oci-sd-gh',
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      request: {
        fetch: async (url: string | URL, init?: RequestInit) => {
          this.requestCount += 1;
          const started = performance.now();
          const signal = init?.signal
            ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
            : AbortSignal.timeout(timeoutMs);
          const report = (status: number | undefined) =>
            options.onRequest?.({
              method: init?.method ?? 'GET',
              url: this.redact(String(url)),
              status,
              durationMs: performance.now() - started,
            });
          try {
            const response = await baseFetch(url, { ...init, signal });
            report(response.status);
            return response;
          } catch (error) {
            report(undefined);
            throw error;
          }
        },
      },
      // 403/429 rate limits belong to the throttling plugin, which honours retry-after.
      retry: {
        retries,
        retryAfterBaseValue: unit,
        doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451],
      },
      throttle: {
        id: limiterId,
        retryAfterBaseValue: unit,
        fallbackSecondaryRateRetryAfter: 60,
        // Own limiter groups: writes spaced as GitHub asks, configurable instead of a global 1 s/3 s.
        write: new Bottleneck.Group({
          id: `${limiterId}-write`,
          maxConcurrent: 1,
          minTime: minWrite,
        }),
        notifications: new Bottleneck.Group({
          id: `${limiterId}-notifications`,
          maxConcurrent: 1,
          minTime: minWrite,
        }),
        onRateLimit: rateLimited('primary'),
        onSecondaryRateLimit: rateLimited('secondary'),
      },
    });
    const apiPath = new URL(this.apiUrl).pathname.replace(/\/$/, '');
    this.octokit.hook.before('request', (endpoint) => {
      // Templates as written in the source; pagination hands over expanded URLs, kept as their path.
      const url = String(endpoint.url);
      const path = /^https?:/.test(url)
        ? new URL(url).pathname.slice(apiPath.length)
        : url.replace(/\{\?[^}]*\}$/, '');
      this.routesUsed.add(`${endpoint.method} ${path}`);
    });
  }

  /** Removes the token (and known token shapes) from text. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Builds a web link under the server (compare links, run pages). */
  webUrl(path: string): string {
    return `${this.serverUrl}/${path.replace(/^\/+/, '')}`;
  }

  /** Runs one API call, turning every failure into a GitHubError that names the request and says what to do. */
  async call<T>(context: CallContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.explain(error, context);
    }
  }

  /** Translates an Octokit/network failure into a GitHubError (token redacted). */
  explain(error: unknown, context: CallContext): GitHubError {
    if (error instanceof GitHubError) return error;
    if (!isRequestError(error)) {
      const text = this.redact(error instanceof Error ? error.message : String(error));
      return new GitHubError('NETWORK', `${context.what}: ${text}`, { cause: text });
    }
    const request = error.request
      ? this.redact(`${error.request.method ?? ''} ${error.request.url ?? ''}`.trim())
      : undefined;
    const data = error.response?.data;
    const said = this.redact(githubMessage(data) ?? error.message);
    const at = request ? ` (${request})` : '';
    const make = (
      code: GitHubErrorCode,
      advice: string,
      extra: { expected?: unknown; found?: unknown } = {},
    ) =>
      new GitHubError(
        code,
        `${context.what} failed${at}: GitHub answered ${error.status} "${said}". ${advice}`.trim(),
        {
          status: error.status,
          ...(request ? { request } : {}),
          ...extra,
          cause: { status: error.status, message: said },
        },
      );
    const needs = context.permission
      ? `the token needs ${context.permission}`
      : 'the token needs the right scope';
    const details = validationDetails(data);
    switch (error.status) {
      case 401:
        return make(
          'UNAUTHORIZED',
          'The token is missing, expired or revoked: set GH_TOKEN/GITHUB_TOKEN or run `gh auth login`.',
        );
      case 403:
      case 429:
        if (
          /rate limit/i.test(said) ||
          error.status === 429 ||
          error.response?.headers?.['x-ratelimit-remaining'] === '0'
        ) {
          return make(
            'RATE_LIMITED',
            'Rate limit still exceeded after waiting; try again later or use a token with a higher limit.',
            {
              found:
                error.response?.headers?.['retry-after'] ??
                error.response?.headers?.['x-ratelimit-reset'],
            },
          );
        }
        return make(
          'FORBIDDEN',
          `Not allowed: ${needs} (fine-grained token or workflow \`permissions:\`; classic PAT: \`repo\`/\`workflow\`).`,
          context.permission ? { expected: context.permission } : {},
        );
      case 404:
        return make(
          'NOT_FOUND',
          `Check the repository, tag or id; a private repository also answers 404 when ${needs}.`,
        );
      case 405:
        return make(
          'NOT_MERGEABLE',
          'The pull request is not mergeable: resolve conflicts or required reviews/checks, then retry.',
        );
      case 409:
        return make('CONFLICT', 'The resource changed meanwhile; fetch it again and retry.');
      case 422: {
        if (details.some((d) => d.field === 'body' && /too long/i.test(d.message ?? ''))) {
          return make('BODY_TOO_LONG', 'Shorten the release notes to at most 125,000 characters.', {
            expected: '<= 125000 characters',
          });
        }
        if (
          details.some((d) => /immutable release/i.test(d.message ?? '')) ||
          /immutable release/i.test(said)
        ) {
          const burned = details.some((d) => d.field === 'tag_name');
          return burned
            ? make(
                'TAG_BURNED',
                'This tag was used by an immutable release and can never be used again: release a new version instead.',
              )
            : make(
                'IMMUTABLE_RELEASE',
                'Published immutable releases cannot change assets or tag: release a new version instead.',
              );
        }
        const listed = details
          .map((d) => [d.resource, d.field, d.code, d.message].filter(Boolean).join(' '))
          .join('; ');
        return make(
          'UNPROCESSABLE',
          listed
            ? `Validation: ${this.redact(listed)}.`
            : 'GitHub rejected the request as invalid.',
          { found: details },
        );
      }
      default:
        if (error.status >= 500 || error.status === 0)
          return make('NETWORK', 'GitHub kept failing after the retries; try again later.');
        return make('UNPROCESSABLE', 'Unexpected answer from GitHub.');
    }
  }
}

/**
 * Creates a client: endpoints from options or the Actions environment, the token from the
 * option, the environment or `gh auth token`; retries 5xx/429/network with backoff, honours
 * primary and secondary rate limits, times out each attempt.
 */
export async function createGitHubClient(options: GitHubClientOptions = {}): Promise<GitHubClient> {
  const endpoints = resolveEndpoints({
    ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const found = await resolveToken({
    ...(options.token ? { token: options.token } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.ghCli !== undefined ? { ghCli: options.ghCli } : {}),
    endpoints,
  });
  if (!found && !options.anonymous) {
    throw new GitHubError(
      'NO_TOKEN',
      `No GitHub token for ${endpoints.apiUrl}: pass --token, set GH_TOKEN or GITHUB_TOKEN, or run \`gh auth login\`.`,
      {
        expected: 'a token from the option, GH_TOKEN, GITHUB_TOKEN or gh auth token',
        found: 'none',
      },
    );
  }
  return new GitHubClient({
    ...options,
    ...endpoints,
    ...(found ? { tokenValue: found.token } : {}),
  });
}
