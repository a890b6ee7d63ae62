import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '@oci-sd/verify';
import { registryAvailable, startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestIdentity, TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTufSite, startSeedReleaseWorld } from '@oci-sd/release-fixture';
import type { SeedRelease, SeedReleaseWorld } from '@oci-sd/release-fixture';
import { runAction, tempDir } from './support';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  RegistrySource,
  attachReferrerBundle,
  pushImage,
} from '@oci-sd/oci';

const COMMIT = '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
const CYCLONEDX = 'https://cyclonedx.org/bom';

function statement(
  digest: Digest,
  name: string,
  predicateType: string,
  predicate: unknown,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name, digest: { sha256: digest.slice(7) } }],
      predicateType,
      predicate,
    }),
  );
}

describe.skipIf(!registryAvailable())(
  `command: verify${registryAvailable() ? '' : ' (skipped: /usr/bin/docker-registry not installed)'}`,
  () => {
    let registry: TestRegistry;
    let sigstore: TestSigstore;
    let identity: TestIdentity;
    let dir: string;
    let trustedRoot: string;
    let image: string;
    let digest: Digest;

    const env = () => ({ GITHUB_REPOSITORY: 'acme/app', GITHUB_SERVER_URL: 'https://github.com' });

    beforeAll(async () => {
      [registry, sigstore] = await Promise.all([startRegistry(), startTestSigstore()]);
      dir = tempDir('verify');
      trustedRoot = join(dir, 'trusted_root.json');
      await sigstore.writeTrustedRoot(trustedRoot);
      identity = githubActionsIdentity({
        repository: 'acme/app',
        workflowPath: '.github/workflows/docker-build-push.yml',
        ref: 'refs/tags/v1.5.0',
        sha: COMMIT,
      });
      const store = new RegistrySource(registry.host, 'acme/app');
      image = `${registry.host}/acme/app`;
      ({ digest } = await pushImage(store, {
        tag: 'v1.5.0',
        platforms: [{ os: 'linux', architecture: 'amd64', files: { app: 'v1.5.0' } }],
      }));
      const sign = (predicateType: string, predicate: unknown) =>
        sigstore.signDsse(
          statement(digest, image, predicateType, predicate),
          'application/vnd.in-toto+json',
          identity,
        );
      await attachReferrerBundle(store, digest, await sign(COSIGN_SIGN_PREDICATE_TYPE, {}));
      await attachReferrerBundle(
        store,
        digest,
        await sign(CYCLONEDX, { bomFormat: 'CycloneDX', specVersion: '1.5' }),
      );
    });
    afterAll(async () => {
      await Promise.all([registry?.stop(), sigstore?.stop()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('verifies the signature and the SBOM attestation by digest, with the identity derived from the run, and reports each check', async () => {
      const run = await runAction({
        workspace: dir,
        inputs: {
          command: 'verify',
          image: `${image}:v1.5.0`,
          tag: 'v1.5.0',
          attestations: 'cyclonedx',
          'trusted-root': 'trusted_root.json',
          'report-file': 'report.json',
        },
        env: env(),
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.outputs.ok).toBe('true');
      expect(run.outputs.digest).toBe(digest);
      const report = JSON.parse(run.outputs.report!) as {
        ok: boolean;
        checks: { check: string; status: string }[];
      };
      expect(report.checks.map((check) => [check.check, check.status])).toEqual([
        ['image-signature', 'pass'],
        [`attestation:${CYCLONEDX}`, 'pass'],
      ]);
      expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual(report);
      expect(run.summary).toContain(`### Verification of ${image}:v1.5.0: passed`);
      expect(run.summary).toContain(`| Image | \`${image}:v1.5.0@${digest}\` |`);
      expect(run.summary).toMatch(/\| image-signature \| ✅ /);
      expect(run.stdout).toContain('PASSED: 2 checks verified');
    });

    it('fails the step for another signer identity, saying which checks failed', async () => {
      const run = await runAction({
        workspace: dir,
        inputs: {
          command: 'verify',
          image: `${image}@${digest}`,
          'certificate-identity':
            'https://github.com/acme/app/.github/workflows/other.yml@refs/tags/v1.5.0',
          'trusted-root': trustedRoot,
        },
        env: env(),
      });
      expect(run.code).toBe(1);
      expect(run.outputs.ok).toBe('false');
      expect(run.stdout).toMatch(/::error::verification failed: image-signature \(/);
      expect(run.summary).toContain(': FAILED');
      expect(run.summary).toMatch(/\| image-signature \| ❌ /);
    });

    it('fails for an attestation type nobody signed', async () => {
      const run = await runAction({
        workspace: dir,
        inputs: {
          command: 'verify',
          image: `${image}@${digest}`,
          tag: 'v1.5.0',
          attestations: 'slsaprovenance',
          'trusted-root': trustedRoot,
        },
        env: env(),
      });
      expect(run.code).toBe(1);
      const report = JSON.parse(run.outputs.report!) as {
        checks: { check: string; status: string; code?: string }[];
      };
      expect(
        report.checks.find(
          (check) => check.check === 'attestation:https://slsa.dev/provenance/v0.2',
        ),
      ).toMatchObject({ status: 'fail', code: 'NO_SIGNATURES' });
      expect(report.checks.find((check) => check.check === 'image-signature')?.status).toBe('pass');
    });

    it('fails against the public-good root (the default trust)', async () => {
      const run = await runAction({
        workspace: dir,
        inputs: { command: 'verify', image: `${image}@${digest}`, tag: 'v1.5.0' },
        env: env(),
      });
      expect(run.code).toBe(1);
      expect(run.outputs.ok).toBe('false');
    });

    it('rejects contradictory identity inputs before any request', async () => {
      const run = await runAction({
        workspace: dir,
        inputs: {
          command: 'verify',
          image: `${image}@${digest}`,
          'certificate-identity': 'a',
          'certificate-identity-regexp': '^a$',
        },
        env: env(),
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '::error::inputs "certificate-identity" and "certificate-identity-regexp" exclude each other',
      );
    });
  },
);

// The seed-shaped release (image, signature, SBOM, release metadata, SLSA provenance, signed TUF checkout)
// that @oci-sd/verify's round trips and benchmark share.
describe.skipIf(!registryAvailable())(
  `command: verify, release mode${registryAvailable() ? '' : ' (skipped: /usr/bin/docker-registry not installed)'}`,
  () => {
    let dir: string;
    let published: SeedRelease;
    let world: SeedReleaseWorld | undefined;

    beforeAll(async () => {
      world = await startSeedReleaseWorld('oci-sd-action-verify-release-');
      ({ dir, release: published } = world);
    });
    afterAll(async () => {
      await world?.stop();
    });

    it('verifies everything the TUF-signed release manifest names', async () => {
      const run = await runAction({
        workspace: dir,
        inputs: {
          command: 'verify',
          release: published.release,
          'tuf-checkout': published.tufRepo,
          'trusted-root': published.trustedRootPath,
        },
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const report = JSON.parse(run.outputs.report!) as {
        checks: { check: string; status: string }[];
      };
      expect(report.checks.every((check) => check.status === 'pass')).toBe(true);
      expect(report.checks.map((check) => check.check)).toEqual(
        expect.arrayContaining(['tuf-target', 'image-signature', 'slsa-provenance', 'tuf-digest']),
      );
      expect(run.outputs.digest).toBe(published.digest);
      expect(run.summary).toContain(`### Verification of ${published.release}: passed`);
      expect(run.summary).toMatch(/\| tuf-target \| ✅ /);
    });

    it('reads the release from a published TUF site starting at the pinned root (tuf-url + tuf-root)', async () => {
      const site = await serveTufSite(published.tufRepo, join(dir, 'site'));
      try {
        const run = await runAction({
          workspace: dir,
          inputs: {
            command: 'verify',
            release: published.release,
            'tuf-url': site.url,
            'tuf-root': join(published.tufRepo, 'metadata', 'root_history', '1.root.json'),
            'trusted-root': published.trustedRootPath,
          },
        });
        expect(run.code).toBe(0);
        expect(run.outputs.ok).toBe('true');
        expect(site.requests).toContain('/metadata/timestamp.json');
      } finally {
        await site.close();
      }
      const noRoot = await runAction({
        workspace: dir,
        inputs: { command: 'verify', release: published.release, 'tuf-url': 'http://127.0.0.1:9' },
      });
      expect(noRoot.code).toBe(1);
      expect(noRoot.stdout).toContain('::error::input "tuf-root" is required with "tuf-url"');
    });

    it('fails for a tag TUF does not list', async () => {
      const run = await runAction({
        workspace: dir,
        inputs: {
          command: 'verify',
          release: `${published.owner}/${published.repo}@v9.9.9`,
          'tuf-checkout': published.tufRepo,
          'trusted-root': published.trustedRootPath,
        },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::verification failed: tuf-target/);
    });

    it('asks for the TUF location, naming both ways to give it', async () => {
      const run = await runAction({
        workspace: dir,
        inputs: { command: 'verify', release: published.release },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '::error::release verification needs the TUF metadata: input "tuf-url" (with "tuf-root") or "tuf-checkout"',
      );
    });
  },
);
