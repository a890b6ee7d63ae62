import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { startGitHubApiServer, type GitHubApiServer, type Repo } from '@oci-sd/github-api-server';

/** A ref update as git's post-receive hook reports it. */
export interface PushedRef {
  repo: string;
  ref: string;
  before: string;
  after: string;
}

export interface HostedRepo {
  fullName: string;
  /** The bare repository: the git URL clients push to and clone from. */
  gitUrl: string;
  state: Repo;
}

const ZERO = '0000000000000000000000000000000000000000';

/** Identity of the commits the forge itself makes (merge commits), like GitHub's web-flow. */
const FORGE_GIT_ENV = {
  GIT_AUTHOR_NAME: 'GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

function gitSync(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...FORGE_GIT_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * A local GitHub: the OpenAPI-validated GitHub API test server, with real bare git repositories
 * behind it. A push to a bare repository reaches the API state through a post-receive hook (so
 * pull requests, releases and checks see the pushed commits), and merging a pull request
 * through the API makes a real merge commit in the bare repository.
 */
export class Forge {
  private readonly pushListeners: ((push: PushedRef) => void)[] = [];
  private readonly hosted = new Map<string, HostedRepo>();

  private constructor(
    readonly api: GitHubApiServer,
    private readonly hookServer: Server,
    private readonly hookUrl: string,
    private readonly root: string,
  ) {
    api.state.on((event) => {
      if (event.type === 'pull.merged') this.mergeForReal(event.repo, event.pull.number);
    });
  }

  static async start(root: string, options: { token?: string } = {}): Promise<Forge> {
    const api = await startGitHubApiServer(options.token ? { token: options.token } : {});
    // the hook server exists before the forge it reports to
    const holder: { forge?: Forge } = {};
    const hookServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const { repo, lines } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            repo: string;
            lines: string;
          };
          holder.forge!.received(repo, lines);
          res.writeHead(204).end();
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    const address = hookServer.address();
    const hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/push`;
    holder.forge = new Forge(api, hookServer, hookUrl, root);
    return holder.forge;
  }

  /** Creates `owner/name` in the API and as a bare repository whose pushes the API sees. */
  createRepo(fullName: string, options: { workflows?: string[] } = {}): HostedRepo {
    const state = this.api.state.createRepo(fullName, { workflows: options.workflows ?? [] });
    const gitUrl = join(this.root, 'git', `${fullName}.git`);
    mkdirSync(gitUrl, { recursive: true });
    gitSync(gitUrl, ['init', '--quiet', '--bare', '--initial-branch=main']);
    const hook = join(gitUrl, 'hooks', 'post-receive');
    // git waits for the hook, so the API knows a push before `git push` returns
    const script = `const lines=require('fs').readFileSync(0,'utf8');fetch(${JSON.stringify(this.hookUrl)},{method:'POST',body:JSON.stringify({repo:${JSON.stringify(fullName)},lines})}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
    writeFileSync(
      hook,
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(script).replaceAll('$', '\\$')}\n`,
    );
    chmodSync(hook, 0o755);
    const hosted = { fullName, gitUrl, state };
    this.hosted.set(fullName, hosted);
    return hosted;
  }

  repo(fullName: string): HostedRepo {
    const hosted = this.hosted.get(fullName);
    if (!hosted) throw new Error(`the forge hosts no repository ${fullName}`);
    return hosted;
  }

  /** Calls `listener` after each pushed ref is known to the API (as GitHub's push event). */
  onPush(listener: (push: PushedRef) => void): void {
    this.pushListeners.push(listener);
  }

  private received(fullName: string, lines: string): void {
    const hosted = this.repo(fullName);
    const pushes: PushedRef[] = [];
    for (const line of lines.split('\n').filter(Boolean)) {
      const [before = ZERO, after = ZERO, ref = ''] = line.trim().split(/\s+/);
      this.syncRef(hosted, ref, after);
      pushes.push({ repo: fullName, ref, before, after });
    }
    for (const push of pushes) for (const listener of this.pushListeners) listener(push);
  }

  /** Mirrors a ref (and its commit) from the bare repository into the API state. */
  private syncRef(hosted: HostedRepo, ref: string, sha: string): void {
    const { state } = hosted;
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
    const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
    const map = branch !== undefined ? state.branches : tag !== undefined ? state.tags : undefined;
    const name = branch ?? tag;
    if (!map || name === undefined) return;
    if (sha === ZERO) {
      map.delete(name);
      return;
    }
    const [message = '', date = '', ...parents] = gitSync(hosted.gitUrl, [
      'log',
      '-1',
      '--format=%s%n%cI%n%P',
      sha,
    ]).split('\n');
    state.commits.set(sha, {
      sha,
      message,
      parents: parents.join(' ').split(' ').filter(Boolean),
      date: date.replace(/\+00:00$/, 'Z'),
    });
    map.set(name, sha);
    if (branch === undefined) return;
    for (const pull of state.pulls) {
      if (pull.state === 'open' && pull.head === branch && pull.headSha !== sha) {
        pull.headSha = sha;
        pull.computing = true;
        pull.updatedAt = this.api.state.now();
      }
    }
  }

  /** Replaces the API's merge with a real merge commit in the bare repository. */
  private mergeForReal(state: Repo, number: number): void {
    const hosted = [...this.hosted.values()].find((h) => h.state === state);
    const pull = state.pulls.find((p) => p.number === number);
    if (!hosted || !pull) return;
    const base = gitSync(hosted.gitUrl, ['rev-parse', `refs/heads/${pull.base}`]);
    const tree = gitSync(hosted.gitUrl, ['merge-tree', '--write-tree', base, pull.headSha]).split(
      '\n',
    )[0]!;
    const message = `Merge pull request #${pull.number} from ${state.owner}/${pull.head}\n\n${pull.title}`;
    const merge = gitSync(hosted.gitUrl, [
      'commit-tree',
      tree,
      '-p',
      base,
      '-p',
      pull.headSha,
      '-m',
      message,
    ]);
    gitSync(hosted.gitUrl, ['update-ref', `refs/heads/${pull.base}`, merge, base]);
    this.syncRef(hosted, `refs/heads/${pull.base}`, merge);
    pull.mergeCommitSha = merge;
    for (const listener of this.pushListeners)
      listener({
        repo: hosted.fullName,
        ref: `refs/heads/${pull.base}`,
        before: base,
        after: merge,
      });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.hookServer.close(() => resolve()));
    await this.api.stop();
  }
}
