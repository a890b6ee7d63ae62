import type { ReleaseConfig } from './config/schema';
import { ReleaseError } from './errors';
import type { Reporter } from './events';
import type { GitRepo } from './git';
import type { PullRequest, ReleaseServices, WorkflowRun } from './services';
import type { ReleaseState, StepId } from './state';
import { waitFor, type WaitOptions } from './wait';

export interface StepContext {
  config: ReleaseConfig;
  state: ReleaseState;
  services: ReleaseServices;
  git: GitRepo;
  reporter: Reporter;
  waits: WaitOptions;
  /** Persists `state` (atomically); steps call it as soon as they learn a remote fact. */
  save(): Promise<void>;
  /** YYYY-MM-DD for the changelog heading. */
  today: string;
  hasToken: boolean;
}

export interface Step {
  id: StepId;
  title: string;
  run(ctx: StepContext): Promise<string | undefined>;
}

const RELEASE_COMMIT_MESSAGE = (tag: string) => `Release ${tag}`;

function info(ctx: StepContext, step: StepId, message: string, url?: string): void {
  ctx.reporter.emit(
    url === undefined ? { type: 'info', step, message } : { type: 'info', step, message, url },
  );
}

/**
 * Checks the local repository and the remote before anything is changed anywhere. (The version and a
 * non-empty Unreleased were checked when the version was resolved from the changelog.)
 */
export async function preflight(
  ctx: Pick<StepContext, 'config' | 'git' | 'hasToken'>,
  tag: string,
): Promise<string[]> {
  const { config, git } = ctx;
  const problems: string[] = [];
  const dirty = await git.dirtyPaths();
  if (dirty.length)
    problems.push(
      `work tree not clean: expected no changes, found ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ` and ${dirty.length - 5} more` : ''}`,
    );
  const branch = await git.currentBranch();
  if (branch !== config.defaultBranch)
    problems.push(`branch: expected ${config.defaultBranch}, found ${branch}`);
  const local = await git.head();
  const remote = await git.remoteBranch(config.remote, config.defaultBranch);
  if (remote === undefined)
    problems.push(`remote ${config.remote}: expected branch ${config.defaultBranch}, found none`);
  else if (remote !== local)
    problems.push(
      `${config.defaultBranch} not up to date with ${config.remote}: expected ${remote.slice(0, 12)}, found ${local.slice(0, 12)} (pull or push first)`,
    );
  if (!ctx.hasToken)
    problems.push(
      'GitHub token: expected GITHUB_TOKEN, GH_TOKEN or a `gh auth login` session, found none',
    );
  if (await git.remoteTag(config.remote, tag))
    problems.push(`tag ${tag}: expected a new tag, found it on ${config.remote} already`);
  return problems;
}

export function preflightFailure(problems: string[]): ReleaseError {
  return new ReleaseError('PREFLIGHT', `preflight failed:\n  ${problems.join('\n  ')}`, {
    expected: 'a releasable repository',
    found: problems,
  });
}

const preflightStep: Step = {
  id: 'preflight',
  title: 'Preflight',
  async run(ctx) {
    const problems = await preflight(ctx, ctx.state.tag);
    if (problems.length) throw preflightFailure(problems);
    return `${ctx.config.repo} ${ctx.config.defaultBranch} is clean and up to date`;
  },
};

/** Commits the promoted changelog on top of `base` without touching the work tree or the index, and pushes it as `branch`. */
async function pushPromotion(ctx: StepContext, base: string, branch: string): Promise<void> {
  const { git, config, state } = ctx;
  const text = await git.show(base, config.changelog);
  const promoted = ctx.services.changelog.promote(
    text,
    state.version,
    ctx.today,
    config.tagPrefix,
  ).text;
  const blob = (await git.gitWithInput(promoted, 'hash-object', '-w', '--stdin')).trim();
  const mode = (await git.git('ls-tree', base, '--', config.changelog)).split(/\s+/)[0] || '100644';
  const tree = await git.treeWithFile(base, config.changelog, mode, blob);
  const commit = (
    await git.git('commit-tree', tree, '-p', base, '-m', RELEASE_COMMIT_MESSAGE(state.tag))
  ).trim();
  await git.git('push', '--quiet', config.remote, `${commit}:refs/heads/${branch}`);
}

async function recordPr(ctx: StepContext, pr: PullRequest): Promise<void> {
  ctx.state.facts.changelogPr = pr.number;
  ctx.state.facts.changelogPrUrl = pr.url;
  await ctx.save();
}

async function mergeWhenChecksPass(
  ctx: StepContext,
  repo: string,
  pr: PullRequest,
  checks: readonly string[],
  step: StepId,
): Promise<PullRequest> {
  const { github } = ctx.services;
  for (const name of checks) {
    let seen = 'missing';
    const result = await waitFor(
      `check "${name}" on ${repo}#${pr.number}`,
      async () => {
        const current = await github.getPullRequest(repo, pr.number);
        if (current.merged) return 'merged';
        if (current.state === 'closed')
          throw new ReleaseError(
            'REMOTE_STATE',
            `${pr.url} was closed without merging; reopen it, then run again with --resume`,
            { expected: 'open or merged', found: 'closed' },
          );
        const check = await github.checkState(repo, pr.headSha, name);
        if (check.state !== seen) {
          seen = check.state;
          ctx.reporter.emit({
            type: 'wait',
            step,
            message: `check "${name}": ${check.state}`,
            ...(check.url ? { url: check.url } : {}),
          });
        }
        if (check.state === 'failure')
          throw new ReleaseError(
            'CHECK_FAILED',
            `check "${name}" failed on ${repo}#${pr.number} (${pr.url}); fix it, then run again with --resume`,
            { expected: 'success', found: 'failure' },
          );
        return check.state === 'success' ? 'success' : undefined;
      },
      ctx.waits,
      () => `check is ${seen}`,
    );
    if (result === 'merged') break;
  }
  const latest = await github.getPullRequest(repo, pr.number);
  if (!latest.merged) {
    try {
      // pinned to the commit whose checks passed: a head that moved since is not merged unseen
      await github.mergePullRequest(repo, latest.number, pr.headSha);
    } catch (error) {
      throw new ReleaseError(
        'REMOTE_STATE',
        `could not merge ${latest.url}: ${(error as Error).message}; merge it yourself, then run again with --resume`,
        { cause: error },
      );
    }
  }
  const merged = await github.getPullRequest(repo, pr.number);
  if (!merged.merged || !merged.mergeSha)
    throw new ReleaseError('REMOTE_STATE', `${pr.url}: expected merged, found ${merged.state}`, {
      expected: 'merged',
      found: merged.state,
    });
  return merged;
}

const changelogStep: Step = {
  id: 'changelog',
  title: 'Changelog pull request',
  async run(ctx) {
    const { config, state, git } = ctx;
    const { github } = ctx.services;
    const branch = `release/${state.tag}`;
    state.facts.changelogBranch = branch;
    let pr = state.facts.changelogPr
      ? await github.getPullRequest(config.repo, state.facts.changelogPr)
      : await github.findPullRequest(config.repo, branch);
    if (pr && pr.state === 'closed' && !pr.merged) {
      throw new ReleaseError(
        'REMOTE_STATE',
        `${pr.url} (${branch}) was closed without merging; reopen it or delete the branch, then run again with --resume`,
        { expected: 'open or merged', found: 'closed' },
      );
    }
    if (!pr) {
      const base = await git.remoteBranch(config.remote, config.defaultBranch);
      if (!base)
        throw new ReleaseError(
          'REMOTE_STATE',
          `remote ${config.remote} has no branch ${config.defaultBranch}`,
        );
      await git.fetch(config.remote);
      if (!(await git.remoteBranch(config.remote, branch))) {
        await pushPromotion(ctx, base, branch);
        await git.fetch(config.remote);
        info(
          ctx,
          'changelog',
          `pushed ${branch} with ${config.changelog} promoted to ${state.version}`,
        );
      }
      // the notes come from the branch as pushed (a resumed run may find it from an earlier day)
      const text = await git.show(`refs/remotes/${config.remote}/${branch}`, config.changelog);
      const body = ctx.services.changelog.notes(text, state.version, {
        repo: config.repo,
        serverUrl: config.serverUrl,
        tagPrefix: config.tagPrefix,
      });
      pr = await github.openPullRequest(config.repo, {
        head: branch,
        base: config.defaultBranch,
        title: RELEASE_COMMIT_MESSAGE(state.tag),
        body,
      });
    }
    await recordPr(ctx, pr);
    info(ctx, 'changelog', `pull request #${pr.number}`, pr.url);
    const merged =
      pr.merged && pr.mergeSha
        ? pr
        : await mergeWhenChecksPass(ctx, config.repo, pr, config.prChecks, 'changelog');
    state.facts.releaseCommit = merged.mergeSha!;
    await ctx.save();
    await fastForwardLocal(ctx);
    return `#${merged.number} merged as ${merged.mergeSha!.slice(0, 12)}`;
  },
};

/** Brings the user's default branch up to the merge, when that is a plain fast-forward. */
async function fastForwardLocal(ctx: StepContext): Promise<void> {
  const { git, config } = ctx;
  await git.fetch(config.remote);
  if ((await git.currentBranch()) !== config.defaultBranch || (await git.dirtyPaths()).length)
    return;
  await git
    .git('merge', '--ff-only', '--quiet', `${config.remote}/${config.defaultBranch}`)
    .catch(() => undefined);
}

const releaseStep: Step = {
  id: 'release',
  title: 'GitHub release',
  async run(ctx) {
    const { config, state, git } = ctx;
    const { github, changelog } = ctx.services;
    const commit = state.facts.releaseCommit!;
    const existing = await github.findRelease(config.repo, state.tag);
    let release = existing && !existing.draft ? existing : undefined;
    if (!release) {
      const text = await git.show(commit, config.changelog);
      const body = changelog.notes(text, state.version, {
        repo: config.repo,
        serverUrl: config.serverUrl,
        tagPrefix: config.tagPrefix,
      });
      release = await github.createRelease(config.repo, {
        tag: state.tag,
        target: commit,
        name: state.tag,
        body,
        prerelease: state.version.includes('-'),
      });
    }
    state.facts.releaseId = release.id;
    state.facts.releaseUrl = release.url;
    await ctx.save();
    info(ctx, 'release', `release ${state.tag}`, release.url);
    return `${state.tag} published at ${commit.slice(0, 12)}`;
  },
};

/** Follows a workflow run to its conclusion; anything but success stops the release. */
async function followRun(
  ctx: StepContext,
  step: StepId,
  repo: string,
  run: WorkflowRun,
  label: string,
): Promise<WorkflowRun> {
  let status = '';
  const done = await waitFor(
    `${label} run ${run.url}`,
    async () => {
      const current = await ctx.services.github.getWorkflowRun(repo, run.id);
      if (current.status !== status) {
        status = current.status;
        ctx.reporter.emit({
          type: 'wait',
          step,
          message: `${label}: ${current.status}`,
          url: current.url,
        });
      }
      return current.status === 'completed' ? current : undefined;
    },
    ctx.waits,
    () => `run is ${status}`,
  );
  if (done.conclusion !== 'success') {
    throw new ReleaseError(
      'RUN_FAILED',
      `${label} run ${done.url} concluded ${done.conclusion}; rerun it, then run again with --resume`,
      { expected: 'success', found: done.conclusion },
    );
  }
  return done;
}

const buildStep: Step = {
  id: 'build',
  title: 'Build workflow',
  async run(ctx) {
    const { config, state } = ctx;
    const workflow = config.workflows.build;
    ctx.reporter.emit({
      type: 'wait',
      step: 'build',
      message: `waiting for ${workflow} to start for ${state.tag}`,
    });
    const run = await waitFor(
      `a ${workflow} run for ${state.tag} (release event at ${state.facts.releaseCommit!.slice(0, 12)})`,
      () =>
        ctx.services.github.findWorkflowRun(config.repo, workflow, {
          event: 'release',
          headSha: state.facts.releaseCommit!,
        }),
      ctx.waits,
    );
    state.facts.buildRunId = run.id;
    state.facts.buildRunUrl = run.url;
    await ctx.save();
    info(ctx, 'build', `${workflow} run ${run.id}`, run.url);
    await followRun(ctx, 'build', config.repo, run, workflow);
    return `${workflow} run ${run.id} succeeded`;
  },
};

const signingStep: Step = {
  id: 'signing',
  title: 'TUF signing event',
  async run(ctx) {
    const { config, state } = ctx;
    const { github, tuf } = ctx.services;
    const branch = tuf.signingBranchName(state.version, state.facts.buildRunId!);
    state.facts.signingBranch = branch;
    ctx.reporter.emit({
      type: 'wait',
      step: 'signing',
      message: `waiting for the signing pull request from ${branch} in ${config.tufRepo}`,
    });
    const pr = state.facts.signingPr
      ? await github.getPullRequest(config.tufRepo, state.facts.signingPr)
      : await waitFor(
          `the signing pull request from ${branch} in ${config.tufRepo}`,
          () => github.findPullRequest(config.tufRepo, branch),
          ctx.waits,
        );
    state.facts.signingPr = pr.number;
    state.facts.signingPrUrl = pr.url;
    await ctx.save();
    info(ctx, 'signing', `signing pull request #${pr.number}`, pr.url);
    const target = tuf.releaseTargetName(config.tufProject, state.tag);
    let announced = false;
    let lastSummary = '';
    let missing = '';
    const digest = await waitFor(
      `signatures on ${branch} and the "${config.signingCheck}" check`,
      async () => {
        const current = await github.getPullRequest(config.tufRepo, pr.number);
        const status = await tuf.signingStatus(branch, config.tufDefaultBranch);
        if (status.summary !== lastSummary) {
          lastSummary = status.summary;
          ctx.reporter.emit({
            type: 'text',
            title: 'Signing status, as the TUF-on-CI workflow reports it:',
            body: status.summary,
          });
        }
        if (!status.complete && !announced && !current.merged) {
          announced = true;
          const signer = status.missing[0] ?? '@<you>';
          ctx.reporter.emit({
            type: 'action',
            step: 'signing',
            message: `${status.missing.join(', ') || 'a signer'}: sign the event from a checkout of ${config.tufRepo} (or run tuf-on-ci-sign ${branch}):`,
            command: `oci-sd tuf sign ${branch} --sigstore --user ${signer} --push origin`,
          });
        }
        const listed = await tuf.checkTarget(branch, target);
        const check = current.merged
          ? { state: 'success' as const }
          : await github.checkState(config.tufRepo, current.headSha, config.signingCheck);
        missing = [
          !status.complete && 'signatures',
          !listed.listed && `target ${target} (${listed.detail})`,
          check.state !== 'success' && `check "${config.signingCheck}" ${check.state}`,
        ]
          .filter(Boolean)
          .join(', ');
        if (missing)
          ctx.reporter.emit({
            type: 'wait',
            step: 'signing',
            message: `waiting for ${missing}`,
            url: current.url,
          });
        return status.complete && listed.listed && check.state === 'success'
          ? (listed.digest ?? '')
          : undefined;
      },
      ctx.waits,
      () => `still missing ${missing}`,
    );
    if (digest) state.facts.digest = digest;
    await ctx.save();
    return `${target} signed${digest ? ` (${digest})` : ''}`;
  },
};

const publishStep: Step = {
  id: 'publish',
  title: 'Merge the signing PR and publish TUF metadata',
  async run(ctx) {
    const { config, state } = ctx;
    const { github } = ctx.services;
    const pr = await github.getPullRequest(config.tufRepo, state.facts.signingPr!);
    if (pr.state === 'closed' && !pr.merged)
      throw new ReleaseError('REMOTE_STATE', `${pr.url} was closed without merging`, {
        expected: 'open or merged',
        found: 'closed',
      });
    const merged = pr.merged
      ? pr
      : await mergeWhenChecksPass(ctx, config.tufRepo, pr, [config.signingCheck], 'publish');
    info(ctx, 'publish', `merged #${merged.number}`, merged.url);
    const workflow = config.workflows.publish;
    // a run dispatched before a crash is found again instead of dispatched twice
    let run = state.facts.publishDispatchedAfter
      ? await github.findWorkflowRun(config.tufRepo, workflow, {
          event: 'workflow_dispatch',
          branch: config.tufDefaultBranch,
          createdAfter: state.facts.publishDispatchedAfter,
        })
      : undefined;
    if (!run) {
      // whole seconds: GitHub's created_at has no fraction
      state.facts.publishDispatchedAfter ??= new Date(
        Math.floor(Date.now() / 1000) * 1000,
      ).toISOString();
      await ctx.save();
      run = await github.dispatchWorkflow(config.tufRepo, workflow, config.tufDefaultBranch);
      info(ctx, 'publish', `dispatched ${workflow} on ${config.tufRepo}`, run.url);
    }
    state.facts.publishRunId = run.id;
    state.facts.publishRunUrl = run.url;
    await ctx.save();
    await followRun(ctx, 'publish', config.tufRepo, run, workflow);
    return `${workflow} run ${run.id} succeeded`;
  },
};

const verifyStep: Step = {
  id: 'verify',
  title: 'Verify the release as a consumer',
  async run(ctx) {
    const { config, state } = ctx;
    const report = await ctx.services.verify.verifyRelease({ repo: config.repo, tag: state.tag });
    for (const check of report.checks)
      ctx.reporter.emit({
        type: 'check',
        step: 'verify',
        name: check.name,
        ok: check.ok,
        detail: check.detail,
      });
    if (state.facts.digest && report.digest && report.digest !== state.facts.digest) {
      throw new ReleaseError(
        'CHECK_FAILED',
        `verified digest ${report.digest} differs from the digest signed in TUF ${state.facts.digest}`,
        { expected: state.facts.digest, found: report.digest },
      );
    }
    if (!report.ok) {
      const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
      throw new ReleaseError(
        'CHECK_FAILED',
        `verification of ${state.tag} failed: ${failed.join(', ') || 'no checks ran'}`,
        { expected: 'every check passes', found: failed },
      );
    }
    if (report.digest) state.facts.digest = report.digest;
    return `${report.checks.length} checks passed${report.digest ? ` for ${report.digest}` : ''}`;
  },
};

export const STEPS: readonly Step[] = [
  preflightStep,
  changelogStep,
  releaseStep,
  buildStep,
  signingStep,
  publishStep,
  verifyStep,
];
