import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ActionError } from './errors';

type Env = Readonly<Record<string, string | undefined>>;

/** The release process's build workflow (`docker-build-push.yml`), which signs the image. */
const DEFAULT_SIGNING_WORKFLOW = '.github/workflows/docker-build-push.yml';

/** The release a `release` event carries (the fields the commands use). */
export interface ReleaseEvent {
  id: number;
  tag_name: string;
  html_url?: string;
  upload_url?: string;
  published_at?: string;
}

/**
 * The run as the runner describes it in `GITHUB_*` variables and the event payload. Each
 * value is read when asked for, so a command fails only for what it actually needs, naming
 * the variable.
 */
export class GitHubContext {
  private eventPayload?: Record<string, unknown>;

  constructor(private readonly env: Env = process.env) {}

  private require(name: string, meaning: string): string {
    const value = this.env[name];
    if (!value)
      throw new ActionError(
        'MISSING_CONTEXT',
        `environment variable ${name} (${meaning}) is not set; run inside GitHub Actions or set it`,
        { expected: meaning, found: 'unset' },
      );
    return value;
  }

  get serverUrl(): string {
    return (this.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  }

  get apiUrl(): string {
    return (this.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  }

  /** `OWNER/REPO`, when the run states it. */
  get repositoryIfKnown(): string | undefined {
    return this.env.GITHUB_REPOSITORY || undefined;
  }

  /** `OWNER/REPO` */
  get repository(): string {
    return this.require('GITHUB_REPOSITORY', 'OWNER/REPO of the workflow run');
  }

  get runId(): string {
    return this.require('GITHUB_RUN_ID', 'the workflow run id');
  }

  get runUrl(): string {
    return `${this.serverUrl}/${this.repository}/actions/runs/${this.runId}`;
  }

  get sha(): string {
    return this.require('GITHUB_SHA', 'the commit the run builds');
  }

  get workflow(): string {
    return this.require('GITHUB_WORKFLOW', 'the workflow name');
  }

  /** Path of the running workflow file, from `GITHUB_WORKFLOW_REF` (`OWNER/REPO/PATH@REF`). */
  get workflowPath(): string | undefined {
    const ref = this.env.GITHUB_WORKFLOW_REF;
    const match = ref ? /^[^/]+\/[^/]+\/(.+)@[^@]+$/.exec(ref) : null;
    return match?.[1];
  }

  /** The workflow that signs the image: the input, else this run's workflow, else `docker-build-push.yml`. */
  signingWorkflowPath(input: string | undefined): string {
    return input ?? this.workflowPath ?? DEFAULT_SIGNING_WORKFLOW;
  }

  get workspace(): string {
    return this.env.GITHUB_WORKSPACE ?? process.cwd();
  }

  /** A path from an input: relative ones are relative to the workspace, as in workflow files. */
  resolvePath(path: string): string {
    return isAbsolute(path) ? path : join(this.workspace, path);
  }

  /** Scratch space the runner cleans up. */
  get temp(): string {
    return this.env.RUNNER_TEMP ?? tmpdir();
  }

  get event(): Record<string, unknown> {
    if (this.eventPayload) return this.eventPayload;
    const path = this.env.GITHUB_EVENT_PATH;
    if (!path) return (this.eventPayload = {});
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      this.eventPayload =
        parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch (error) {
      throw new ActionError(
        'MISSING_CONTEXT',
        `GITHUB_EVENT_PATH ${path}: cannot read the event payload (${(error as Error).message})`,
        { cause: error },
      );
    }
    return this.eventPayload;
  }

  /** The release of a `release` event, if the run has one. */
  get release(): ReleaseEvent | undefined {
    const release = this.event.release as Partial<ReleaseEvent> | undefined;
    return release && typeof release.id === 'number' && typeof release.tag_name === 'string'
      ? (release as ReleaseEvent)
      : undefined;
  }

  /** The tag being released: the `tag` input, else the release event's tag, else a `refs/tags/` ref. */
  tag(input: string | undefined): string {
    if (input) return input;
    if (this.release) return this.release.tag_name;
    const ref = this.env.GITHUB_REF;
    if (ref?.startsWith('refs/tags/')) return ref.slice('refs/tags/'.length);
    throw new ActionError(
      'MISSING_CONTEXT',
      'no tag: set the "tag" input, or run on a release event or a tag push',
      {
        expected: 'input tag, event.release.tag_name or GITHUB_REF=refs/tags/<tag>',
        found: ref ?? 'nothing',
      },
    );
  }
}
