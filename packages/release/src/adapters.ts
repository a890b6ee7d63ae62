import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseChangelog } from '@oci-sd/changelog';
import {
  createRelease,
  dispatchWorkflow,
  findPullRequest,
  findRelease,
  findWorkflowRun,
  getCheck,
  getPullRequest,
  getWorkflowRun,
  mergePullRequest,
  openPullRequest,
  parseRepo,
  PASSING_CHECK_CONCLUSIONS,
  type GitHubClient,
  type PullRequestInfo,
  type ReleaseInfo,
  type RunInfo,
} from '@oci-sd/gh';
import {
  checkTarget,
  formatStatusText,
  parseReleaseManifest,
  releaseTargetName,
  signingBranchName,
  signingEventStatus,
  TufError,
  type SigstoreTrustedRootJSON,
} from '@oci-sd/tuf';
import { verifyRelease } from '@oci-sd/verify';
import type { ReleaseConfig } from './config/schema';
import { ReleaseError } from './errors';
import { GitRepo } from './git';
import type {
  ChangelogService,
  GitHubService,
  PullRequest,
  Release,
  ReleaseServices,
  TufService,
  VerifyService,
  WorkflowRun,
} from './services';
import { STATE_DIR } from './state';

// Any valid date: resolving a version must not depend on the day it runs.
const PROBE_DATE = '2000-01-01';

/** @oci-sd/changelog, with errors located in `file`. */
export function changelogService(file: string): ChangelogService {
  return {
    resolveVersion(text, requested) {
      return parseChangelog(text, { file }).promote(requested, { date: PROBE_DATE }).version;
    },
    promote(text, version, date, tagPrefix) {
      const { text: promoted, diff } = parseChangelog(text, { file }).promote(version, {
        date,
        tagPrefix,
      });
      return { text: promoted, diff };
    },
    notes(text, version, options) {
      return parseChangelog(text, { file }).notes(version, options).body;
    },
  };
}

function toPull(p: PullRequestInfo): PullRequest {
  return {
    number: p.number,
    url: p.htmlUrl,
    state: p.state,
    merged: p.merged === true,
    headSha: p.headSha,
    ...(p.mergeCommitSha && p.merged ? { mergeSha: p.mergeCommitSha } : {}),
  };
}

function toRelease(r: ReleaseInfo): Release {
  return { id: r.id, url: r.htmlUrl, draft: r.draft };
}

function toRun(r: RunInfo): WorkflowRun {
  return { id: r.id, url: r.htmlUrl, status: r.status ?? 'queued', conclusion: r.conclusion };
}

/** @oci-sd/gh over one client; `poll` sets how the library's own waits (mergeability) poll. */
export function githubService(
  client: GitHubClient,
  poll: { intervalMs: number; timeoutMs: number },
): GitHubService {
  return {
    async findPullRequest(repo, head) {
      // merged ones too: a rerun takes up the pull request an earlier run (or a person) merged
      const found = await findPullRequest(client, parseRepo(repo), { head }, { state: 'all' });
      return found && toPull(found);
    },
    async getPullRequest(repo, number) {
      return toPull(await getPullRequest(client, parseRepo(repo), number));
    },
    async openPullRequest(repo, pr) {
      return toPull((await openPullRequest(client, parseRepo(repo), pr)).pull);
    },
    async mergePullRequest(repo, number, headSha) {
      return {
        sha: (await mergePullRequest(client, parseRepo(repo), number, { sha: headSha, ...poll }))
          .sha,
      };
    },
    async checkState(repo, ref, name) {
      const check = await getCheck(client, parseRepo(repo), ref, name);
      if (!check) return { state: 'missing' };
      const url = check.htmlUrl ? { url: check.htmlUrl } : {};
      if (check.status !== 'completed') return { state: 'pending', ...url };
      return {
        state: PASSING_CHECK_CONCLUSIONS.has(check.conclusion ?? '') ? 'success' : 'failure',
        ...url,
      };
    },
    async findRelease(repo, tag) {
      const found = await findRelease(client, parseRepo(repo), tag);
      return found && toRelease(found);
    },
    async createRelease(repo, release) {
      const { tag, target, name, body, prerelease } = release;
      return toRelease(
        (
          await createRelease(client, parseRepo(repo), {
            tag,
            target,
            name,
            notes: body,
            prerelease,
          })
        ).release,
      );
    },
    async findWorkflowRun(repo, workflow, { createdAfter, ...filter }) {
      const run = await findWorkflowRun(client, parseRepo(repo), workflow, filter);
      if (!run || (createdAfter && Date.parse(run.createdAt) < Date.parse(createdAfter)))
        return undefined;
      return toRun(run);
    },
    async getWorkflowRun(repo, id) {
      return toRun(await getWorkflowRun(client, parseRepo(repo), id));
    },
    async dispatchWorkflow(repo, workflow, ref) {
      const { runId } = await dispatchWorkflow(client, parseRepo(repo), workflow, {
        ref,
        find: poll,
      });
      return toRun(await getWorkflowRun(client, parseRepo(repo), runId));
    },
  };
}

function readJsonFile(path: string, field: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ReleaseError(
      'CONFIG',
      `${field}: expected a readable JSON file, found ${path} (${(error as Error).message})`,
      { expected: 'a JSON file', found: path, cause: error },
    );
  }
}

/**
 * @oci-sd/tuf over a clone of the TUF repository kept in `.oci-sd/tuf-checkout`: each look fetches
 * and checks out the signing branch, then reads the event as a maintainer's checkout would.
 */
export function tufService(
  config: ReleaseConfig,
  projectDir: string,
  env: NodeJS.ProcessEnv,
): TufService {
  const dir = join(projectDir, STATE_DIR, 'tuf-checkout');
  const repo = new GitRepo(dir, env);
  const trustedRoot = config.trustedRoot
    ? (readJsonFile(
        resolve(projectDir, config.trustedRoot),
        'trustedRoot',
      ) as SigstoreTrustedRootJSON)
    : undefined;
  const checkout = async (branch: string) => {
    // this clone is oci-sd's alone: a lock left by a killed run is stale
    rmSync(join(dir, '.git', 'index.lock'), { force: true });
    if (!existsSync(join(dir, '.git'))) {
      mkdirSync(dir, { recursive: true });
      await repo.git('clone', '--quiet', '--no-checkout', config.tufGitUrl, '.');
    }
    await repo.git('fetch', '--quiet', '--prune', 'origin');
    await repo.git('checkout', '--quiet', '--force', '-B', branch, `refs/remotes/origin/${branch}`);
  };
  return {
    signingBranchName,
    releaseTargetName,
    async signingStatus(branch, base) {
      await checkout(branch);
      const status = await signingEventStatus(dir, {
        event: branch,
        base: `refs/remotes/origin/${base}`,
        ...(trustedRoot ? { sigstoreTrustedRoot: trustedRoot } : {}),
      });
      return {
        complete: status.complete,
        summary: formatStatusText(status),
        missing: [...new Set(status.roles.flatMap((r) => r.missing))],
      };
    },
    async checkTarget(branch, targetName) {
      await checkout(branch);
      try {
        const checked = await checkTarget(dir, { name: targetName });
        const manifest = parseReleaseManifest(
          readFileSync(join(dir, 'targets', targetName)),
          `targets/${targetName}`,
        );
        return {
          listed: true,
          digest: manifest.digest,
          detail: `sha256 ${checked.sha256}, ${checked.length} bytes, targets v${checked.version}`,
        };
      } catch (error) {
        if (error instanceof TufError) return { listed: false, detail: error.message };
        throw error;
      }
    },
  };
}

/** @oci-sd/verify's verifyRelease against the published TUF metadata, from the pinned root. */
export function verifyService(config: ReleaseConfig, projectDir: string): VerifyService {
  return {
    async verifyRelease({ repo, tag }) {
      if (!config.tufRoot) {
        throw new ReleaseError(
          'CONFIG',
          'field "tufRoot": expected the path of the pinned TUF root.json to verify the release from, found nothing',
          { expected: 'a path', found: undefined },
        );
      }
      const report = await verifyRelease({
        release: `${repo}@${tag}`,
        tuf: { url: config.tufUrl, root: resolve(projectDir, config.tufRoot) },
        ...(config.trustedRoot ? { trust: resolve(projectDir, config.trustedRoot) } : {}),
      });
      return {
        ok: report.ok,
        ...(report.image ? { digest: report.image.digest } : {}),
        checks: report.checks.map((c) => ({
          name: c.check,
          ok: c.status === 'pass',
          detail: c.summary,
        })),
      };
    },
  };
}

export function createServices(
  config: ReleaseConfig,
  projectDir: string,
  client: GitHubClient,
  poll: { intervalMs: number; timeoutMs: number },
  env: NodeJS.ProcessEnv,
): ReleaseServices {
  return {
    changelog: changelogService(config.changelog),
    github: githubService(client, poll),
    tuf: tufService(config, projectDir, env),
    verify: verifyService(config, projectDir),
  };
}
