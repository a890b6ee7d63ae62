import { copyFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { releaseManifest } from '@oci-sd/tuf';
import { registryAvailable } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import type { TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTufSite, startSeedReleaseWorld, writeTufCheckout } from '@oci-sd/release-fixture';
import type { SeedRelease, SeedReleaseWorld } from '@oci-sd/release-fixture';
import { runMain } from './support/run-cli';

const run = (...args: string[]) => runMain('verify', ...args);

describe.skipIf(!registryAvailable())(
  `oci-sd verify release: the seed's "Verifying a release" as one command${registryAvailable() ? '' : ' (skipped: /usr/bin/docker-registry not installed)'}`,
  () => {
    let registry: TestRegistry;
    let sigstore: TestSigstore;
    let world: SeedReleaseWorld | undefined;
    let dir: string;
    let release: SeedRelease;

    beforeAll(async () => {
      world = await startSeedReleaseWorld('oci-sd-cli-verify-release-');
      ({ registry, sigstore, dir, release } = world);
    });

    afterAll(async () => {
      await world?.stop();
    });

    it('verifies every artifact, marks each check and prints the release-metadata predicate', async () => {
      const result = await run(
        'release',
        release.release,
        '--tuf-repo',
        release.tufRepo,
        '--trusted-root',
        release.trustedRootPath,
      );
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      for (const line of [
        '✓ tuf-target:',
        '✓ release-manifest:',
        '✓ image-signature:',
        '✓ attestation:https://cyclonedx.org/bom:',
        `✓ attestation:${release.releaseMetadataType}:`,
        '✓ slsa-provenance: verified build using builder',
        '✓ slsa-provenance:tag:',
        '✓ tuf-digest:',
        '✓ release-source:',
      ]) {
        expect(result.out).toContain(line);
      }
      expect(result.out).toContain(`"digest": "${release.digest}"`);
      expect(result.out).toContain('PASSED');
    });

    it('keeps TUF metadata in --metadata-dir between runs: an older state later exits 1 as a rollback; --no-cache is cold', async () => {
      const tuf = join(dir, 'cli-rollback-tuf');
      const repository = `${release.owner}/${release.repo}`;
      const made = releaseManifest({
        project: release.repo,
        repository,
        tag: release.tag,
        image: release.image,
        digest: release.digest,
        runId: '1',
        createdAt: new Date(),
      });
      const targets = { [made.targetName]: made.content };
      await writeTufCheckout(tuf, sigstore, repository, targets, 2);
      const pinned = join(dir, 'cli-rollback-1.root.json');
      copyFileSync(join(tuf, 'metadata', 'root_history', '1.root.json'), pinned);
      const metadataDir = join(dir, 'cli-rollback-metadata');
      const args = [
        'release',
        release.release,
        '--tuf-repo',
        tuf,
        '--tuf-root',
        pinned,
        '--trusted-root',
        release.trustedRootPath,
      ];
      expect((await run(...args, '--metadata-dir', metadataDir)).code).toBe(0);
      expect(readdirSync(metadataDir)).toContain('timestamp.json');
      await writeTufCheckout(tuf, sigstore, repository, targets, 1);
      const rollback = await run(...args, '--metadata-dir', metadataDir);
      expect(rollback.code).toBe(1);
      expect(rollback.out).toContain('timestamp v1 is older than the trusted v2');
      expect((await run(...args, '--no-cache')).code).toBe(0);
      const both = await run(...args, '--metadata-dir', metadataDir, '--no-cache');
      expect(both.code).toBe(2);
      expect(both.err).toContain('--metadata-dir DIR or --no-cache, not both');
    });

    it('reads a published TUF site with --tuf-url and a pinned --tuf-root', async () => {
      const site = await serveTufSite(release.tufRepo, join(dir, 'site'));
      try {
        const root = join(release.tufRepo, 'metadata', 'root_history', '1.root.json');
        const result = await run(
          'release',
          release.release,
          '--tuf-url',
          site.url,
          '--tuf-root',
          root,
          '--trusted-root',
          release.trustedRootPath,
        );
        expect(result.code).toBe(0);
        expect(site.requests).toHaveLength(5);
      } finally {
        await site.close();
      }
    });

    it('--json prints the report alone', async () => {
      const result = await run(
        'release',
        release.release,
        '--tuf-repo',
        release.tufRepo,
        '--trusted-root',
        release.trustedRootPath,
        '--json',
      );
      expect(result.code).toBe(0);
      const report = JSON.parse(result.out) as { ok: boolean; image: { digest: string } };
      expect(report).toMatchObject({ ok: true, image: { digest: release.digest } });
    });

    it('exits 1 for a tag TUF does not list, or under a trusted root that does not hold the signers', async () => {
      expect(
        (
          await run(
            'release',
            `${release.owner}/${release.repo}@v0.0.1`,
            '--tuf-repo',
            release.tufRepo,
            '--trusted-root',
            release.trustedRootPath,
          )
        ).code,
      ).toBe(1);
      const foreign = await run('release', release.release, '--tuf-repo', release.tufRepo);
      expect(foreign.code).toBe(1);
      expect(foreign.out).toContain('✗ tuf-target');
    });

    it('exits 3, never "verified", when the registry keeps failing mid-verification (503 on the .att tag)', async () => {
      // A proxy in front of the real registry that fails every request for the legacy attestation tag.
      const proxy = createServer((request, response) => {
        if (request.url?.includes('.att')) {
          response.writeHead(503).end();
          return;
        }
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const headers = Object.fromEntries(
            Object.entries(request.headers).filter(
              ([name]) => name !== 'host' && name !== 'connection',
            ),
          ) as Record<string, string>;
          fetch(`${registry.url}${request.url}`, {
            method: request.method ?? 'GET',
            headers,
            ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
          })
            .then(async (upstream) => {
              response.writeHead(upstream.status, Object.fromEntries(upstream.headers));
              response.end(Buffer.from(await upstream.arrayBuffer()));
            })
            .catch(() => response.writeHead(502).end());
        });
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = proxy.address() as AddressInfo;
        const image = `127.0.0.1:${port}/${release.owner}/${release.repo}@${release.digest}`;
        const result = await run(
          'image',
          image,
          '--certificate-identity',
          release.identity.subjectAlternativeName,
          '--certificate-oidc-issuer',
          release.identity.issuer,
          '--trusted-root',
          release.trustedRootPath,
        );
        expect(result.code).toBe(3);
        expect(result.out).not.toContain('PASSED');
        expect(result.err).toContain('[REGISTRY]');
      } finally {
        await new Promise((resolve) => proxy.close(resolve));
      }
    });

    it('exits 3 when the registry the manifest names is unreachable', async () => {
      const unreachable = join(dir, 'unreachable');
      const made = releaseManifest({
        project: release.repo,
        repository: `${release.owner}/${release.repo}`,
        tag: release.tag,
        image: '127.0.0.1:9/acme/app',
        digest: release.digest,
        runId: '1',
        createdAt: new Date(),
      });
      await writeTufCheckout(unreachable, sigstore, `${release.owner}/${release.repo}`, {
        [made.targetName]: made.content,
      });
      const result = await run(
        'release',
        release.release,
        '--tuf-repo',
        unreachable,
        '--trusted-root',
        release.trustedRootPath,
      );
      expect(result.code).toBe(3);
      expect(result.out).not.toContain('PASSED');
    });
  },
);
