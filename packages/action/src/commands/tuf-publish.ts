import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { addReleaseTarget, signingBranchName } from '@oci-sd/tuf';
import type { AddReleaseTargetResult, ReleaseManifestInput } from '@oci-sd/tuf';
import type { GitHubContext } from '../context';
import { ActionError } from '../errors';
import { git } from '../git';
import {
  booleanInput,
  digestInput,
  imageRepositoryInput,
  optionalInput,
  requiredInput,
} from '../io';
import type { ActionIO } from '../io';
import { code, link, summaryTable } from '../summary';

/** The bot identity GitHub shows for `GITHUB_TOKEN` commits; used when the checkout has none. */
const BOT_NAME = 'github-actions[bot]';
const BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

export interface TufPublishRequest {
  /** A TUF-on-CI repository: `OWNER/REPO` on the GitHub server, or any git URL or path. */
  tufRepository: string;
  /** A checkout to work in instead of a fresh clone (e.g. from actions/checkout). */
  checkout?: string;
  manifest: ReleaseManifestInput;
  base: string;
  /** Re-point a tag already listed with another image digest (refused otherwise). */
  replace?: boolean;
  token?: string | undefined;
  serverUrl: string;
  scratch: string;
}

export interface TufPublishResult extends AddReleaseTargetResult {
  /** Where a person finds the signing event's pull request, when the remote is on GitHub. */
  signingPullRequestsUrl?: string;
}

function remoteUrl(tufRepository: string, serverUrl: string): string {
  return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(tufRepository)
    ? `${serverUrl}/${tufRepository}.git`
    : tufRepository;
}

/**
 * The release process's "Publish to TUF signing repository" step: write the release manifest, list it in
 * targets.json on `sign/release-<version>-<run id>` and push that branch (TUF-on-CI then opens
 * the signing PR). A re-run with the same manifest pushes nothing.
 */
export async function publishToTuf(request: TufPublishRequest): Promise<TufPublishResult> {
  const remote = remoteUrl(request.tufRepository, request.serverUrl);
  const version = request.manifest.version ?? request.manifest.tag.replace(/^v/, '');
  const branch = signingBranchName(version, request.manifest.runId);
  const dir = request.checkout ?? (await mkdtemp(join(request.scratch, 'oci-sd-tuf-')));
  const auth = request.token ? { token: request.token } : {};
  if (!request.checkout)
    await git(['clone', '--quiet', '--no-tags', '--branch', request.base, remote, dir], auth);
  // Without an identity in the checkout, commits are the bot's: given through git's environment
  // for this run, so a given checkout's configuration is never changed. A re-run attempt
  // continues the branch its first attempt pushed (addReleaseTarget syncs it from origin), and
  // any failure leaves the checkout as it was.
  const identity = (
    await git(['config', '--get', 'user.email'], { cwd: dir }).catch(() => '')
  ).trim()
    ? {}
    : {
        GIT_AUTHOR_NAME: BOT_NAME,
        GIT_AUTHOR_EMAIL: BOT_EMAIL,
        GIT_COMMITTER_NAME: BOT_NAME,
        GIT_COMMITTER_EMAIL: BOT_EMAIL,
      };
  const saved = Object.fromEntries(Object.keys(identity).map((name) => [name, process.env[name]]));
  Object.assign(process.env, identity);
  let result: AddReleaseTargetResult;
  try {
    result = await addReleaseTarget(dir, {
      manifest: request.manifest,
      branch,
      base: request.base,
      push: { remote: 'origin', ...auth },
      ...(request.replace ? { replace: true } : {}),
    });
  } finally {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
  const github = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(request.tufRepository);
  return {
    ...result,
    ...(github
      ? {
          signingPullRequestsUrl: `${request.serverUrl}/${request.tufRepository}/pulls?q=${encodeURIComponent(`is:pr head:${branch}`)}`,
        }
      : {}),
  };
}

/**
 * The manifest's `created_at`: the `created-at` input, else when the release was published (the
 * same on every re-run, so a re-run is a no-op), else now.
 */
function createdAt(io: ActionIO, context: GitHubContext): Date {
  const value = optionalInput(io, 'created-at') ?? context.release?.published_at;
  if (value === undefined) return new Date();
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ActionError(
      'INVALID_INPUT',
      `input "created-at": expected an ISO 8601 time, found "${value}"`,
      { expected: 'YYYY-MM-DDTHH:MM:SSZ', found: value },
    );
  return date;
}

/** `command: tuf-publish` */
export async function tufPublishCommand(io: ActionIO, context: GitHubContext): Promise<void> {
  const repository = context.repository;
  const image = imageRepositoryInput(io);
  const digest = digestInput(io, 'digest');
  const tag = context.tag(optionalInput(io, 'tag'));
  const checkout = optionalInput(io, 'tuf-checkout');
  const result = await publishToTuf({
    tufRepository: requiredInput(
      io,
      'tuf-repository',
      'the TUF-on-CI repository, OWNER/REPO or a git URL',
    ),
    ...(checkout ? { checkout: context.resolvePath(checkout) } : {}),
    manifest: {
      project: optionalInput(io, 'tuf-project') ?? repository.split('/')[1]!,
      repository,
      tag,
      image,
      digest,
      runId: context.runId,
      createdAt: createdAt(io, context),
      serverUrl: context.serverUrl,
      workflowPath: context.signingWorkflowPath(optionalInput(io, 'workflow-path')),
    },
    base: optionalInput(io, 'tuf-base') ?? 'main',
    replace: booleanInput(io, 'replace', false),
    token: io.getInput('token') || undefined,
    serverUrl: context.serverUrl,
    scratch: context.temp,
  });

  io.setOutput('branch', result.branch);
  io.setOutput('target-path', result.path);
  io.setOutput('target-name', result.targetName);
  io.setOutput('sha256', result.sha256);
  io.setOutput('length', String(result.length));
  io.setOutput('changed', String(result.changed));
  io.setOutput('pushed', String(result.pushed));
  io.setOutput('signing-pr-url', result.signingPullRequestsUrl ?? '');
  io.setOutput('result', JSON.stringify(result));
  // Once per run: the repository lists nested names tuf-on-ci's own update-targets would drop.
  for (const warning of result.warnings ?? []) io.warning(warning);
  io.info(
    result.changed
      ? `pushed ${result.branch}: ${result.targetName} (sha256 ${result.sha256}, ${result.length} bytes), targets.json v${result.version}`
      : `${result.targetName} is already listed on ${result.branch} with the same bytes: nothing pushed`,
  );
  await io.appendSummary(
    summaryTable(`TUF signing event for ${tag}`, [
      ['Image', code(`${image}@${digest}`)],
      ['TUF manifest', code(result.path)],
      ['targets.json', `v${result.version}, sha256 ${code(result.sha256)}, ${result.length} bytes`],
      [
        'Signing branch',
        code(result.branch) + (result.changed ? '' : ' (unchanged, nothing pushed)'),
      ],
      [
        'Signing PR',
        result.signingPullRequestsUrl
          ? link(`pull requests for ${result.branch}`, result.signingPullRequestsUrl)
          : 'opened by TUF-on-CI in the TUF repository',
      ],
    ]),
  );
}
