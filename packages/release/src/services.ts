/**
 * What the release state machine needs from the libraries, in the shape it uses them. The
 * adapters in `adapters.ts` map these onto @oci-sd/changelog, @oci-sd/gh, @oci-sd/tuf and
 * @oci-sd/verify; the state machine never talks to a network or a file format itself.
 */

export interface PullRequest {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  headSha: string;
  /** The merge commit on the base branch, once merged. */
  mergeSha?: string;
}

export interface Release {
  id: number;
  url: string;
  draft: boolean;
}

export interface WorkflowRun {
  id: number;
  url: string;
  status: string;
  conclusion: string | null;
}

export type CheckState = 'missing' | 'pending' | 'success' | 'failure';

export interface GitHubService {
  /** The newest pull request from `head`, open, closed or merged; undefined when there is none. */
  findPullRequest(repo: string, head: string): Promise<PullRequest | undefined>;
  getPullRequest(repo: string, number: number): Promise<PullRequest>;
  openPullRequest(
    repo: string,
    pr: { head: string; base: string; title: string; body: string },
  ): Promise<PullRequest>;
  /** Merges with the head commit pinned (a moved head fails instead of merging unseen commits). */
  mergePullRequest(repo: string, number: number, headSha: string): Promise<{ sha: string }>;
  /** The latest run of a named check on a commit. */
  checkState(repo: string, ref: string, name: string): Promise<{ state: CheckState; url?: string }>;
  /** A release by tag, drafts included. */
  findRelease(repo: string, tag: string): Promise<Release | undefined>;
  /** Creates (or completes a crashed creation of) the release; never a second one. */
  createRelease(
    repo: string,
    release: { tag: string; target: string; name: string; body: string; prerelease: boolean },
  ): Promise<Release>;
  /** The newest run matching the filter; `createdAfter` (ISO time) excludes older runs. */
  findWorkflowRun(
    repo: string,
    workflow: string,
    filter: { event?: string; headSha?: string; branch?: string; createdAfter?: string },
  ): Promise<WorkflowRun | undefined>;
  getWorkflowRun(repo: string, id: number): Promise<WorkflowRun>;
  /** Dispatches on `ref` and returns the run it started. */
  dispatchWorkflow(repo: string, workflow: string, ref: string): Promise<WorkflowRun>;
}

export interface ChangelogService {
  /** Resolves `major|minor|patch` (or checks an explicit version) against the changelog: valid, new and greater than the latest release. */
  resolveVersion(text: string, requested: string): string;
  /** The promoted file and the change as a unified diff. */
  promote(
    text: string,
    version: string,
    date: string,
    tagPrefix: string,
  ): { text: string; diff: string };
  notes(
    text: string,
    version: string,
    options: { repo: string; serverUrl: string; tagPrefix: string },
  ): string;
}

export interface SigningStatus {
  /** Every changed role is valid and has its threshold of signatures. */
  complete: boolean;
  /** Human summary: roles, who signed, who is missing. */
  summary: string;
  /** Key owners (`@user`) whose signature a changed role still needs. */
  missing: string[];
}

export interface TargetCheck {
  listed: boolean;
  /** The release manifest's image digest, when listed. */
  digest?: string;
  detail: string;
}

export interface TufService {
  /** Status of the signing event on `branch` of the TUF repository, compared with `base`. */
  signingStatus(branch: string, base: string): Promise<SigningStatus>;
  /** Is the release manifest `targetName` listed in targets.json on `branch` with its file's sha256 and length? */
  checkTarget(branch: string, targetName: string): Promise<TargetCheck>;
  signingBranchName(version: string, runId: string | number): string;
  releaseTargetName(project: string, tag: string): string;
}

export interface VerifyCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyService {
  /** Verifies `repo@tag` as a consumer: from the pinned TUF root to every image signature and attestation. */
  verifyRelease(request: {
    repo: string;
    tag: string;
  }): Promise<{ ok: boolean; digest?: string; checks: VerifyCheck[] }>;
}

export interface ReleaseServices {
  github: GitHubService;
  changelog: ChangelogService;
  tuf: TufService;
  verify: VerifyService;
}
