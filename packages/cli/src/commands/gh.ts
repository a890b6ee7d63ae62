import { readFile } from 'node:fs/promises';
import {
  createGitHubClient,
  createRelease,
  defaultBranch,
  dispatchWorkflow,
  findPullRequest,
  findRelease,
  getPullRequest,
  getWorkflowRun,
  GitHubError,
  mergePullRequest,
  parseRepo,
  waitForCheck,
  waitForRun,
  type GitHubClient,
  type ReleaseInfo,
  type RepoRef,
  type RunInfo,
} from '@oci-sd/gh';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CliError } from '../errors';

const EXAMPLES = `
Examples:
  $ oci-sd gh workflow run publish.yml --repo amaanx86/oci-prometheus-sd-proxy-tuf-on-ci --wait
  $ oci-sd gh run watch 123456789 --repo amaanx86/oci-prometheus-sd-proxy
  $ oci-sd gh release create v1.5.0 dist/sbom.cdx.json --title v1.5.0 --notes-file notes.md --target main
  $ oci-sd gh release view v1.5.0 --json
  $ oci-sd gh pr merge --head-prefix sign/release-1-5-0- --check "TUF-on-CI signing event" --repo acme/app-tuf-on-ci

Token: GH_TOKEN or GITHUB_TOKEN (Enterprise: GH_ENTERPRISE_TOKEN), else \`gh auth token\`.
Server: GITHUB_API_URL / GITHUB_SERVER_URL (GitHub Enterprise Server: https://HOST/api/v3).
Exit codes: 1 a run or check failed or a merge was refused; 3 network failures, timeouts, rate limits;
2 bad input and other GitHub errors (the message says what to do).`;

function repoOption(): Option {
  return new Option('-R, --repo <owner/repo>', 'the repository').env('GITHUB_REPOSITORY');
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError('USAGE', `${flag} must be a positive number of seconds, found "${value}"`, {
      expected: 'seconds > 0',
      found: value,
    });
  return n * 1000;
}

/** `-f key=value`, repeatable, into workflow inputs. */
function collectField(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0)
    throw new CliError('USAGE', `-f takes key=value, found "${value}"`, {
      expected: 'key=value',
      found: value,
    });
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function client(): Promise<GitHubClient> {
  return createGitHubClient({
    onRateLimit: (e) =>
      progress(
        `rate limited (${e.kind}), ${e.retrying ? `waiting ${e.retryAfterSeconds}s` : 'giving up'}`,
      ),
  });
}

/** Waits for a run, printing status changes, then the result; a conclusion other than success fails. */
async function watchRun(
  github: GitHubClient,
  repo: RepoRef,
  runId: number,
  wait: { intervalMs: number; timeoutMs: number },
  json: boolean,
  extra: Record<string, unknown>,
): Promise<RunInfo> {
  let last = '';
  const run = await waitForRun(github, repo, runId, {
    ...wait,
    failOnConclusion: false,
    onProgress: (r) => {
      if (r.status !== last) progress(`run ${r.id}: ${(last = r.status ?? 'unknown')}`);
    },
  });
  if (json)
    print(
      JSON.stringify(
        {
          runId: run.id,
          url: run.htmlUrl,
          ...extra,
          status: run.status,
          conclusion: run.conclusion,
        },
        null,
        2,
      ),
    );
  else print(`${run.htmlUrl} ${run.conclusion}`);
  if (run.conclusion !== 'success')
    throw new CliError(
      'RUN_FAILED',
      `workflow run ${run.id} concluded ${run.conclusion}: ${run.htmlUrl}`,
      { expected: 'success', found: run.conclusion },
    );
  return run;
}

function releaseSummary(release: ReleaseInfo): Record<string, unknown> {
  return {
    tag: release.tag,
    name: release.name,
    draft: release.draft,
    prerelease: release.prerelease,
    immutable: release.immutable,
    url: release.htmlUrl,
    assets: release.assets.map((a) => ({
      name: a.name,
      size: a.size,
      digest: a.digest,
      url: a.downloadUrl,
    })),
  };
}

export function register(program: Command): void {
  const gh = program
    .command('gh')
    .description('GitHub helpers: releases, workflow runs, pull requests')
    .addHelpText('after', EXAMPLES);

  const workflow = gh.command('workflow').description('GitHub Actions workflows');
  workflow
    .command('run')
    .description(
      'dispatch a workflow (workflow_dispatch) and print its run; never starts a second run when an answer is lost',
    )
    .argument('<workflow>', 'workflow file name (publish.yml) or id')
    .addOption(repoOption())
    .option('--ref <branch-or-tag>', 'ref to run on (default: the default branch)')
    .option('-f, --field <key=value>', 'workflow input, repeatable', collectField, {})
    .option('--wait', 'wait for the run to finish; a run that does not succeed fails the command')
    .option('--interval <seconds>', 'poll interval while waiting', '10')
    .option('--timeout <seconds>', 'give up waiting after', '3600')
    .option(
      '--no-reuse',
      'dispatch even if a run on the same commit is queued, running or succeeded',
    )
    .option('--json', 'print the run as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd gh workflow run publish.yml --repo acme/app-tuf-on-ci\n  $ oci-sd gh workflow run release.yml --ref v1.5.0 -f dry_run=false --wait --interval 5',
    )
    .action(
      async (
        file: string,
        opts: {
          repo?: string;
          ref?: string;
          field: Record<string, string>;
          wait?: boolean;
          interval: string;
          timeout: string;
          reuse: boolean;
          json?: boolean;
        },
      ) => {
        const interval = seconds(opts.interval, '--interval');
        const timeout = seconds(opts.timeout, '--timeout');
        const repo = parseRepo(opts.repo);
        const github = await client();
        const ref = opts.ref ?? (await defaultBranch(github, repo));
        const dispatched = await dispatchWorkflow(github, repo, file, {
          ref,
          inputs: opts.field,
          reuse: opts.reuse,
        });
        progress(
          `${dispatched.via === 'reused' ? 'Reusing' : 'Dispatched'} ${file} on ${ref}: run ${dispatched.runId} ${dispatched.htmlUrl}`,
        );
        if (!opts.wait) {
          if (opts.json)
            print(
              JSON.stringify(
                { runId: dispatched.runId, url: dispatched.htmlUrl, via: dispatched.via },
                null,
                2,
              ),
            );
          else print(dispatched.htmlUrl);
          return;
        }
        await watchRun(
          github,
          repo,
          dispatched.runId,
          { intervalMs: interval, timeoutMs: timeout },
          opts.json === true,
          { via: dispatched.via },
        );
      },
    );

  gh.command('run')
    .description('workflow runs')
    .command('watch')
    .description(
      'wait for a workflow run to finish, printing its status; a run that does not succeed fails the command',
    )
    .argument('<run-id>', 'the run id (from the run URL)')
    .addOption(repoOption())
    .option('--interval <seconds>', 'poll interval', '10')
    .option('--timeout <seconds>', 'give up after', '3600')
    .option('--json', 'print the run as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd gh run watch 123456789 --repo acme/app\n  $ oci-sd gh run watch 123456789 --interval 5 --json',
    )
    .action(
      async (
        id: string,
        opts: { repo?: string; interval: string; timeout: string; json?: boolean },
      ) => {
        if (!/^[1-9]\d*$/.test(id))
          throw new CliError('USAGE', `run id must be a positive integer, found "${id}"`, {
            expected: 'e.g. 123456789',
            found: id,
          });
        const wait = {
          intervalMs: seconds(opts.interval, '--interval'),
          timeoutMs: seconds(opts.timeout, '--timeout'),
        };
        const repo = parseRepo(opts.repo);
        const github = await client();
        const run = await getWorkflowRun(github, repo, Number(id));
        progress(
          `run ${run.id} (${run.name ?? 'workflow'}, ${run.event} on ${run.headBranch ?? run.headSha}): ${run.htmlUrl}`,
        );
        await watchRun(github, repo, run.id, wait, opts.json === true, {});
      },
    );

  const pr = gh.command('pr').description('pull requests');
  pr.command('merge')
    .description(
      'merge a pull request pinned to its head sha, optionally once a check has passed; an already merged one is success',
    )
    .argument('[number]', 'pull request number (or give --head / --head-prefix)')
    .addOption(repoOption())
    .option('--head <branch>', 'the open pull request from this branch')
    .option(
      '--head-prefix <prefix>',
      'the newest open pull request whose branch starts with this, e.g. sign/release-1-5-0-',
    )
    .option(
      '--sha <sha>',
      'merge only if the head is still this commit (default: the head seen when the command starts)',
    )
    .option('--check <name>', 'wait for this check on the head to succeed first')
    .addOption(
      new Option('--method <method>', 'merge method')
        .choices(['merge', 'squash', 'rebase'])
        .default('merge'),
    )
    .option('--interval <seconds>', 'poll interval while waiting', '10')
    .option('--timeout <seconds>', 'give up waiting after', '3600')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd gh pr merge 42 --sha 5f7dda4... --repo acme/app\n  $ oci-sd gh pr merge --head-prefix sign/release-1-5-0- --check "TUF-on-CI signing event"',
    )
    .action(
      async (
        number: string | undefined,
        opts: {
          repo?: string;
          head?: string;
          headPrefix?: string;
          sha?: string;
          check?: string;
          method: 'merge' | 'squash' | 'rebase';
          interval: string;
          timeout: string;
          json?: boolean;
        },
      ) => {
        const selectors = [number, opts.head, opts.headPrefix].filter((v) => v !== undefined);
        if (selectors.length !== 1)
          throw new CliError('USAGE', 'give exactly one of a number, --head or --head-prefix', {
            expected: 'one selector',
            found: selectors.length,
          });
        if (number !== undefined && !/^[1-9]\d*$/.test(number))
          throw new CliError(
            'USAGE',
            `pull request number must be a positive integer, found "${number}"`,
            { expected: 'e.g. 42', found: number },
          );
        const wait = {
          intervalMs: seconds(opts.interval, '--interval'),
          timeoutMs: seconds(opts.timeout, '--timeout'),
        };
        const repo = parseRepo(opts.repo);
        const github = await client();
        const pull =
          number !== undefined
            ? await getPullRequest(github, repo, Number(number))
            : await findPullRequest(
                github,
                repo,
                opts.head !== undefined ? { head: opts.head } : { headPrefix: opts.headPrefix! },
                { state: 'all' },
              );
        if (!pull)
          throw new GitHubError(
            'NOT_FOUND',
            `no pull request from ${opts.head ?? `${opts.headPrefix}*`} in ${repo.owner}/${repo.repo}`,
            { expected: 'a pull request', found: 'none' },
          );
        const sha = opts.sha ?? pull.headSha;
        progress(
          `pull request #${pull.number} (${pull.head} -> ${pull.base}) at ${sha}: ${pull.htmlUrl}`,
        );
        if (opts.check !== undefined && !pull.merged) {
          let last = '';
          await waitForCheck(github, repo, sha, opts.check, {
            ...wait,
            onProgress: (e) => {
              if (e.state !== last) progress(`check "${opts.check}": ${(last = e.state)}`);
            },
          });
          progress(`check "${opts.check}": success`);
        }
        const merged = await mergePullRequest(github, repo, pull.number, {
          ...wait,
          sha,
          method: opts.method,
        });
        if (opts.json)
          print(
            JSON.stringify(
              {
                number: pull.number,
                url: pull.htmlUrl,
                mergeCommit: merged.sha,
                alreadyMerged: merged.alreadyMerged,
              },
              null,
              2,
            ),
          );
        else
          print(
            `${merged.alreadyMerged ? 'already merged' : 'merged'} #${pull.number} as ${merged.sha}`,
          );
      },
    );

  const release = gh
    .command('release')
    .description('GitHub releases (draft, assets, publish: safe with immutable releases)');
  release
    .command('create')
    .description(
      'create a release: draft, upload the assets, then publish; a rerun completes or reuses it, never duplicates',
    )
    .argument('<tag>', 'tag to release, e.g. v1.5.0')
    .argument('[files...]', 'assets to attach (path, or path#label)')
    .addOption(repoOption())
    .requiredOption('--target <branch-or-sha>', 'commit the tag is created from (always explicit)')
    .option('-t, --title <title>', 'release title (default: the tag)')
    .option('-n, --notes <text>', 'release notes')
    .option('-F, --notes-file <path>', 'read the release notes from a file')
    .option('--prerelease', 'mark as a prerelease')
    .addOption(new Option('--latest <value>', 'make_latest').choices(['true', 'false', 'legacy']))
    .option('-d, --draft', 'stop after the assets: leave the release as a draft')
    .option('--json', 'print the release as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd gh release create v1.5.0 --target main --notes-file notes.md release-metadata.json sbom.cdx.json\n  $ oci-sd gh release create v2.0.0-rc.1 --target main --prerelease --latest false',
    )
    .action(
      async (
        tag: string,
        files: string[],
        opts: {
          repo?: string;
          target: string;
          title?: string;
          notes?: string;
          notesFile?: string;
          prerelease?: boolean;
          latest?: 'true' | 'false' | 'legacy';
          draft?: boolean;
          json?: boolean;
        },
      ) => {
        if (opts.notes !== undefined && opts.notesFile !== undefined)
          throw new CliError('USAGE', 'give --notes or --notes-file, not both', {
            expected: 'one of them',
            found: 'both',
          });
        let notes = opts.notes;
        if (opts.notesFile !== undefined) {
          try {
            notes = await readFile(opts.notesFile, 'utf8');
          } catch (error) {
            throw new CliError(
              'USAGE',
              `--notes-file ${opts.notesFile}: ${(error as Error).message}`,
              { expected: 'a readable file', found: opts.notesFile },
            );
          }
        }
        const repo = parseRepo(opts.repo);
        const github = await client();
        const result = await createRelease(github, repo, {
          tag,
          target: opts.target,
          ...(opts.title !== undefined ? { name: opts.title } : {}),
          ...(notes !== undefined ? { notes } : {}),
          prerelease: opts.prerelease === true,
          ...(opts.latest ? { makeLatest: opts.latest } : {}),
          draft: opts.draft === true,
          assets: files.map((file) => {
            const hash = file.lastIndexOf('#');
            return hash > 0
              ? { path: file.slice(0, hash), label: file.slice(hash + 1) }
              : { path: file };
          }),
          onProgress: (e) =>
            progress(
              e.step === 'asset'
                ? `asset ${e.name}: ${e.action}`
                : `${e.step.replace('-', ' ')}: ${e.release.tag}`,
            ),
        });
        if (opts.json)
          print(
            JSON.stringify(
              {
                ...releaseSummary(result.release),
                created: result.created,
                published: result.published,
                updated: result.updated,
              },
              null,
              2,
            ),
          );
        else print(result.release.htmlUrl);
      },
    );

  release
    .command('view')
    .description('show a release (drafts included) and its assets with their digests')
    .argument('<tag>', 'tag of the release')
    .addOption(repoOption())
    .option('--json', 'print the release as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd gh release view v1.5.0 --repo amaanx86/oci-prometheus-sd-proxy\n  $ oci-sd gh release view v1.5.0 --json',
    )
    .action(async (tag: string, opts: { repo?: string; json?: boolean }) => {
      const repo = parseRepo(opts.repo);
      const found = await findRelease(await client(), repo, tag);
      if (!found)
        throw new GitHubError(
          'NOT_FOUND',
          `no release ${tag} in ${repo.owner}/${repo.repo} (drafts included)`,
          { expected: tag, found: 'no release' },
        );
      const summary = releaseSummary(found);
      if (opts.json) {
        print(JSON.stringify(summary, null, 2));
        return;
      }
      const state = found.draft ? 'draft' : found.prerelease ? 'prerelease' : 'published';
      const lines = [
        `${found.name ?? found.tag} (${found.tag}, ${state}${found.immutable ? ', immutable' : ''})`,
        found.htmlUrl,
      ];
      for (const asset of found.assets)
        lines.push(`  ${asset.name}  ${asset.size} bytes  ${asset.digest ?? 'no digest'}`);
      if (found.body) lines.push('', found.body);
      print(lines.join('\n'));
    });
}
