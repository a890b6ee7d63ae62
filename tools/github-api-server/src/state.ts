import { createHash } from 'node:crypto';

export interface Commit {
  sha: string;
  message: string;
  parents: string[];
  date: string;
}

export interface Asset {
  id: number;
  name: string;
  label: string | null;
  contentType: string;
  bytes: Buffer;
  sha256: string;
  createdAt: string;
}

export interface Release {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  /** Published in a repository with immutable releases: assets frozen, tag burned for ever. */
  immutable: boolean;
  makeLatest: 'true' | 'false' | 'legacy';
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  assets: Asset[];
}

export interface PullRequest {
  id: number;
  number: number;
  title: string;
  body: string | null;
  head: string;
  headSha: string;
  base: string;
  baseSha: string;
  state: 'open' | 'closed';
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  /** What GitHub would compute; `false` once a conflict is simulated. */
  mergeable: boolean;
  /** GitHub is (re)computing mergeability: the next GET shows `mergeable: null`. */
  computing: boolean;
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed';
export type CheckConclusion =
  'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';

export interface CheckRun {
  id: number;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  startedAt: string;
  completedAt: string | null;
}

export interface Workflow {
  id: number;
  name: string;
  /** `.github/workflows/<file>` */
  path: string;
}

export type RunStatus = 'queued' | 'in_progress' | 'completed';

export interface WorkflowRun {
  id: number;
  workflowId: number;
  runNumber: number;
  event: string;
  status: RunStatus;
  conclusion: CheckConclusion | null;
  headBranch: string | null;
  headSha: string;
  displayTitle: string;
  inputs: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** A Sigstore bundle recorded through `POST /repos/{owner}/{repo}/attestations`. */
export interface Attestation {
  id: number;
  bundle: Record<string, unknown>;
  /** `sha256:<hex>` of every statement subject: what `GET .../attestations/{subject_digest}` finds it by. */
  subjectDigests: string[];
  predicateType: string;
}

export interface Repo {
  id: number;
  owner: string;
  ownerId: number;
  name: string;
  private: boolean;
  defaultBranch: string;
  immutableReleases: boolean;
  branches: Map<string, string>;
  tags: Map<string, string>;
  /** Tags once used by a published immutable release; never usable again. */
  burnedTags: Set<string>;
  commits: Map<string, Commit>;
  releases: Release[];
  pulls: PullRequest[];
  checkRuns: CheckRun[];
  workflows: Workflow[];
  runs: WorkflowRun[];
  attestations: Attestation[];
}

export interface CreateRepoOptions {
  defaultBranch?: string;
  private?: boolean;
  immutableReleases?: boolean;
  /** Workflow files to know about, e.g. `['publish.yml']`. */
  workflows?: string[];
}

export type StateEvent =
  | { type: 'release.published'; repo: Repo; release: Release }
  | { type: 'workflow.dispatched'; repo: Repo; workflow: Workflow; run: WorkflowRun }
  | { type: 'pull.opened'; repo: Repo; pull: PullRequest }
  | { type: 'pull.merged'; repo: Repo; pull: PullRequest };

/**
 * Everything the server knows, manipulable directly by tests and the demo
 * (push a branch, complete a check, finish a workflow run) without going through HTTP.
 */
export class GitHubState {
  readonly repos = new Map<string, Repo>();
  private nextId = 1000;
  private readonly listeners: ((event: StateEvent) => void)[] = [];

  constructor(private readonly clock: () => Date = () => new Date()) {}

  now(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  id(): number {
    return ++this.nextId;
  }

  /** Calls `listener` on releases published, workflows dispatched, pulls opened and merged. */
  on(listener: (event: StateEvent) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  emit(event: StateEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  createRepo(fullName: string, options: CreateRepoOptions = {}): Repo {
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new Error(`repository must be OWNER/NAME, found "${fullName}"`);
    if (this.repos.has(fullName.toLowerCase()))
      throw new Error(`repository ${fullName} exists already`);
    const repo: Repo = {
      id: this.id(),
      owner,
      ownerId: this.id(),
      name,
      private: options.private ?? false,
      defaultBranch: options.defaultBranch ?? 'main',
      immutableReleases: options.immutableReleases ?? false,
      branches: new Map(),
      tags: new Map(),
      burnedTags: new Set(),
      commits: new Map(),
      releases: [],
      attestations: [],
      pulls: [],
      checkRuns: [],
      workflows: [],
      runs: [],
    };
    this.repos.set(fullName.toLowerCase(), repo);
    this.commit(repo, repo.defaultBranch, 'Initial commit');
    for (const file of options.workflows ?? []) this.addWorkflow(repo, file);
    return repo;
  }

  repo(fullName: string): Repo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`no repository ${fullName} in the test server`);
    return repo;
  }

  addWorkflow(repo: Repo, file: string, name = file.replace(/\.ya?ml$/, '')): Workflow {
    const workflow = { id: this.id(), name, path: `.github/workflows/${file}` };
    repo.workflows.push(workflow);
    return workflow;
  }

  /** Adds a commit on `branch` (created from the default branch when new) and returns its sha. */
  commit(repo: Repo, branch: string, message: string): string {
    const parent = repo.branches.get(branch) ?? repo.branches.get(repo.defaultBranch);
    const sha = createHash('sha1')
      .update(`${repo.owner}/${repo.name}\0${this.id()}\0${message}`)
      .digest('hex');
    repo.commits.set(sha, { sha, message, parents: parent ? [parent] : [], date: this.now() });
    repo.branches.set(branch, sha);
    for (const pull of repo.pulls) {
      if (pull.state === 'open' && pull.head === branch) {
        pull.headSha = sha;
        pull.computing = true;
        pull.updatedAt = this.now();
      }
    }
    return sha;
  }

  /** Resolves a branch, tag, `heads/x`/`tags/x` ref or sha to a commit sha. */
  resolve(repo: Repo, ref: string): string | undefined {
    const short = ref.replace(/^refs\//, '');
    if (short.startsWith('heads/')) return repo.branches.get(short.slice(6));
    if (short.startsWith('tags/')) return repo.tags.get(short.slice(5));
    return (
      repo.branches.get(short) ?? repo.tags.get(short) ?? (repo.commits.has(ref) ? ref : undefined)
    );
  }

  /** Records a check run on a commit (a new run of the same name supersedes the old under `filter=latest`). */
  setCheckRun(
    repo: Repo,
    ref: string,
    name: string,
    status: CheckStatus,
    conclusion: CheckConclusion | null = null,
  ): CheckRun {
    const headSha = this.resolve(repo, ref);
    if (!headSha) throw new Error(`no commit for ${ref} in ${repo.owner}/${repo.name}`);
    const existing = repo.checkRuns.find((c) => c.headSha === headSha && c.name === name);
    const run = existing ?? {
      id: this.id(),
      name,
      headSha,
      status,
      conclusion,
      startedAt: this.now(),
      completedAt: null,
    };
    run.status = status;
    run.conclusion = status === 'completed' ? (conclusion ?? 'success') : null;
    run.completedAt = status === 'completed' ? this.now() : null;
    if (!existing) repo.checkRuns.push(run);
    return run;
  }

  /** Starts a workflow run the way an event would (`release`, `push`, `workflow_dispatch`). */
  startRun(
    repo: Repo,
    workflowFile: string,
    options: {
      event: string;
      headBranch: string | null;
      headSha: string;
      displayTitle?: string;
      inputs?: Record<string, unknown>;
    },
  ): WorkflowRun {
    const workflow = this.workflow(repo, workflowFile);
    if (!workflow) throw new Error(`no workflow ${workflowFile} in ${repo.owner}/${repo.name}`);
    const run: WorkflowRun = {
      id: this.id(),
      workflowId: workflow.id,
      runNumber: repo.runs.filter((r) => r.workflowId === workflow.id).length + 1,
      event: options.event,
      status: 'queued',
      conclusion: null,
      headBranch: options.headBranch,
      headSha: options.headSha,
      displayTitle: options.displayTitle ?? workflow.name,
      inputs: options.inputs ?? {},
      createdAt: this.now(),
      updatedAt: this.now(),
    };
    repo.runs.push(run);
    return run;
  }

  /** Moves a run along: `in_progress`, or `completed` with a conclusion. */
  setRunStatus(
    repo: Repo,
    runId: number,
    status: RunStatus,
    conclusion: CheckConclusion | null = null,
  ): WorkflowRun {
    const run = repo.runs.find((r) => r.id === runId);
    if (!run) throw new Error(`no workflow run ${runId} in ${repo.owner}/${repo.name}`);
    run.status = status;
    run.conclusion = status === 'completed' ? (conclusion ?? 'success') : null;
    run.updatedAt = this.now();
    return run;
  }

  workflow(repo: Repo, idOrFile: string | number): Workflow | undefined {
    return repo.workflows.find(
      (w) => String(w.id) === String(idOrFile) || w.path.endsWith(`/${idOrFile}`),
    );
  }

  /** Makes a pull request conflict with its base (GitHub then reports `mergeable: false`, merges answer 405). */
  setMergeable(repo: Repo, number: number, mergeable: boolean): void {
    const pull = repo.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull request #${number} in ${repo.owner}/${repo.name}`);
    pull.mergeable = mergeable;
    pull.computing = true;
  }
}
