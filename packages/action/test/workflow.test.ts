import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGitHubApiServer } from '@oci-sd/github-api-server';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import { registryAvailable, startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, haveFixtures } from '@oci-sd/test-support';
import { gitSync, runAction, tempDir } from './support';
import { RegistrySource, pushImage } from '@oci-sd/oci';

const TOKEN = 'ghs_workflowtoken0099';
const REQUEST_TOKEN = 'runner-request-token-9';
const REPOSITORY = 'amaanx86/oci-prometheus-sd-proxy';
const SHA = '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
const RUN_ID = '24700000077';
const ready = registryAvailable() && haveFixtures;

/**
 * docs/workflow.md's build job, step by step through the bundle: each step's outputs feed the
 * next step's inputs as the YAML wires them.
 */
describe.skipIf(!ready)(
  `the build workflow of docs/workflow.md${ready ? '' : ' (skipped: needs docker-registry and the fixtures)'}`,
  () => {
    let registry: TestRegistry;
    let sigstore: TestSigstore;
    let github: GitHubApiServer;
    let tokenEndpoint: Server;
    let dir: string;
    let tufRemote: string;
    let env: Record<string, string>;
    let event: unknown;

    beforeAll(async () => {
      [registry, sigstore, github] = await Promise.all([
        startRegistry(),
        startTestSigstore(),
        startGitHubApiServer({ token: TOKEN }),
      ]);
      dir = tempDir('workflow');
      const identity = githubActionsIdentity({
        repository: REPOSITORY,
        workflowPath: '.github/workflows/docker-build-push.yml',
        ref: 'refs/tags/v1.6.0',
        sha: SHA,
        runId: RUN_ID,
        eventName: 'release',
      });
      tokenEndpoint = createServer((request, response) => {
        if (request.headers.authorization !== `Bearer ${REQUEST_TOKEN}`)
          return response.writeHead(401).end();
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ value: sigstore.identityToken(identity) }));
      });
      await new Promise<void>((resolve) => tokenEndpoint.listen(0, '127.0.0.1', resolve));

      github.state.createRepo(REPOSITORY);
      const response = await fetch(`${github.url}/repos/${REPOSITORY}/releases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tag_name: 'v1.6.0', target_commitish: 'main', name: 'v1.6.0' }),
      });
      event = { action: 'published', release: await response.json() };

      const work = join(dir, 'tuf-work');
      mkdirSync(join(work, 'metadata'), { recursive: true });
      cpSync(fixturePath('tuf', 'amaanx86', 'metadata'), join(work, 'metadata'), {
        recursive: true,
      });
      cpSync(
        fixturePath('tuf', 'amaanx86', 'metadata', 'root_history', '1.root.json'),
        join(work, 'metadata', 'root.json'),
      );
      gitSync(dir, 'init', '--quiet', '--initial-branch=main', work);
      gitSync(work, 'add', '--all');
      gitSync(work, 'commit', '--quiet', '-m', 'TUF repository');
      tufRemote = join(dir, 'tuf.git');
      gitSync(dir, 'clone', '--quiet', '--bare', work, tufRemote);

      writeFileSync(
        join(dir, 'sbom.cdx.json'),
        JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] }),
      );
      await sigstore.writeTrustedRoot(join(dir, 'trusted_root.json'));
      env = {
        GITHUB_REPOSITORY: REPOSITORY,
        GITHUB_SERVER_URL: github.url,
        GITHUB_API_URL: github.url,
        GITHUB_SHA: SHA,
        GITHUB_RUN_ID: RUN_ID,
        GITHUB_WORKFLOW: 'Build and Push Docker Image',
        GITHUB_WORKFLOW_REF: `${REPOSITORY}/.github/workflows/docker-build-push.yml@refs/tags/v1.6.0`,
        ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${(tokenEndpoint.address() as AddressInfo).port}/token`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
      };
    });
    afterAll(async () => {
      await Promise.all([
        registry?.stop(),
        sigstore?.stop(),
        github?.stop(),
        new Promise((resolve) => tokenEndpoint?.close(resolve)),
      ]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('signs, attests, writes and uploads the metadata, pushes the TUF signing event, and the result verifies', async () => {
      const image = `${registry.host}/${REPOSITORY}`;
      const { digest } = await pushImage(new RegistrySource(registry.host, REPOSITORY), {
        tag: '1.6.0',
        platforms: [
          { os: 'linux', architecture: 'amd64', files: { app: 'amd64' } },
          { os: 'linux', architecture: 'arm64', files: { app: 'arm64' } },
        ],
      });
      const sigstoreUrls = { 'fulcio-url': sigstore.fulcioURL, 'rekor-url': sigstore.rekorURL };
      const step = async (inputs: Record<string, string>) => {
        const run = await runAction({
          workspace: dir,
          inputs: { token: TOKEN, ...inputs },
          event,
          env,
        });
        expect({
          command: inputs.command,
          code: run.code,
          error: run.stdout.match(/::error::.*/)?.[0],
        }).toEqual({ command: inputs.command, code: 0, error: undefined });
        return run;
      };

      const summaries: string[] = [];
      summaries.push((await step({ command: 'sign', image, digest, ...sigstoreUrls })).summary);
      summaries.push(
        (
          await step({
            command: 'attest',
            image,
            digest,
            predicate: 'sbom.cdx.json',
            'predicate-type': 'cyclonedx',
            ...sigstoreUrls,
          })
        ).summary,
      );
      const metadata = await step({ command: 'release-metadata', image, digest });
      summaries.push(metadata.summary);
      summaries.push(
        (
          await step({
            command: 'attest',
            image,
            digest,
            predicate: metadata.outputs['metadata-file']!,
            'predicate-type': metadata.outputs['predicate-type']!,
            ...sigstoreUrls,
          })
        ).summary,
      );
      const tuf = await step({
        command: 'tuf-publish',
        image,
        digest,
        'tuf-repository': tufRemote,
      });
      summaries.push(tuf.summary);

      expect(github.state.repo(REPOSITORY).releases[0]!.assets.map((asset) => asset.name)).toEqual([
        'release-metadata.json',
      ]);
      const manifest = JSON.parse(
        gitSync(tufRemote, 'show', `${tuf.outputs.branch}:${tuf.outputs['target-path']}`),
      ) as { digest: string; image: string };
      expect(manifest).toMatchObject({ digest, image });
      expect(summaries.join('')).toContain(
        `| TUF manifest | \`targets/oci-prometheus-sd-proxy/releases/v1.6.0.json\` |`,
      );

      const verified = await step({
        command: 'verify',
        image: `${image}@${digest}`,
        tag: 'v1.6.0',
        attestations: `cyclonedx\n${metadata.outputs['predicate-type']}`,
        'certificate-identity': `https://github.com/${REPOSITORY}/.github/workflows/docker-build-push.yml@refs/tags/v1.6.0`,
        'trusted-root': 'trusted_root.json',
      });
      expect(verified.outputs.ok).toBe('true');
      const report = JSON.parse(verified.outputs.report!) as {
        checks: { check: string; evidence?: { predicate?: unknown } }[];
      };
      expect(report.checks.map((check) => check.check)).toEqual([
        'image-signature',
        'attestation:https://cyclonedx.org/bom',
        `attestation:${metadata.outputs['predicate-type']}`,
      ]);
      expect(JSON.stringify(report)).toContain(
        JSON.parse(readFileSync(metadata.outputs['metadata-file']!, 'utf8')).built_at,
      );
      github.assertNoViolations();
    });
  },
);
