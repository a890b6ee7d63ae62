import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadContract, type MatchedOperation } from './openapi';
import type { ImplementedOperation } from './operations';
import * as rep from './representations';
import type { Urls } from './representations';
import { GitHubState, type Attestation, type Release, type Repo } from './state';

/** The API version GitHub's description (and this server) speaks. */
export const GITHUB_API_VERSION = '2022-11-28';

/** GitHub refuses release bodies longer than this. */
export const RELEASE_BODY_LIMIT = 125_000;

const DOCS = 'https://docs.github.com/rest';

/** Where REST and uploads live under the server's origin: GitHub.com style, or Enterprise Server's. */
const LAYOUTS = {
  dotcom: { api: '', uploads: '/uploads' },
  enterprise: { api: '/api/v3', uploads: '/api/uploads' },
} as const;

/**
 * Where asset bytes are served, outside the API (GitHub.com: a short-lived URL on
 * release-assets.githubusercontent.com that `GET …/releases/assets/{id}` with
 * `Accept: application/octet-stream` redirects to).
 */
const OBJECTS_PATH = '/objects';

export interface RequestMatcher {
  method?: string;
  /** e.g. `repos/create-release` */
  operationId?: string;
  /** Substring or pattern of the request path (without query). */
  path?: string | RegExp;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  operationId: string | undefined;
  status: number;
  /** The fault that shaped this answer, if any. */
  fault?: string;
}

export interface GitHubApiServerOptions {
  /** When set, requests must carry this token (`Authorization: token|Bearer …`); others get 401. */
  token?: string;
  /** Clock for every timestamp the server writes. */
  now?: () => Date;
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /**
   * Serve like GitHub Enterprise Server: REST under `/api/v3`, uploads under `/api/uploads`, web
   * pages at the origin (default false: REST at the origin, uploads under `/uploads`).
   */
  enterprise?: boolean;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: { resource: string; field: string; code: string; message?: string }[],
  ) {
    super(message);
  }
}

interface Fault {
  match: RequestMatcher;
  remaining: number;
  label: string;
  answer?: Answer;
  /** The request takes effect before the fault answer replaces the real one (a lost answer). */
  landed?: boolean;
  delayMs?: number;
}

function matches(
  m: RequestMatcher,
  method: string,
  path: string,
  operationId: string | undefined,
): boolean {
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.operationId && m.operationId !== operationId) return false;
  if (m.path && !(typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path)))
    return false;
  return true;
}

function errorBody(
  status: number,
  message: string,
  errors?: HttpError['errors'],
): Record<string, unknown> {
  return {
    message,
    documentation_url: DOCS,
    status: String(status),
    ...(errors ? { errors } : {}),
  };
}

/** Fault injection: the next matching requests fail, are throttled or slowed. */
export class Faults {
  private readonly queue: Fault[] = [];
  /** Answer dispatches 204 (no run details) even when `return_run_details` is asked, like older servers. */
  dispatchWithoutRunDetails = false;

  /**
   * The next `times` matching requests answer `status` (default 502 Bad Gateway). With `landed`,
   * each request still takes effect and only its answer is lost, as when a proxy fails late.
   */
  fail(
    options: {
      status?: number;
      times?: number;
      match?: RequestMatcher;
      message?: string;
      headers?: Record<string, string>;
      landed?: boolean;
    } = {},
  ): void {
    const status = options.status ?? 502;
    this.queue.push({
      match: options.match ?? {},
      remaining: options.times ?? 1,
      label: `status ${status}${options.landed ? ' after the request landed' : ''}`,
      answer: {
        status,
        body: errorBody(
          status,
          options.message ?? (status === 502 ? 'Server Error' : 'Fault injected'),
        ),
        headers: options.headers ?? {},
      },
      ...(options.landed ? { landed: true } : {}),
    });
  }

  /** GitHub's secondary rate limit: 403 (or 429) with `retry-after` seconds. */
  secondaryRateLimit(
    options: {
      retryAfter?: number;
      times?: number;
      status?: 403 | 429;
      match?: RequestMatcher;
    } = {},
  ): void {
    const status = options.status ?? 403;
    this.fail({
      status,
      times: options.times ?? 1,
      ...(options.match ? { match: options.match } : {}),
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': String(options.retryAfter ?? 1), 'x-ratelimit-remaining': '4999' },
    });
  }

  /** The next `times` matching requests are answered after `ms` milliseconds. */
  slow(options: { ms: number; times?: number; match?: RequestMatcher }): void {
    this.queue.push({
      match: options.match ?? {},
      remaining: options.times ?? 1,
      label: `slow ${options.ms}ms`,
      delayMs: options.ms,
    });
  }

  clear(): void {
    this.queue.length = 0;
    this.dispatchWithoutRunDetails = false;
  }

  /** Takes the faults that apply to this request (a delay and/or an answer). */
  take(method: string, path: string, operationId: string | undefined): Fault[] {
    const taken: Fault[] = [];
    for (const fault of this.queue) {
      if (fault.remaining <= 0 || !matches(fault.match, method, path, operationId)) continue;
      if (taken.some((t) => (t.answer && fault.answer) || (t.delayMs && fault.delayMs))) continue;
      fault.remaining -= 1;
      taken.push(fault);
    }
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.remaining <= 0) this.queue.splice(i, 1);
    return taken;
  }
}

export interface GitHubApiServer {
  /** REST root, like `https://api.github.com` (Enterprise: `http://127.0.0.1:PORT/api/v3`). */
  url: string;
  /** Uploads root, like `https://uploads.github.com` (Enterprise: `…/api/uploads`). */
  uploadsUrl: string;
  /** Web root for html_url links, like `https://github.com` (the origin). */
  webUrl: string;
  state: GitHubState;
  faults: Faults;
  /** Every request answered, in order. */
  requests: RequestRecord[];
  /** The operationIds this server implements. */
  operations: readonly string[];
  /** Requests or responses that do not fit GitHub's OpenAPI description. Tests assert this stays empty. */
  violations: string[];
  /** How many requests matched (all requests without a matcher). */
  count(match?: RequestMatcher): number;
  /** Calls `listener` after each answer (e.g. to move the world along between a client's polls); returns an unsubscribe function. */
  onRequest(listener: (record: RequestRecord) => void): () => void;
  /** Throws when any violation was recorded, listing them. */
  assertNoViolations(): void;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function paginate<T>(
  items: T[],
  query: URLSearchParams,
  baseUrl: string,
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Number(query.get('per_page') ?? 30) || 30, 100);
  const pageNo = Math.max(Number(query.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const page = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  if (last === 1) return { page, headers: {} };
  const at = (n: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(n));
    q.set('per_page', String(perPage));
    return `<${baseUrl}?${q}>`;
  };
  const rels = [
    pageNo < last ? `${at(pageNo + 1)}; rel="next"` : '',
    `${at(last)}; rel="last"`,
    pageNo > 1 ? `${at(pageNo - 1)}; rel="prev"` : '',
    `${at(1)}; rel="first"`,
  ];
  return { page, headers: { link: rels.filter(Boolean).join(', ') } };
}

type Handler = (ctx: Context) => Answer | Promise<Answer>;

interface Context {
  repo: Repo;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  raw: Buffer;
  headers: IncomingMessage['headers'];
  requestUrl: string;
}

/**
 * Starts a stateful GitHub REST API on 127.0.0.1 (a free port unless given). Every request and
 * every response is checked against GitHub's official OpenAPI description; misfits land in `violations`.
 */
export async function startGitHubApiServer(
  options: GitHubApiServerOptions = {},
): Promise<GitHubApiServer> {
  const contract = loadContract();
  const state = new GitHubState(options.now);
  const faults = new Faults();
  const requests: RequestRecord[] = [];
  const requestListeners: ((record: RequestRecord) => void)[] = [];
  const violations: string[] = [];
  const urls: Urls = { api: '', web: '', uploads: '' };
  const layout = options.enterprise ? LAYOUTS.enterprise : LAYOUTS.dotcom;

  const findRelease = (repo: Repo, id: string): Release => {
    const release = repo.releases.find((r) => String(r.id) === id);
    if (!release) throw new HttpError(404, 'Not Found');
    return release;
  };

  /** Publishing makes the tag (at the target) and, with immutable releases, freezes the release and burns the tag. */
  const publish = (repo: Repo, release: Release): void => {
    if (repo.burnedTags.has(release.tagName)) {
      throw new HttpError(422, 'Validation Failed', [
        {
          resource: 'Release',
          field: 'tag_name',
          code: 'custom',
          message: 'tag_name was used by an immutable release',
        },
      ]);
    }
    if (repo.releases.some((r) => r !== release && !r.draft && r.tagName === release.tagName)) {
      throw new HttpError(422, 'Validation Failed', [
        { resource: 'Release', field: 'tag_name', code: 'already_exists' },
      ]);
    }
    if (!repo.tags.has(release.tagName)) {
      const sha = state.resolve(repo, release.targetCommitish);
      if (!sha)
        throw new HttpError(422, 'Validation Failed', [
          { resource: 'Release', field: 'target_commitish', code: 'invalid' },
        ]);
      repo.tags.set(release.tagName, sha);
    }
    release.draft = false;
    release.publishedAt = state.now();
    if (repo.immutableReleases) {
      release.immutable = true;
      repo.burnedTags.add(release.tagName);
    }
    state.emit({ type: 'release.published', repo, release });
  };

  const findAsset = (
    repo: Repo,
    id: string,
  ): { release: Release; asset: Release['assets'][number] } => {
    for (const release of repo.releases) {
      const asset = release.assets.find((a) => String(a.id) === id);
      if (asset) return { release, asset };
    }
    throw new HttpError(404, 'Not Found');
  };

  const checkReleaseBody = (body: unknown): void => {
    if (typeof body === 'string' && body.length > RELEASE_BODY_LIMIT) {
      throw new HttpError(422, 'Validation Failed', [
        {
          resource: 'Release',
          field: 'body',
          code: 'custom',
          message: `body is too long (maximum is ${RELEASE_BODY_LIMIT} characters)`,
        },
      ]);
    }
  };

  const pull = (repo: Repo, number: string) => {
    const found = repo.pulls.find((p) => String(p.number) === number);
    if (!found) throw new HttpError(404, 'Not Found');
    return found;
  };

  const handlers: Record<ImplementedOperation, Handler> = {
    'repos/get': ({ repo }) => ({ status: 200, body: rep.fullRepository(urls, repo) }),

    'repos/get-commit': ({ repo, params }) => {
      const sha = state.resolve(repo, params.ref!);
      const commit = sha ? repo.commits.get(sha) : undefined;
      if (!commit) throw new HttpError(422, `No commit found for SHA: ${params.ref}`);
      return { status: 200, body: rep.commit(urls, repo, commit) };
    },

    'git/get-ref': ({ repo, params }) => {
      const ref = params.ref!;
      const sha = /^(heads|tags)\//.test(ref) ? state.resolve(repo, ref) : undefined;
      if (!sha) throw new HttpError(404, 'Not Found');
      return { status: 200, body: rep.gitRef(urls, repo, `refs/${ref}`, sha) };
    },

    'git/create-ref': ({ repo, body }) => {
      const ref = String(body.ref);
      const sha = String(body.sha);
      const m = /^refs\/(heads|tags)\/(.+)$/.exec(ref);
      if (!m) throw new HttpError(422, 'Reference name must start with refs/heads/ or refs/tags/');
      if (!repo.commits.has(sha)) throw new HttpError(422, 'Object does not exist');
      const map = m[1] === 'heads' ? repo.branches : repo.tags;
      if (map.has(m[2]!)) throw new HttpError(422, 'Reference already exists');
      map.set(m[2]!, sha);
      return { status: 201, body: rep.gitRef(urls, repo, ref, sha) };
    },

    // GitHub reads the subjects and predicate type from the bundle's DSSE in-toto statement and
    // refuses a bundle it cannot read that way (422).
    'repos/create-attestation': ({ repo, body }) => {
      const bundle = body.bundle as Record<string, unknown>;
      const statement = inTotoStatement(bundle);
      const attestation: Attestation = {
        id: state.id(),
        bundle,
        subjectDigests: statement.subjects,
        predicateType: statement.predicateType,
      };
      repo.attestations.push(attestation);
      return { status: 201, body: { id: attestation.id } };
    },

    'repos/list-attestations': ({ repo, params, query, requestUrl }) => {
      const digest = params.subject_digest!;
      const predicateType = query.get('predicate_type') ?? undefined;
      const found = repo.attestations.filter(
        (a) =>
          a.subjectDigests.includes(digest) &&
          (predicateType === undefined || a.predicateType === predicateType),
      );
      if (found.length === 0) throw new HttpError(404, 'Not Found');
      const { page, headers } = paginate(found, query, requestUrl);
      return {
        status: 200,
        body: {
          attestations: page.map((a) => ({ bundle: a.bundle, repository_id: repo.id })),
        },
        headers,
      };
    },

    'repos/list-releases': ({ repo, query, requestUrl }) => {
      const newestFirst = [...repo.releases].reverse();
      const { page, headers } = paginate(newestFirst, query, requestUrl);
      return { status: 200, body: page.map((r) => rep.release(urls, repo, r)), headers };
    },

    'repos/create-release': ({ repo, body }) => {
      checkReleaseBody(body.body);
      const tagName = String(body.tag_name);
      const release: Release = {
        id: state.id(),
        tagName,
        targetCommitish:
          typeof body.target_commitish === 'string' ? body.target_commitish : repo.defaultBranch,
        name: typeof body.name === 'string' ? body.name : tagName,
        body: typeof body.body === 'string' ? body.body : null,
        draft: body.draft === true,
        prerelease: body.prerelease === true,
        immutable: false,
        makeLatest: (body.make_latest as Release['makeLatest'] | undefined) ?? 'true',
        createdAt: state.now(),
        updatedAt: state.now(),
        publishedAt: null,
        assets: [],
      };
      if (!repo.tags.has(tagName) && !state.resolve(repo, release.targetCommitish)) {
        throw new HttpError(422, 'Validation Failed', [
          { resource: 'Release', field: 'target_commitish', code: 'invalid' },
        ]);
      }
      if (!release.draft) publish(repo, release);
      repo.releases.push(release);
      return {
        status: 201,
        body: rep.release(urls, repo, release),
        headers: {
          location: `${urls.api}/repos/${repo.owner}/${repo.name}/releases/${release.id}`,
        },
      };
    },

    'repos/get-release': ({ repo, params }) => ({
      status: 200,
      body: rep.release(urls, repo, findRelease(repo, params.release_id!)),
    }),

    'repos/get-release-by-tag': ({ repo, params }) => {
      // Drafts have no tag: GitHub never returns them here.
      const release = repo.releases.find((r) => !r.draft && r.tagName === params.tag);
      if (!release) throw new HttpError(404, 'Not Found');
      return { status: 200, body: rep.release(urls, repo, release) };
    },

    'repos/get-latest-release': ({ repo }) => {
      const published = repo.releases.filter(
        (r) => !r.draft && !r.prerelease && r.makeLatest !== 'false',
      );
      const latest = published.at(-1);
      if (!latest) throw new HttpError(404, 'Not Found');
      return { status: 200, body: rep.release(urls, repo, latest) };
    },

    'repos/update-release': ({ repo, params, body }) => {
      const release = findRelease(repo, params.release_id!);
      checkReleaseBody(body.body);
      if (
        release.immutable &&
        ((body.tag_name !== undefined && body.tag_name !== release.tagName) || body.draft === true)
      ) {
        throw new HttpError(422, 'Validation Failed', [
          {
            resource: 'Release',
            field: 'tag_name',
            code: 'custom',
            message: 'Cannot modify the tag of an immutable release',
          },
        ]);
      }
      if (typeof body.tag_name === 'string') release.tagName = body.tag_name;
      if (typeof body.target_commitish === 'string')
        release.targetCommitish = body.target_commitish;
      if (typeof body.name === 'string') release.name = body.name;
      if (typeof body.body === 'string') release.body = body.body;
      if (typeof body.prerelease === 'boolean') release.prerelease = body.prerelease;
      if (typeof body.make_latest === 'string')
        release.makeLatest = body.make_latest as Release['makeLatest'];
      release.updatedAt = state.now();
      if (body.draft === false && release.draft) publish(repo, release);
      return { status: 200, body: rep.release(urls, repo, release) };
    },

    'repos/delete-release': ({ repo, params }) => {
      const release = findRelease(repo, params.release_id!);
      repo.releases.splice(repo.releases.indexOf(release), 1);
      return { status: 204 };
    },

    'repos/list-release-assets': ({ repo, params, query, requestUrl }) => {
      const release = findRelease(repo, params.release_id!);
      const { page, headers } = paginate(release.assets, query, requestUrl);
      return { status: 200, body: page.map((a) => rep.asset(urls, repo, a, release)), headers };
    },

    'repos/upload-release-asset': ({ repo, params, query, raw, headers }) => {
      const release = findRelease(repo, params.release_id!);
      const name = query.get('name')!;
      if (release.immutable)
        throw new HttpError(422, 'Cannot upload assets to an immutable release.');
      if (release.assets.some((a) => a.name === name)) {
        throw new HttpError(422, 'Validation Failed', [
          { resource: 'ReleaseAsset', field: 'name', code: 'already_exists' },
        ]);
      }
      const contentType = headers['content-type'];
      if (!contentType) throw new HttpError(422, 'Content-Type header is required');
      if (headers['content-length'] !== String(raw.length))
        throw new HttpError(422, `Content-Length must be ${raw.length}`);
      const asset = {
        id: state.id(),
        name,
        label: query.get('label'),
        contentType,
        bytes: raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        createdAt: state.now(),
      };
      release.assets.push(asset);
      return { status: 201, body: rep.asset(urls, repo, asset, release) };
    },

    'repos/get-release-asset': ({ repo, params, headers }) => {
      const { release, asset } = findAsset(repo, params.asset_id!);
      // Asked for the bytes, GitHub.com answers 302 to the object URL (clients must follow it).
      if (/application\/octet-stream/i.test(headers.accept ?? '')) {
        return {
          status: 302,
          headers: {
            location: `${urls.web}${OBJECTS_PATH}/${repo.owner}/${repo.name}/${asset.id}/${encodeURIComponent(asset.name)}`,
          },
        };
      }
      return { status: 200, body: rep.asset(urls, repo, asset, release) };
    },

    'repos/delete-release-asset': ({ repo, params }) => {
      const { release, asset } = findAsset(repo, params.asset_id!);
      release.assets.splice(release.assets.indexOf(asset), 1);
      return { status: 204 };
    },

    'pulls/list': ({ repo, query, requestUrl }) => {
      const wantState = query.get('state') ?? 'open';
      const head = query.get('head');
      const base = query.get('base');
      const pulls = [...repo.pulls].reverse().filter((p) => {
        if (wantState !== 'all' && p.state !== wantState) return false;
        // `head` is `OWNER:BRANCH`; a bare branch matches nothing, as on GitHub.
        if (head && `${repo.owner}:${p.head}` !== head) return false;
        return !base || p.base === base;
      });
      const { page, headers } = paginate(pulls, query, requestUrl);
      return { status: 200, body: page.map((p) => rep.pullRequest(urls, repo, p)), headers };
    },

    'pulls/create': ({ repo, body }) => {
      const head = String(body.head).replace(/^[^:]+:/, '');
      const base = String(body.base);
      const headSha = repo.branches.get(head);
      const baseSha = repo.branches.get(base);
      if (!headSha)
        throw new HttpError(422, 'Validation Failed', [
          { resource: 'PullRequest', field: 'head', code: 'invalid' },
        ]);
      if (!baseSha)
        throw new HttpError(422, 'Validation Failed', [
          { resource: 'PullRequest', field: 'base', code: 'invalid' },
        ]);
      if (repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
        throw new HttpError(422, 'Validation Failed', [
          {
            resource: 'PullRequest',
            field: 'head',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner}:${head}.`,
          },
        ]);
      }
      if (headSha === baseSha)
        throw new HttpError(422, 'Validation Failed', [
          {
            resource: 'PullRequest',
            field: 'head',
            code: 'custom',
            message: `No commits between ${base} and ${head}`,
          },
        ]);
      const pr = {
        id: state.id(),
        number: repo.pulls.length + 1,
        title: String(body.title ?? head),
        body: typeof body.body === 'string' ? body.body : null,
        head,
        headSha,
        base,
        baseSha,
        state: 'open' as const,
        createdAt: state.now(),
        updatedAt: state.now(),
        closedAt: null,
        mergedAt: null,
        mergeCommitSha: null,
        mergeable: true,
        computing: true,
      };
      repo.pulls.push(pr);
      state.emit({ type: 'pull.opened', repo, pull: pr });
      return {
        status: 201,
        body: rep.pullRequest(urls, repo, pr, null),
        headers: { location: `${urls.api}/repos/${repo.owner}/${repo.name}/pulls/${pr.number}` },
      };
    },

    'pulls/get': ({ repo, params }) => {
      const pr = pull(repo, params.pull_number!);
      // The first look after a change sees GitHub still computing; the next sees the result.
      const shown = pr.state === 'closed' ? null : pr.computing ? null : pr.mergeable;
      pr.computing = false;
      return { status: 200, body: rep.pullRequest(urls, repo, pr, shown) };
    },

    'pulls/merge': ({ repo, params, body }) => {
      const pr = pull(repo, params.pull_number!);
      if (pr.state !== 'open' || !pr.mergeable)
        throw new HttpError(405, 'Pull Request is not mergeable');
      if (typeof body.sha === 'string' && body.sha !== pr.headSha)
        throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
      const sha = state.commit(
        repo,
        pr.base,
        typeof body.commit_title === 'string'
          ? body.commit_title
          : `Merge pull request #${pr.number} from ${repo.owner}/${pr.head}`,
      );
      pr.state = 'closed';
      pr.mergedAt = pr.closedAt = pr.updatedAt = state.now();
      pr.mergeCommitSha = sha;
      state.emit({ type: 'pull.merged', repo, pull: pr });
      return {
        status: 200,
        body: { sha, merged: true, message: 'Pull Request successfully merged' },
      };
    },

    'checks/list-for-ref': ({ repo, params, query }) => {
      const sha = state.resolve(repo, params.ref!);
      if (!sha) throw new HttpError(422, `No commit found for SHA: ${params.ref}`);
      const name = query.get('check_name');
      const status = query.get('status');
      let runs = repo.checkRuns.filter(
        (c) => c.headSha === sha && (!name || c.name === name) && (!status || c.status === status),
      );
      if ((query.get('filter') ?? 'latest') === 'latest')
        runs = runs.filter((c) => !runs.some((o) => o.name === c.name && o.id > c.id));
      runs = [...runs].reverse();
      const { page } = paginate(runs, query, '');
      return {
        status: 200,
        body: {
          total_count: runs.length,
          check_runs: page.map((c) => rep.checkRun(urls, repo, c)),
        },
      };
    },

    'actions/create-workflow-dispatch': ({ repo, params, body }) => {
      const workflow = state.workflow(repo, params.workflow_id!);
      if (!workflow) throw new HttpError(404, 'Not Found');
      const ref = String(body.ref).replace(/^refs\/(heads|tags)\//, '');
      const headSha = state.resolve(repo, ref);
      if (!headSha) throw new HttpError(422, `No ref found for: ${body.ref}`);
      const run = state.startRun(repo, workflow.path.split('/').pop()!, {
        event: 'workflow_dispatch',
        headBranch: ref,
        headSha,
        inputs: (body.inputs as Record<string, unknown> | undefined) ?? {},
      });
      state.emit({ type: 'workflow.dispatched', repo, workflow, run });
      if (body.return_run_details !== true || faults.dispatchWithoutRunDetails)
        return { status: 204 };
      const runBody = rep.workflowRun(urls, repo, workflow, run);
      return {
        status: 200,
        body: { workflow_run_id: run.id, run_url: runBody.url, html_url: runBody.html_url },
      };
    },

    'actions/list-workflow-runs': ({ repo, params, query, requestUrl }) => {
      const workflow = state.workflow(repo, params.workflow_id!);
      if (!workflow) throw new HttpError(404, 'Not Found');
      const created = query.get('created');
      const since = created?.startsWith('>=') ? created.slice(2) : undefined;
      const status = query.get('status');
      const runs = [...repo.runs]
        .reverse()
        .filter(
          (r) =>
            r.workflowId === workflow.id &&
            (!query.get('event') || r.event === query.get('event')) &&
            (!query.get('branch') || r.headBranch === query.get('branch')) &&
            (!query.get('head_sha') || r.headSha === query.get('head_sha')) &&
            (!status || r.status === status || r.conclusion === status) &&
            (!since || r.createdAt >= since),
        );
      const { page, headers } = paginate(runs, query, requestUrl);
      return {
        status: 200,
        body: {
          total_count: runs.length,
          workflow_runs: page.map((r) => rep.workflowRun(urls, repo, workflow, r)),
        },
        headers,
      };
    },

    'actions/get-workflow-run': ({ repo, params }) => {
      const run = repo.runs.find((r) => String(r.id) === params.run_id);
      const workflow = run && repo.workflows.find((w) => w.id === run.workflowId);
      if (!run || !workflow) throw new HttpError(404, 'Not Found');
      return { status: 200, body: rep.workflowRun(urls, repo, workflow, run) };
    },
  };

  // Slow answers end early when the client hangs up or the server stops, so nothing outlives a test.
  const pendingPauses = new Set<() => void>();
  const pause = (ms: number, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pendingPauses.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingPauses.add(done);
      res.once('close', done);
    });

  const log = (record: RequestRecord, status: number): void => {
    record.status = status;
    requests.push(record);
    for (const listener of [...requestListeners]) listener(record);
  };

  const send = (
    res: ServerResponse,
    record: RequestRecord,
    answer: Answer,
    match: MatchedOperation | undefined,
  ): void => {
    if (match)
      for (const problem of contract.checkResponse(match.operation, answer.status, answer.body))
        violations.push(`response ${record.method} ${record.path} -> ${answer.status}: ${problem}`);
    log(record, answer.status);
    const headers: Record<string, string> = {
      'x-github-api-version-selected': GITHUB_API_VERSION,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...answer.headers,
    };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    const text = JSON.stringify(answer.body);
    res
      .writeHead(answer.status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
      })
      .end(text);
  };

  /** An asset's bytes at its object URL: no API, no token (the URL is the credential), faults apply. */
  const serveObject = async (res: ServerResponse, record: RequestRecord): Promise<void> => {
    const taken = faults.take(record.method, record.path, undefined);
    const delay = taken.find((f) => f.delayMs)?.delayMs;
    if (delay) await pause(delay, res);
    const failure = taken.find((f) => f.answer);
    const [owner = '', name = '', id = ''] = record.path.slice(OBJECTS_PATH.length + 1).split('/');
    const repo = state.repos.get(`${owner}/${name}`.toLowerCase());
    const found =
      record.method === 'GET' && repo
        ? repo.releases.flatMap((r) => r.assets).find((a) => String(a.id) === id)
        : undefined;
    if (failure?.answer || !found) {
      if (failure) record.fault = failure.label;
      const status = failure?.answer?.status ?? 404;
      log(record, status);
      res
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(failure ? 'fault injected' : 'Not Found');
      return;
    }
    log(record, 200);
    res
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(found.bytes.length),
      })
      .end(found.bytes);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const full = new URL(req.url ?? '/', urls.web);
    const onUploads = full.pathname.startsWith(`${layout.uploads}/`);
    const onApi = layout.api === '' || full.pathname.startsWith(`${layout.api}/`);
    const path = onUploads
      ? full.pathname.slice(layout.uploads.length)
      : full.pathname.slice(layout.api.length);
    const record: RequestRecord = {
      method,
      path: full.pathname,
      query: full.search,
      operationId: undefined,
      status: 0,
    };
    const raw = await readBody(req);
    if (full.pathname.startsWith(`${OBJECTS_PATH}/`)) return serveObject(res, record);
    const match = onUploads || onApi ? contract.match(method, path) : undefined;
    if (!match?.operation) {
      const indexed = match?.operationId;
      record.operationId = indexed;
      violations.push(
        `request ${method} ${full.pathname}: ${indexed ? `${indexed} is in the description but this test server does not implement it` : 'no such operation in the OpenAPI description'}`,
      );
      send(res, record, { status: 404, body: errorBody(404, 'Not Found') }, undefined);
      return;
    }
    const operationId = match.operation.operationId;
    record.operationId = operationId;
    const isUpload = operationId === 'repos/upload-release-asset';
    if (isUpload !== onUploads)
      violations.push(
        `request ${method} ${full.pathname}: ${isUpload ? 'uploads go to the uploads URL (upload_url)' : 'only uploads use the uploads URL'}`,
      );

    const taken = faults.take(method, path, operationId);
    const delay = taken.find((f) => f.delayMs)?.delayMs;
    if (delay) await pause(delay, res);

    const authorization = req.headers.authorization ?? '';
    if (
      options.token !== undefined &&
      authorization.replace(/^(token|bearer)\s+/i, '') !== options.token
    ) {
      send(res, record, { status: 401, body: errorBody(401, 'Bad credentials') }, match);
      return;
    }

    let body: unknown;
    const contentType = req.headers['content-type'];
    if (raw.length && !isUpload) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        violations.push(`request ${method} ${full.pathname}: body is not JSON`);
        send(
          res,
          record,
          { status: 400, body: errorBody(400, 'Problems parsing JSON') },
          undefined,
        );
        return;
      }
    }
    const problems = contract.checkRequest(match, full.searchParams, contentType, body);
    if (problems.length) {
      for (const problem of problems)
        violations.push(`request ${method} ${full.pathname}: ${problem}`);
      send(
        res,
        record,
        { status: 422, body: errorBody(422, `Invalid request.\n\n${problems.join('\n')}`) },
        match,
      );
      return;
    }

    const failure = taken.find((f) => f.answer);
    if (failure?.answer && !failure.landed) {
      record.fault = failure.label;
      send(res, record, failure.answer, match);
      return;
    }

    // The description details exactly the implemented operations (test/trimmed-description.test.ts).
    const handler = handlers[operationId as ImplementedOperation];
    const { owner, repo: repoName } = match.pathParams;
    const repo =
      owner && repoName ? state.repos.get(`${owner}/${repoName}`.toLowerCase()) : undefined;
    if (!repo) {
      send(res, record, { status: 404, body: errorBody(404, 'Not Found') }, match);
      return;
    }
    try {
      let answer = await handler({
        repo,
        params: match.pathParams,
        query: full.searchParams,
        body: (body ?? {}) as Record<string, unknown>,
        raw,
        headers: req.headers,
        requestUrl: `${urls.web}${full.pathname}`,
      });
      if (failure?.answer) {
        record.fault = failure.label;
        answer = failure.answer;
      }
      send(res, record, answer, match);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      send(
        res,
        record,
        { status: error.status, body: errorBody(error.status, error.message, error.errors) },
        match,
      );
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violations.push(
        `server error on ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}`,
      );
      if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify(errorBody(500, 'test server error')));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  urls.web = `http://127.0.0.1:${port}`;
  urls.api = `${urls.web}${layout.api}`;
  urls.uploads = `${urls.web}${layout.uploads}`;

  return {
    url: urls.api,
    uploadsUrl: urls.uploads,
    webUrl: urls.web,
    operations: Object.keys(handlers),
    state,
    faults,
    requests,
    violations,
    count: (match = {}) =>
      requests.filter((r) => matches(match, r.method, r.path, r.operationId)).length,
    onRequest: (listener) => {
      requestListeners.push(listener);
      return () => void requestListeners.splice(requestListeners.indexOf(listener), 1);
    },
    assertNoViolations: () => {
      if (violations.length)
        throw new Error(
          `GitHub API test server: ${violations.length} OpenAPI violation(s):\n${violations.join('\n')}`,
        );
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const done of [...pendingPauses]) done();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The subjects (`sha256:<hex>`) and predicate type of a bundle's DSSE in-toto statement; 422 otherwise. */
function inTotoStatement(bundle: Record<string, unknown>): {
  subjects: string[];
  predicateType: string;
} {
  const invalid = (message: string) =>
    new HttpError(422, 'Validation Failed', [
      { resource: 'Attestation', field: 'bundle', code: 'invalid', message },
    ]);
  const envelope = bundle.dsseEnvelope as { payload?: unknown; payloadType?: unknown } | undefined;
  if (typeof envelope?.payload !== 'string' || envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    throw invalid(`bundle.dsseEnvelope must hold an ${IN_TOTO_PAYLOAD_TYPE} payload`);
  let statement: { subject?: unknown; predicateType?: unknown };
  try {
    statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  } catch {
    throw invalid('bundle.dsseEnvelope.payload is not a base64 JSON statement');
  }
  if (!Array.isArray(statement?.subject) || typeof statement.predicateType !== 'string')
    throw invalid('the statement needs subject[] and predicateType');
  const subjects = statement.subject.flatMap((subject: { digest?: { sha256?: unknown } }) =>
    typeof subject?.digest?.sha256 === 'string' ? [`sha256:${subject.digest.sha256}`] : [],
  );
  if (subjects.length === 0) throw invalid('no statement subject has a sha256 digest');
  return { subjects, predicateType: statement.predicateType };
}
