import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Release, Repo, WorkflowRun } from '@oci-sd/github-api-server';
import {
  createGitHubClient,
  findPullRequest,
  openPullRequest,
  parseRepo,
  type GitHubClient,
} from '@oci-sd/gh';
import {
  githubActionsIdentity,
  slsaGeneratorIdentity,
  type TestIdentity,
  type TestSigstore,
} from '@oci-sd/test-sigstore';
import {
  onlineSign,
  signEvent,
  signingEventStatus,
  type SigstoreTrustedRootJSON,
} from '@oci-sd/tuf';
import type { Digest } from '@oci-sd/oci';
import type { Forge, HostedRepo } from './forge';
import { publishSite } from './pages';
import type { TufSigners } from './tuf-repo';
import {
  attachLegacyAttestation,
  attachReferrerBundle,
  COSIGN_SIGN_PREDICATE_TYPE,
  pushImage,
  type ImageStore,
} from '@oci-sd/oci';
import { actionRunner } from './bins';

const run = promisify(execFile);

/** This process's environment without the variables a runner sets for a step. */
function runnerFreeEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_)/.test(name),
    ),
  );
}

/**
 * A step's `GITHUB_OUTPUT` file: `name=value` lines, or `name<<DELIMITER` blocks as
 * @actions/core writes them (https://docs.github.com/actions/reference/workflow-commands-for-github-actions#multiline-strings).
 */
export function parseStepOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${block[1]} has no closing ${block[2]}`);
      outputs[block[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

export const BUILD_WORKFLOW = 'docker-build-push.yml';
export const PUBLISH_WORKFLOW = 'publish.yml';
export const SIGNING_CHECK = 'TUF-on-CI signing event';
/** The project's CI check on pushed branches (the changelog PR waits for it). */
export const PROJECT_CHECK = 'test';
const CYCLONEDX = 'https://cyclonedx.org/bom';
const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
const SLSA_GENERATOR =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0';
/** Identities in certificates and manifests name github.com, as they would for the real project. */
const SERVER_URL = 'https://github.com';

/** Who commits: the workflows' bot, and the sandbox maintainer. */
const BOT = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};
export const MAINTAINER = { name: 'Sandbox Maintainer', email: 'maintainer@example.test' };

export interface WorkflowWorld {
  forge: Forge;
  sigstore: TestSigstore;
  project: HostedRepo;
  tuf: HostedRepo;
  signers: TufSigners;
  /** Image repository as the release manifest names it (`HOST/OWNER/REPO` or `oci-layout:DIR`). */
  image: string;
  /** Where the build pushes the image and its signatures. */
  store: ImageStore;
  siteDir: string;
  scratch: string;
  token: string;
  log: (line: string) => void;
}

function inTotoStatement(
  digest: Digest,
  name: string,
  predicateType: string,
  predicate: unknown,
  type = 'https://in-toto.io/Statement/v1',
): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: type,
      subject: [{ name, digest: { sha256: digest.slice('sha256:'.length) } }],
      predicateType,
      predicate,
    }),
  );
}

/** The Fulcio chain (intermediate, root) as cosign stores it in legacy layers. */
function caChainPem(sigstore: TestSigstore): string {
  const [authority] = sigstore.trustedRoot.certificateAuthorities as {
    certChain: { certificates: { rawBytes: string }[] };
  }[];
  return authority!.certChain.certificates
    .map(
      (c) =>
        `-----BEGIN CERTIFICATE-----\n${c.rawBytes.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`,
    )
    .join('');
}

/**
 * GitHub Actions of the sandbox: the project's build workflow (the action's own commands for
 * release metadata and the TUF signing branch, cosign-shaped signing through the test Sigstore
 * instance, the SLSA generator's provenance), and TUF-on-CI's signing-event, online-sign and
 * publish workflows. Each repository's jobs run one after another, as a concurrency group would.
 */
export class SimulatedActions {
  private readonly queues = new Map<string, Promise<void>>();
  private client: GitHubClient | undefined;
  private readonly trustedRoot: SigstoreTrustedRootJSON;
  /** Runs that concluded, by workflow file: the demo and the tests read them. */
  readonly concluded: { workflow: string; id: number; conclusion: string }[] = [];
  /** Images the build workflow pushed, by release tag. */
  readonly built = new Map<string, Digest>();

  constructor(private readonly world: WorkflowWorld) {
    this.trustedRoot = world.sigstore.trustedRoot as unknown as SigstoreTrustedRootJSON;
    const { forge, project, tuf } = world;
    forge.api.state.on((event) => {
      if (event.type === 'release.published' && event.repo === project.state)
        this.enqueue(project.fullName, () => this.build(event.release));
      if (
        event.type === 'workflow.dispatched' &&
        event.repo === tuf.state &&
        event.workflow.path.endsWith(`/${PUBLISH_WORKFLOW}`)
      )
        this.enqueue(tuf.fullName, () => this.publish(event.run));
      if (
        event.type === 'pull.opened' &&
        event.repo === tuf.state &&
        event.pull.head.startsWith('sign/release-')
      )
        this.enqueue(tuf.fullName, () => this.maintainerSigns(event.pull.head));
    });
    forge.onPush((push) => {
      if (push.after.startsWith('0000000')) return;
      if (
        push.repo === project.fullName &&
        push.ref.startsWith('refs/heads/') &&
        push.ref !== 'refs/heads/main'
      )
        this.enqueue(project.fullName, () => this.projectCi(push.after));
      if (push.repo !== tuf.fullName) return;
      if (push.ref.startsWith('refs/heads/sign/'))
        this.enqueue(tuf.fullName, () =>
          this.signingEvent(push.ref.slice('refs/heads/'.length), push.after),
        );
      if (push.ref === 'refs/heads/main') this.enqueue(tuf.fullName, () => this.onlineSign());
    });
  }

  private enqueue(key: string, job: () => Promise<void>): void {
    const next = (this.queues.get(key) ?? Promise.resolve())
      .then(job)
      .catch((error: unknown) =>
        this.world.log(`[actions] job failed: ${(error as Error).message}`),
      );
    this.queues.set(key, next);
  }

  /** Resolves once every queued job has finished (jobs queued meanwhile included). */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.queues.values()];
      await Promise.all(pending);
      if ([...this.queues.values()].every((q, i) => q === pending[i])) return;
    }
  }

  private async github(): Promise<GitHubClient> {
    this.client ??= await createGitHubClient({
      token: this.world.token,
      apiUrl: this.world.forge.api.url,
      serverUrl: SERVER_URL,
      ghCli: false,
      minWriteIntervalMs: 0,
      backoffUnitMs: 10,
    });
    return this.client;
  }

  private async runWorkflow(
    repo: Repo,
    run: WorkflowRun,
    label: string,
    job: () => Promise<void>,
  ): Promise<void> {
    const { state } = this.world.forge.api;
    state.setRunStatus(repo, run.id, 'in_progress');
    try {
      await job();
      state.setRunStatus(repo, run.id, 'completed', 'success');
      this.concluded.push({ workflow: label, id: run.id, conclusion: 'success' });
    } catch (error) {
      state.setRunStatus(repo, run.id, 'completed', 'failure');
      this.concluded.push({ workflow: label, id: run.id, conclusion: 'failure' });
      throw error;
    }
  }

  /**
   * Runs the action's bundle (`@oci-sd/action`'s `dist/main.js`, what `runs.main` in its action.yml names) as the
   * runner does: a Node process with `INPUT_*` variables, the `GITHUB_*` context and a
   * `GITHUB_OUTPUT` file, read back once the step exits 0.
   */
  private async action(
    inputs: Record<string, string>,
    context: Record<string, string>,
  ): Promise<Record<string, string>> {
    const step = await mkdtemp(join(this.world.scratch, 'step-'));
    const outputFile = join(step, 'output');
    await writeFile(outputFile, '');
    const env: NodeJS.ProcessEnv = { ...runnerFreeEnv(), ...context, GITHUB_OUTPUT: outputFile };
    for (const [name, value] of Object.entries(inputs))
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [actionRunner('@oci-sd/action')], {
          env,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.once('error', reject);
        child.once('close', (c) => resolve({ stdout: out, code: c }));
      },
    );
    for (const line of stdout.split('\n')) {
      // workflow commands (`::add-mask::`, `::error::`) are the runner's, not the log's
      if (line === '' || line.startsWith('::add-mask::')) continue;
      this.world.log(`[actions]   ${line.replace(/^::error::/, 'error: ')}`);
    }
    if (code !== 0) throw new Error(`the action's ${inputs.command} step exited ${code}`);
    return parseStepOutputs(await readFile(outputFile, 'utf8'));
  }

  /** The project's CI on a pushed branch: a check that goes queued, then passes. */
  private async projectCi(sha: string): Promise<void> {
    const { forge, project } = this.world;
    forge.api.state.setCheckRun(project.state, sha, PROJECT_CHECK, 'in_progress');
    // the check is seen pending before it passes, as on GitHub
    await new Promise((resolve) => setTimeout(resolve, 300));
    forge.api.state.setCheckRun(project.state, sha, PROJECT_CHECK, 'completed', 'success');
    this.world.log(
      `[actions] ${project.fullName}: check "${PROJECT_CHECK}" passed on ${sha.slice(0, 12)}`,
    );
  }

  /** docker-build-push.yml on the release event. */
  private async build(release: Release): Promise<void> {
    const { forge, project, sigstore, store, image, tuf, token } = this.world;
    const tag = release.tagName;
    const sha = project.state.tags.get(tag)!;
    const run = forge.api.state.startRun(project.state, BUILD_WORKFLOW, {
      event: 'release',
      headBranch: tag,
      headSha: sha,
      displayTitle: `Build and Push Docker Image ${tag}`,
    });
    await this.runWorkflow(project.state, run, BUILD_WORKFLOW, async () => {
      const runId = String(run.id);
      this.world.log(`[actions] ${project.fullName}: ${BUILD_WORKFLOW} run ${runId} for ${tag}`);
      const pushed = await pushImage(store, {
        tag: tag.replace(/^v/, ''),
        platforms: [
          {
            os: 'linux',
            architecture: 'amd64',
            files: { 'app/server': `amd64 build of ${tag} at ${sha}` },
          },
          {
            os: 'linux',
            architecture: 'arm64',
            files: { 'app/server': `arm64 build of ${tag} at ${sha}` },
          },
        ],
      });
      const digest = pushed.digest;
      this.built.set(tag, digest);
      this.world.log(`[actions]   pushed ${image}@${digest} (linux/amd64, linux/arm64)`);
      const workflowPath = `.github/workflows/${BUILD_WORKFLOW}`;
      const identityOptions = {
        repository: project.fullName,
        workflowPath,
        ref: `refs/tags/${tag}`,
        sha,
        runId,
        eventName: 'release',
      };
      const workflowIdentity: TestIdentity = githubActionsIdentity(identityOptions);
      const eventPath = join(this.world.scratch, `event-${runId}.json`);
      await writeFile(
        eventPath,
        JSON.stringify({
          release: {
            id: release.id,
            tag_name: tag,
            html_url: `${SERVER_URL}/${project.fullName}/releases/tag/${tag}`,
            published_at: release.publishedAt,
          },
        }),
      );
      const env = {
        GITHUB_REPOSITORY: project.fullName,
        GITHUB_RUN_ID: runId,
        GITHUB_SHA: sha,
        GITHUB_REF: `refs/tags/${tag}`,
        GITHUB_WORKFLOW: 'Build and Push Docker Image',
        GITHUB_WORKFLOW_REF: `${project.fullName}/${workflowPath}@refs/tags/${tag}`,
        GITHUB_SERVER_URL: SERVER_URL,
        GITHUB_API_URL: forge.api.url,
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_WORKSPACE: this.world.scratch,
        RUNNER_TEMP: this.world.scratch,
      };
      const workspace = await mkdtemp(join(this.world.scratch, `run-${runId}-`));
      const metadata = await this.action(
        {
          command: 'release-metadata',
          image,
          digest,
          token,
          'metadata-file': join(workspace, 'release-metadata.json'),
        },
        env,
      );
      const releaseMetadataType = metadata['predicate-type']!;
      // cosign sign and cosign attest (v3: referrer bundles), keyless with the workflow's identity
      const [signature, sbom, releaseAttestation] = await Promise.all([
        sigstore.signDsse(
          inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
          'application/vnd.in-toto+json',
          workflowIdentity,
        ),
        sigstore.signDsse(
          inTotoStatement(digest, image, CYCLONEDX, {
            bomFormat: 'CycloneDX',
            specVersion: '1.5',
            components: [{ type: 'application', name: project.state.name, version: tag }],
          }),
          'application/vnd.in-toto+json',
          workflowIdentity,
        ),
        sigstore.signDsse(
          inTotoStatement(digest, image, releaseMetadataType, JSON.parse(metadata.result!)),
          'application/vnd.in-toto+json',
          workflowIdentity,
        ),
      ]);
      for (const bundle of [signature, sbom, releaseAttestation])
        await attachReferrerBundle(store, digest, bundle);
      this.world.log(
        '[actions]   signed the image; attested the CycloneDX SBOM and release-metadata.json (referrers)',
      );
      // the SLSA generator's isolated job: v0.2 provenance, signed by the generator, cosign v2 layout
      const source = `git+${SERVER_URL}/${project.fullName}@refs/tags/${tag}`;
      const provenance = inTotoStatement(
        digest,
        image,
        SLSA_PROVENANCE_V02,
        {
          builder: { id: SLSA_GENERATOR },
          buildType: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
          invocation: {
            configSource: { uri: source, digest: { sha1: sha }, entryPoint: workflowPath },
            parameters: {},
            environment: {
              github_event_name: 'release',
              github_ref: `refs/tags/${tag}`,
              github_ref_type: 'tag',
              github_run_attempt: '1',
              github_run_id: runId,
              github_sha1: sha,
            },
          },
          metadata: {
            buildInvocationID: `${runId}-1`,
            completeness: { parameters: true, environment: false, materials: false },
            reproducible: false,
          },
          materials: [{ uri: source, digest: { sha1: sha } }],
        },
        'https://in-toto.io/Statement/v0.1',
      );
      const provenanceBundle = await sigstore.signDsse(
        provenance,
        'application/vnd.in-toto+json',
        slsaGeneratorIdentity(identityOptions),
      );
      await attachLegacyAttestation(store, digest, provenanceBundle, {
        chainPem: caChainPem(sigstore),
      });
      this.world.log(
        '[actions]   SLSA v0.2 provenance from the container generator (sha256-<hex>.att)',
      );
      const published = await this.action(
        { command: 'tuf-publish', image, digest, token, 'tuf-repository': tuf.gitUrl },
        env,
      );
      this.world.log(`[actions]   pushed ${published.branch} to ${tuf.fullName}`);
    });
  }

  /** A fresh clone of the TUF repository on `branch`, committing as `who`. */
  private async checkout(
    branch: string,
    who: { name: string; email: string } = BOT,
  ): Promise<string> {
    const dir = await mkdtemp(join(this.world.scratch, 'tuf-'));
    await run('git', ['clone', '--quiet', '--branch', branch, this.world.tuf.gitUrl, dir]);
    await run('git', ['config', 'user.name', who.name], { cwd: dir });
    await run('git', ['config', 'user.email', who.email], { cwd: dir });
    return dir;
  }

  /** TUF-on-CI's signing-event workflow: keep a pull request open for the event and report its status as a check. */
  private async signingEvent(branch: string, sha: string): Promise<void> {
    const { tuf, forge } = this.world;
    const client = await this.github();
    const repo = parseRepo(tuf.fullName);
    if (!(await findPullRequest(client, repo, { head: branch }))) {
      await openPullRequest(client, repo, {
        head: branch,
        base: 'main',
        title: `Signing event: ${branch}`,
        body: 'Opened by the signing-event workflow.',
      });
    }
    const dir = await this.checkout(branch);
    const status = await signingEventStatus(dir, {
      event: branch,
      base: 'origin/main',
      sigstoreTrustedRoot: this.trustedRoot,
    });
    forge.api.state.setCheckRun(
      tuf.state,
      sha,
      SIGNING_CHECK,
      'completed',
      status.complete ? 'success' : 'failure',
    );
    this.world.log(
      `[actions] ${tuf.fullName}: signing event ${branch}: ${status.complete ? 'threshold reached' : 'waiting for signatures'}`,
    );
  }

  /** The maintainer, seeing the signing pull request, runs `oci-sd tuf sign <event> --push` with their identity. */
  private async maintainerSigns(branch: string): Promise<void> {
    const { signers } = this.world;
    const dir = await this.checkout(branch, MAINTAINER);
    const result = await signEvent(dir, branch, signers.maintainer(), {
      user: signers.maintainerUser,
      base: 'origin/main',
      push: { remote: 'origin' },
      sigstoreTrustedRoot: this.trustedRoot,
    });
    this.world.log(
      `[maintainer] signed ${result.signed.join(', ')} on ${branch} as ${signers.maintainerUser}`,
    );
  }

  /** TUF-on-CI's online-sign workflow on pushes to main: fresh snapshot and timestamp when targets changed. */
  private async onlineSign(): Promise<void> {
    const dir = await this.checkout('main');
    const result = await onlineSign(dir, this.world.signers.online(), {
      push: { remote: 'origin' },
      sigstoreTrustedRoot: this.trustedRoot,
    });
    if (result.commit)
      this.world.log(
        `[actions] ${this.world.tuf.fullName}: online-sign: snapshot v${result.snapshot}, timestamp v${result.timestamp}`,
      );
  }

  /** publish.yml: deploy main's metadata to the Pages site. */
  private async publish(dispatched: WorkflowRun): Promise<void> {
    const { tuf } = this.world;
    await this.runWorkflow(tuf.state, dispatched, PUBLISH_WORKFLOW, async () => {
      publishSite(await this.checkout('main'), this.world.siteDir);
      this.world.log(
        `[actions] ${tuf.fullName}: ${PUBLISH_WORKFLOW} run ${dispatched.id} published the TUF metadata`,
      );
    });
  }
}
