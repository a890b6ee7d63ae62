import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError, HttpClient, type FetchFunction } from '@oci-sd/core';
import { TufError } from '../errors';

/** Where the updater reads a repository from: a published site over http(s), or a TUF-on-CI git checkout. */
export interface RepositorySource {
  readonly description: string;
  /** Requests made (http) or files read (checkout) so far: the work a refresh cost. */
  readonly requestCount: number;
  /** Root version N, or undefined when the repository has none (the end of root rotation). */
  fetchRoot(version: number, maxLength: number): Promise<Uint8Array | undefined>;
  /** `version` is set when consistent snapshots name files `<version>.<role>.json`. */
  fetchMetadata(role: string, version: number | undefined, maxLength: number): Promise<Uint8Array>;
  /** `hashPrefix` is set when consistent snapshots name artifacts `<dir>/<hash>.<basename>`. */
  fetchTarget(
    targetPath: string,
    hashPrefix: string | undefined,
    maxLength: number,
    baseUrl?: string,
  ): Promise<Uint8Array>;
}

export type { FetchFunction } from '@oci-sd/core';

export interface HttpSourceOptions {
  metadataBaseUrl: string;
  targetBaseUrl?: string;
  /** Sends the requests instead of node:http(s); timeouts, retries and length caps still apply. */
  fetch?: FetchFunction;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Attempts per request on network errors, 5xx and 429 (default 3). */
  attempts?: number;
  /** First backoff delay in ms, doubled per retry (default 250). */
  backoffMs?: number;
}

/** python's `urllib.parse.quote(name, "")`: how role and target names appear in file names and URLs (as python-tuf writes them). */
export function quoteName(role: string): string {
  return encodeURIComponent(role).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** `<dir>/<hash>.<basename>`, the consistent-snapshot name of an artifact. */
export function hashPrefixedPath(targetPath: string, hashPrefix: string | undefined): string {
  if (hashPrefix === undefined) return targetPath;
  const slash = targetPath.lastIndexOf('/');
  return `${targetPath.slice(0, slash + 1)}${hashPrefix}.${targetPath.slice(slash + 1)}`;
}

export class HttpSource implements RepositorySource {
  readonly description: string;
  private readonly metadataBaseUrl: string;
  private readonly targetBaseUrl: string | undefined;
  private readonly http: HttpClient;

  constructor(options: HttpSourceOptions) {
    for (const [field, url] of [
      ['metadataBaseUrl', options.metadataBaseUrl],
      ['targetBaseUrl', options.targetBaseUrl],
    ] as const) {
      if (url !== undefined && !/^https?:\/\//.test(url)) {
        throw new TufError(
          'INVALID_INPUT',
          `${field} must be an http(s) URL, found ${JSON.stringify(url)}`,
          { expected: 'http(s) URL', found: url },
        );
      }
    }
    this.metadataBaseUrl = withSlash(options.metadataBaseUrl);
    this.targetBaseUrl =
      options.targetBaseUrl === undefined ? undefined : withSlash(options.targetBaseUrl);
    this.description = options.metadataBaseUrl;
    this.http = new HttpClient({
      userAgent: 'oci-sd-tuf',
      retries: (options.attempts ?? 3) - 1,
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      ...(options.backoffMs !== undefined && { backoffMs: options.backoffMs }),
      ...(options.fetch && { fetch: options.fetch }),
    });
  }

  get requestCount(): number {
    return this.http.counter.requests;
  }

  async fetchRoot(version: number, maxLength: number): Promise<Uint8Array | undefined> {
    try {
      return await this.get(`${this.metadataBaseUrl}${version}.root.json`, maxLength);
    } catch (error) {
      if (error instanceof TufError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  fetchMetadata(role: string, version: number | undefined, maxLength: number): Promise<Uint8Array> {
    const name = `${version === undefined ? '' : `${version}.`}${quoteName(role)}.json`;
    return this.get(`${this.metadataBaseUrl}${name}`, maxLength);
  }

  fetchTarget(
    targetPath: string,
    hashPrefix: string | undefined,
    maxLength: number,
    baseUrl?: string,
  ): Promise<Uint8Array> {
    const base = baseUrl === undefined ? this.targetBaseUrl : withSlash(baseUrl);
    if (base === undefined)
      throw new TufError(
        'INVALID_INPUT',
        'no target base URL: pass targetBaseUrl to the Updater or a baseUrl to downloadTarget',
        { expected: 'http(s) URL', found: undefined },
      );
    return this.get(`${base}${hashPrefixedPath(targetPath, hashPrefix)}`, maxLength);
  }

  /** GET with the client's timeout, retries on network errors, 5xx and 429, and a hard length cap while streaming. */
  private async get(url: string, maxLength: number): Promise<Uint8Array> {
    const response = await this.http
      .request(new URL(url), { maxBodyBytes: maxLength })
      .catch((error: unknown) => {
        if (!(error instanceof CoreError)) throw error;
        const code = error.code === 'TOO_LARGE' ? 'LENGTH_MISMATCH' : 'FETCH';
        throw new TufError(code, error.message, {
          expected: error.expected,
          found: error.found,
          cause: error,
        });
      });
    if (response.status >= 200 && response.status < 300) return response.body;
    const details = { expected: 'HTTP 200', found: response.status };
    if (response.status === 404 || response.status === 403)
      throw new TufError('NOT_FOUND', `${url}: HTTP ${response.status}`, details);
    throw new TufError('FETCH', `${url}: HTTP ${response.status}`, details);
  }
}

/**
 * A TUF-on-CI git checkout: `metadata/root_history/<N>.root.json`, unversioned
 * `metadata/<role>.json` (consistent-snapshot versions are checked by the updater
 * against the file's content) and artifacts at `targets/<name>`.
 */
export class CheckoutSource implements RepositorySource {
  readonly description: string;
  requestCount = 0;

  constructor(private readonly repoDir: string) {
    this.description = repoDir;
  }

  async fetchRoot(version: number, maxLength: number): Promise<Uint8Array | undefined> {
    try {
      return await this.read(join('metadata', 'root_history', `${version}.root.json`), maxLength);
    } catch (error) {
      if (error instanceof TufError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  fetchMetadata(
    role: string,
    _version: number | undefined,
    maxLength: number,
  ): Promise<Uint8Array> {
    return this.read(join('metadata', `${quoteName(role)}.json`), maxLength);
  }

  fetchTarget(
    targetPath: string,
    _hashPrefix: string | undefined,
    maxLength: number,
  ): Promise<Uint8Array> {
    const parts = targetPath.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..')) {
      throw new TufError(
        'INVALID_INPUT',
        `target path ${JSON.stringify(targetPath)} has an empty, "." or ".." segment`,
        { expected: 'a relative path', found: targetPath },
      );
    }
    return this.read(join('targets', ...parts), maxLength);
  }

  private async read(relative: string, maxLength: number): Promise<Uint8Array> {
    const path = join(this.repoDir, relative);
    this.requestCount++;
    try {
      const info = await stat(path);
      if (info.size > maxLength) {
        throw new TufError(
          'LENGTH_MISMATCH',
          `${path}: ${info.size} bytes exceed the limit of ${maxLength}`,
          { expected: `<= ${maxLength} bytes`, found: info.size },
        );
      }
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new TufError('NOT_FOUND', `${path}: no such file`, {
          expected: 'a file',
          found: 'nothing',
          cause: error,
        });
      throw error;
    }
  }
}
