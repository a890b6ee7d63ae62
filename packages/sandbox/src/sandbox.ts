import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestSigstore, type TestSigstore } from '@oci-sd/test-sigstore';
import { OciLayoutSource, RegistrySource, type ImageStore } from '@oci-sd/oci';
import { CONFIG_FILE } from '@oci-sd/release';
import { Forge, type HostedRepo } from './forge';
import { publishSite, servePages } from './pages';
import { initTufRepository, tufSigners } from './tuf-repo';
import {
  BUILD_WORKFLOW,
  MAINTAINER,
  PROJECT_CHECK,
  PUBLISH_WORKFLOW,
  SimulatedActions,
  SIGNING_CHECK,
} from './workflows';

const run = promisify(execFile);

export const SANDBOX_PROJECT = 'acme/app';
const SANDBOX_TUF = 'acme/app-tuf-on-ci';

/** The sample project's changelog: one release out, two changes waiting. */
const SAMPLE_CHANGELOG = `# Changelog

All notable changes to this project are documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]

### Added
- Service discovery for OCI instance pools.

### Fixed
- Refresh interval no longer drifts after a failed scrape.

## [1.4.1] - 2026-03-02

### Fixed
- Configuration reload keeps the previous targets on error.

[Unreleased]: https://github.com/acme/app/compare/v1.4.1...HEAD
[1.4.1]: https://github.com/acme/app/releases/tag/v1.4.1
`;

export interface SandboxOptions {
  /** Push the image to this registry host (`127.0.0.1:PORT`) instead of an OCI image layout. */
  registryHost?: string;
  log?: (line: string) => void;
}

export interface Sandbox {
  root: string;
  /** The maintainer's clone of the sample project (the release runs here). */
  projectDir: string;
  /** Environment for `oci-sd` in the project: the GitHub token and a git identity. */
  env: NodeJS.ProcessEnv;
  token: string;
  forge: Forge;
  project: HostedRepo;
  tuf: HostedRepo;
  sigstore: TestSigstore;
  actions: SimulatedActions;
  pagesUrl: string;
  /** The directory the Pages site is served from. */
  siteDir: string;
  /** Pinned TUF root (1.root.json) and the test Sigstore trusted root, as a consumer has them. */
  tufRoot: string;
  trustedRoot: string;
  image: string;
  /** Stops every server and process; removes the folder unless `keep`. */
  stop(keep?: boolean): Promise<void>;
}

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: MAINTAINER.name,
  GIT_AUTHOR_EMAIL: MAINTAINER.email,
  GIT_COMMITTER_NAME: MAINTAINER.name,
  GIT_COMMITTER_EMAIL: MAINTAINER.email,
};

async function git(cwd: string, ...args: string[]): Promise<void> {
  await run('git', args, { cwd, env: { ...process.env, ...GIT_IDENTITY } });
}

/**
 * Everything a release touches, on loopback in a temp folder: the GitHub API test server with
 * real git remotes for the project and its TUF-on-CI repository, the test Sigstore instance, an
 * image store, the TUF Pages site, and the simulated workflows that react to what the release does.
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'oci-sd-sandbox-'));
  const log = options.log ?? (() => undefined);
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async (keep = false) => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    if (!keep) await rm(root, { recursive: true, force: true });
  };
  try {
    const token = `ghs_sandbox${Date.now().toString(36)}`;
    const sigstore = await startTestSigstore();
    stops.push(() => sigstore.stop());
    const forge = await Forge.start(join(root, 'forge'), { token });
    stops.push(() => forge.stop());
    const project = forge.createRepo(SANDBOX_PROJECT, { workflows: [BUILD_WORKFLOW] });
    const tuf = forge.createRepo(SANDBOX_TUF, {
      workflows: [PUBLISH_WORKFLOW, 'online-sign.yml', 'signing-event.yml'],
    });
    const trust = join(root, 'trust');
    await mkdir(trust, { recursive: true });
    const trustedRoot = join(trust, 'trusted_root.json');
    await sigstore.writeTrustedRoot(trustedRoot);

    // the TUF-on-CI repository, initialised and published once
    const signers = tufSigners(sigstore, SANDBOX_TUF);
    const tufWork = join(root, 'tuf-init');
    await mkdir(tufWork);
    await git(tufWork, 'init', '--quiet', '--initial-branch=main');
    await initTufRepository(tufWork, signers);
    await git(tufWork, 'add', '-A');
    await git(tufWork, 'commit', '--quiet', '-m', 'Initialize TUF repository');
    await git(tufWork, 'push', '--quiet', tuf.gitUrl, 'main');
    const tufRoot = join(trust, '1.root.json');
    await copyFile(join(tufWork, 'metadata', 'root_history', '1.root.json'), tufRoot);
    const siteDir = join(root, 'pages');
    publishSite(tufWork, siteDir);
    const pages = await servePages(siteDir);
    stops.push(
      () => new Promise<void>((resolve) => (pages.server as Server).close(() => resolve())),
    );

    const store: ImageStore = options.registryHost
      ? new RegistrySource(options.registryHost, SANDBOX_PROJECT)
      : new OciLayoutSource(join(root, 'registry'));
    const image = options.registryHost
      ? `${options.registryHost}/${SANDBOX_PROJECT}`
      : store.location;

    // the sample project and the maintainer's clone
    const projectDir = join(root, 'app');
    await mkdir(projectDir);
    await git(projectDir, 'init', '--quiet', '--initial-branch=main');
    const config = {
      repo: SANDBOX_PROJECT,
      tufRepo: SANDBOX_TUF,
      image,
      serverUrl: 'https://github.com',
      apiUrl: forge.api.url,
      tufGitUrl: tuf.gitUrl,
      tufUrl: pages.url,
      tufRoot,
      trustedRoot,
      signingCheck: SIGNING_CHECK,
      prChecks: [PROJECT_CHECK],
    };
    await writeFile(join(projectDir, 'CHANGELOG.md'), SAMPLE_CHANGELOG);
    await writeFile(join(projectDir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    await writeFile(join(projectDir, '.gitignore'), '.oci-sd/\n');
    await git(projectDir, 'add', '-A');
    await git(projectDir, 'commit', '--quiet', '-m', 'Sample project');
    await git(projectDir, 'tag', 'v1.4.1');
    await git(projectDir, 'remote', 'add', 'origin', project.gitUrl);
    await git(projectDir, 'push', '--quiet', '-u', 'origin', 'main', 'v1.4.1');

    const actions = new SimulatedActions({
      forge,
      sigstore,
      project,
      tuf,
      signers,
      image,
      store,
      siteDir,
      scratch: await mkdtemp(join(root, 'runner-')),
      token,
      log,
    });
    stops.push(() => actions.settled());
    return {
      root,
      projectDir,
      env: {
        ...process.env,
        ...GIT_IDENTITY,
        GITHUB_TOKEN: token,
        GH_TOKEN: '',
        NO_UPDATE_NOTIFIER: '1',
      },
      token,
      forge,
      project,
      tuf,
      sigstore,
      actions,
      pagesUrl: pages.url,
      siteDir,
      tufRoot,
      trustedRoot,
      image,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
