import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '@oci-sd/verify';
import { registryAvailable, startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, tempDir } from './support';
import { OciLayoutSource, RegistrySource, pushImage } from '@oci-sd/oci';
import { startGitHubApiServer } from '@oci-sd/github-api-server';
import { trustMaterialFromJSON, verifyAttestation } from '@oci-sd/verify';

const COMMIT = '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
const REQUEST_TOKEN = 'runner-request-token-7';
const RELEASE_METADATA_TYPE = 'https://github.com/acme/app/release-metadata';
const identity = githubActionsIdentity({
  repository: 'acme/app',
  workflowPath: '.github/workflows/docker-build-push.yml',
  ref: 'refs/tags/v1.5.0',
  sha: COMMIT,
});

/** The runner's OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): a token for the test Fulcio, for the right request token and audience. */
async function startTokenEndpoint(
  sigstore: TestSigstore,
): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(url.searchParams.get('audience') ?? '');
    if (request.headers.authorization !== `Bearer ${REQUEST_TOKEN}`)
      return response.writeHead(401).end();
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ value: sigstore.identityToken(identity) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`,
    requests,
    server,
  };
}

describe.skipIf(!registryAvailable())(
  `commands: sign and attest${registryAvailable() ? '' : ' (skipped: /usr/bin/docker-registry not installed)'}`,
  () => {
    let registry: TestRegistry;
    let sigstore: TestSigstore;
    let tokens: Awaited<ReturnType<typeof startTokenEndpoint>>;
    let dir: string;
    let images = 0;

    const env = () => ({
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_SERVER_URL: 'https://github.com',
      ACTIONS_ID_TOKEN_REQUEST_URL: tokens.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
    });
    const sigstoreInputs = () => ({
      'fulcio-url': sigstore.fulcioURL,
      'rekor-url': sigstore.rekorURL,
    });

    async function newImage(): Promise<{ image: string; digest: Digest }> {
      const repository = `acme/app${++images}`;
      const { digest } = await pushImage(new RegistrySource(registry.host, repository), {
        tag: 'v1.5.0',
        platforms: [{ os: 'linux', architecture: 'amd64', files: { app: `build ${images}` } }],
      });
      return { image: `${registry.host}/${repository}`, digest };
    }

    beforeAll(async () => {
      [registry, sigstore] = await Promise.all([startRegistry(), startTestSigstore()]);
      tokens = await startTokenEndpoint(sigstore);
      dir = tempDir('sign');
      await sigstore.writeTrustedRoot(join(dir, 'trusted_root.json'));
      writeFileSync(
        join(dir, 'sbom.cdx.json'),
        JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] }),
      );
      writeFileSync(
        join(dir, 'release-metadata.json'),
        JSON.stringify({ version: '1.5.0', tag: 'v1.5.0' }),
      );
    });
    afterAll(async () => {
      await Promise.all([
        registry?.stop(),
        sigstore?.stop(),
        new Promise((resolve) => tokens?.server.close(resolve)),
      ]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('attest with github-attestation records the bundle in GitHub’s attestations API, where verifyAttestation finds it', async () => {
      const { image, digest } = await newImage();
      const github = await startGitHubApiServer({ token: 'api-token-3' });
      try {
        const repo = github.state.createRepo('acme/app');
        const attested = await runAction({
          workspace: dir,
          inputs: {
            command: 'attest',
            image,
            digest,
            predicate: 'release-metadata.json',
            'predicate-type': RELEASE_METADATA_TYPE,
            'github-attestation': 'true',
            token: 'api-token-3',
            ...sigstoreInputs(),
          },
          env: { ...env(), GITHUB_API_URL: github.url },
        });
        expect(attested.stderr).toBe('');
        expect(attested.code).toBe(0);
        expect(repo.attestations).toHaveLength(1);
        expect(attested.outputs['attestation-id']).toBe(String(repo.attestations[0]!.id));
        expect(repo.attestations[0]!.subjectDigests).toEqual([digest]);
        // Only the runner's mask command carries the token.
        expect(
          attested.stdout
            .split('\n')
            .filter((line) => !line.startsWith('::add-mask::'))
            .join('\n'),
        ).not.toContain('api-token-3');
        const report = await verifyAttestation({
          artifact: digest,
          owner: 'acme',
          predicateType: RELEASE_METADATA_TYPE,
          bundles: repo.attestations.map((a) => ({
            bundle: a.bundle,
            location: `attestation ${a.id}`,
          })),
          trustedRoots: [trustMaterialFromJSON(sigstore.trustedRoot, 'test sigstore')],
        });
        expect(report.ok, JSON.stringify(report.checks)).toBe(true);
        github.assertNoViolations();
      } finally {
        await github.stop();
      }
    });

    it('signs and attests an image keylessly with the runner OIDC token, and the verify command accepts all of it', async () => {
      const { image, digest } = await newImage();
      const signed = await runAction({
        workspace: dir,
        inputs: { command: 'sign', image, digest, 'tsa-url': sigstore.tsaURL, ...sigstoreInputs() },
        env: env(),
      });
      expect(signed.stderr).toBe('');
      expect(signed.code).toBe(0);
      expect(signed.outputs.referrer).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(signed.outputs['predicate-type']).toBe('https://sigstore.dev/cosign/sign/v1');
      const bundle = JSON.parse(signed.outputs.bundle!) as {
        mediaType: string;
        verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: unknown[] } };
      };
      expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      expect(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(
        1,
      );
      expect(signed.summary).toContain(`| Image | \`${image}@${digest}\` |`);
      expect(tokens.requests.at(-1)).toBe('sigstore');

      const sbom = await runAction({
        workspace: dir,
        inputs: {
          command: 'attest',
          image,
          digest,
          predicate: 'sbom.cdx.json',
          'predicate-type': 'cyclonedx',
          ...sigstoreInputs(),
        },
        env: env(),
      });
      expect(sbom.code).toBe(0);
      expect(sbom.outputs['predicate-type']).toBe('https://cyclonedx.org/bom');
      const metadata = await runAction({
        workspace: dir,
        inputs: {
          command: 'attest',
          image,
          digest,
          predicate: join(dir, 'release-metadata.json'),
          'predicate-type': RELEASE_METADATA_TYPE,
          ...sigstoreInputs(),
        },
        env: env(),
      });
      expect(metadata.code).toBe(0);

      const verified = await runAction({
        workspace: dir,
        inputs: {
          command: 'verify',
          image: `${image}:v1.5.0`,
          tag: 'v1.5.0',
          attestations: `cyclonedx\n${RELEASE_METADATA_TYPE}`,
          'trusted-root': 'trusted_root.json',
        },
        env: env(),
      });
      expect(verified.stdout).toContain('PASSED: 3 checks verified');
      expect(verified.code).toBe(0);
    });

    it('signs into an OCI image layout', async () => {
      const layout = join(dir, 'layout');
      const { digest } = await pushImage(new OciLayoutSource(layout), {
        tag: 'v1.5.0',
        platforms: [{ os: 'linux', architecture: 'arm64', files: { app: 'layout build' } }],
      });
      const signed = await runAction({
        workspace: dir,
        inputs: {
          command: 'sign',
          image: 'oci-layout:layout',
          digest,
          'subject-name': 'ghcr.io/acme/app',
          ...sigstoreInputs(),
        },
        env: env(),
      });
      expect(signed.code).toBe(0);
      const verified = await runAction({
        workspace: dir,
        inputs: {
          command: 'verify',
          image: `oci-layout:${layout}@${digest}`,
          tag: 'v1.5.0',
          'trusted-root': 'trusted_root.json',
        },
        env: env(),
      });
      expect(verified.code).toBe(0);
      expect(verified.outputs.ok).toBe('true');
    });

    it('retries Sigstore answers of 503 and 429, and gives up naming the service after the retries', async () => {
      const { image, digest } = await newImage();
      const before = sigstore.requestCounts;
      sigstore.injectFault({ service: 'fulcio', status: 429 });
      sigstore.injectFault({ service: 'rekor', status: 503 });
      const recovered = await runAction({
        workspace: dir,
        inputs: { command: 'sign', image, digest, ...sigstoreInputs() },
        env: env(),
      });
      expect(recovered.code).toBe(0);
      expect(sigstore.requestCounts.fulcio - before.fulcio).toBe(2);
      expect(sigstore.requestCounts.rekor - before.rekor).toBe(2);

      sigstore.injectFault({ service: 'rekor', status: 503, times: 3 });
      const failed = await runAction({
        workspace: dir,
        inputs: { command: 'sign', image, digest, ...sigstoreInputs() },
        env: env(),
      });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/::error::.*tlog entry.*503/);
      expect(sigstore.requestCounts.rekor - before.rekor).toBe(5);
    });

    it('fails before any Sigstore request when the digest is not in the repository', async () => {
      const { image } = await newImage();
      const before = sigstore.requestCounts;
      const run = await runAction({
        workspace: dir,
        inputs: { command: 'sign', image, digest: `sha256:${'0'.repeat(64)}`, ...sigstoreInputs() },
        env: env(),
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::.*sha256:0{64}/);
      expect(sigstore.requestCounts).toEqual(before);
    });

    it('says the job needs id-token: write when the runner offers no OIDC token', async () => {
      const { image, digest } = await newImage();
      const run = await runAction({
        workspace: dir,
        inputs: { command: 'sign', image, digest, ...sigstoreInputs() },
        env: { GITHUB_REPOSITORY: 'acme/app' },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('permissions: id-token: write');
    });

    it('rejects an image with a tag, an unreadable predicate and a predicate that is not JSON', async () => {
      const { image, digest } = await newImage();
      writeFileSync(join(dir, 'broken.json'), '{"bomFormat": ');
      for (const [inputs, message] of [
        [
          { command: 'sign', image: `${image}:v1.5.0`, digest },
          `input "image": expected a repository or oci-layout:DIR without tag or digest`,
        ],
        [
          {
            command: 'attest',
            image,
            digest,
            predicate: 'missing.json',
            'predicate-type': 'cyclonedx',
          },
          'input "predicate": cannot read',
        ],
        [
          {
            command: 'attest',
            image,
            digest,
            predicate: 'broken.json',
            'predicate-type': 'cyclonedx',
          },
          `input "predicate": ${join(dir, 'broken.json')} is not JSON`,
        ],
        [
          { command: 'attest', image, digest, predicate: 'broken.json' },
          'input "predicate-type" is required',
        ],
      ] as const) {
        const run = await runAction({
          workspace: dir,
          inputs: { ...inputs, ...sigstoreInputs() },
          env: env(),
        });
        expect(run.code).toBe(1);
        expect(run.stdout).toContain(`::error::${message}`);
      }
    });
  },
);
