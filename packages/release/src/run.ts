import type { ReleaseConfig } from './config/schema';
import { ReleaseError } from './errors';
import type { Reporter } from './events';
import type { GitRepo } from './git';
import type { ReleaseServices } from './services';
import {
  loadState,
  newState,
  saveState,
  statePath,
  STEP_IDS,
  unfinishedReleases,
  type ReleaseState,
} from './state';
import { preflight, preflightFailure, STEPS, type StepContext } from './steps';
import type { WaitOptions } from './wait';

export interface ReleaseOptions {
  projectDir: string;
  config: ReleaseConfig;
  /** An explicit version, `major`, `minor` or `patch`; may be omitted with `resume` when one release is unfinished. */
  requested: string | undefined;
  resume: boolean;
  dryRun: boolean;
  services: ReleaseServices;
  reporter: Reporter;
  git: GitRepo;
  hasToken: boolean;
  waits: WaitOptions;
  /** Date of the changelog heading, YYYY-MM-DD (UTC today by default). */
  today?: string;
  /** Asks the user before the first change; resolves false to stop. Absent means yes (`--yes`). */
  confirm?: (question: string) => Promise<boolean>;
}

function resolveVersion(options: ReleaseOptions, changelogText: string): string {
  const { projectDir, resume } = options;
  // `v1.5.0` names the version 1.5.0, as tags do
  const requested = options.requested?.replace(/^v(?=\d)/, '');
  if (resume) {
    const unfinished = unfinishedReleases(projectDir);
    if (requested && /^\d/.test(requested)) return requested;
    if (unfinished.length === 1) return unfinished[0]!;
    throw new ReleaseError(
      'USAGE',
      unfinished.length
        ? `several releases are unfinished (${unfinished.join(', ')}); name the version to resume`
        : 'no unfinished release to resume',
      {
        expected: 'exactly one unfinished release, or a version',
        found: unfinished,
      },
    );
  }
  if (!requested)
    throw new ReleaseError(
      'USAGE',
      'missing version: expected <version|major|minor|patch>, found nothing',
      { expected: '<version|major|minor|patch>', found: undefined },
    );
  return options.services.changelog.resolveVersion(changelogText, requested);
}

/** Runs (or resumes) `oci-sd release`; every step first looks at the remote state, so a resume never duplicates. */
export async function runRelease(options: ReleaseOptions): Promise<ReleaseState | undefined> {
  const { config, git, reporter, services } = options;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const changelogText = await git.show('HEAD', config.changelog).catch((error: unknown) => {
    throw new ReleaseError(
      'PREFLIGHT',
      `${config.changelog}: expected a committed changelog at HEAD, found none`,
      { cause: error },
    );
  });
  const version = resolveVersion(options, changelogText);
  const tag = `${config.tagPrefix}${version}`;

  if (options.dryRun) {
    await dryRun(options, changelogText, version, tag, today);
    return undefined;
  }

  let state = loadState(options.projectDir, version);
  if (state && !options.resume && state.completed.length === STEP_IDS.length) {
    throw new ReleaseError(
      'STATE',
      `${tag} is released already (${statePath(options.projectDir, version)})`,
      { expected: 'an unreleased version', found: version },
    );
  }
  if (state && !options.resume) {
    throw new ReleaseError(
      'STATE',
      `a release of ${version} is in progress (${statePath(options.projectDir, version)}); run again with --resume, or delete the file to start over`,
      {
        expected: 'no release in progress',
        found: state.completed,
      },
    );
  }
  if (!state && options.resume)
    throw new ReleaseError(
      'STATE',
      `no release of ${version} to resume (${statePath(options.projectDir, version)} is absent)`,
      { expected: 'a state file', found: undefined },
    );
  if (state && (state.repo !== config.repo || state.tufRepo !== config.tufRepo)) {
    throw new ReleaseError(
      'STATE',
      `${statePath(options.projectDir, version)} belongs to ${state.repo} / ${state.tufRepo}, not the configured ${config.repo} / ${config.tufRepo}`,
      {
        expected: `${config.repo} / ${config.tufRepo}`,
        found: `${state.repo} / ${state.tufRepo}`,
      },
    );
  }
  // a fresh release writes nothing (no state file) until preflight passed and the user agreed
  let persisted = state !== undefined;
  state ??= newState(version, tag, config.repo, config.tufRepo);
  const current = state;
  reporter.emit({
    type: 'plan',
    title: `Releasing ${tag} of ${config.repo}${options.resume ? ' (resumed)' : ''}`,
    steps: STEPS.map((s) => ({ id: s.id, title: s.title, done: current.completed.includes(s.id) })),
  });
  const ctx: StepContext = {
    config,
    state: current,
    services,
    git,
    reporter,
    waits: options.waits,
    save: async () => {
      if (persisted) await saveState(options.projectDir, current);
    },
    today,
    hasToken: options.hasToken,
  };
  for (const step of STEPS) {
    if (current.completed.includes(step.id)) {
      reporter.emit({
        type: 'step',
        step: step.id,
        title: step.title,
        state: 'skipped',
        detail: 'done earlier',
      });
      continue;
    }
    reporter.emit({ type: 'step', step: step.id, title: step.title, state: 'start' });
    let detail: string | undefined;
    try {
      detail = await step.run(ctx);
    } catch (error) {
      reporter.emit({
        type: 'step',
        step: step.id,
        title: step.title,
        state: 'failed',
        detail: error instanceof Error ? error.message.split('\n')[0]! : String(error),
      });
      throw error;
    }
    current.completed.push(step.id);
    if (!persisted) {
      if (options.confirm && !(await options.confirm(`Release ${tag} of ${config.repo}?`))) {
        throw new ReleaseError('ABORTED', 'release cancelled; nothing was changed');
      }
      persisted = true;
    }
    await ctx.save();
    reporter.emit({
      type: 'step',
      step: step.id,
      title: step.title,
      state: 'done',
      ...(detail ? { detail } : {}),
    });
  }
  reporter.emit({
    type: 'done',
    message: `Released ${tag}`,
    ...(current.facts.releaseUrl ? { url: current.facts.releaseUrl } : {}),
  });
  return current;
}

/** The plan, the changelog diff and the notes; reads only (no fetch, no state file, no API writes). */
async function dryRun(
  options: ReleaseOptions,
  changelogText: string,
  version: string,
  tag: string,
  today: string,
): Promise<void> {
  const { config, reporter, services } = options;
  const promoted = services.changelog.promote(changelogText, version, today, config.tagPrefix);
  const notes = services.changelog.notes(promoted.text, version, {
    repo: config.repo,
    serverUrl: config.serverUrl,
    tagPrefix: config.tagPrefix,
  });
  const signing = services.tuf.signingBranchName(version, '<run id>');
  const plan = [
    `push release/${tag} with ${config.changelog} promoted, open a pull request to ${config.defaultBranch}${config.prChecks.length ? `, wait for ${config.prChecks.join(', ')}` : ''}, merge it`,
    `create the GitHub release ${tag} of ${config.repo} with the notes below`,
    `follow the ${config.workflows.build} run started by the release`,
    `wait for ${signing} in ${config.tufRepo} to be signed, ${services.tuf.releaseTargetName(config.tufProject, tag)} listed and "${config.signingCheck}" passing`,
    `merge the signing pull request, dispatch ${config.workflows.publish} on ${config.tufRepo} and follow it`,
    `verify ${config.image} ${tag} against ${config.tufUrl}`,
  ];
  reporter.emit({
    type: 'plan',
    title: `Dry run: release ${tag} of ${config.repo} (nothing is changed)`,
    steps: [
      { id: 'preflight', title: 'preflight checks', done: false },
      ...plan.map((title, i) => ({ id: `step-${i + 2}`, title, done: false })),
    ],
  });
  reporter.emit({
    type: 'text',
    title: `${config.changelog} after promotion:`,
    body: promoted.diff,
  });
  reporter.emit({ type: 'text', title: `Release notes for ${tag}:`, body: notes });
  const problems = await preflight(options, tag);
  for (const problem of problems)
    reporter.emit({ type: 'check', step: 'preflight', name: problem, ok: false, detail: '' });
  if (problems.length) throw preflightFailure(problems);
  reporter.emit({
    type: 'check',
    step: 'preflight',
    name: 'preflight checks pass',
    ok: true,
    detail: '',
  });
}
