import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryAvailable, startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import type { TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { releaseManifest } from '@oci-sd/tuf';
import {
  publishSeedRelease,
  serveTufSite,
  startSeedReleaseWorld,
  writeTufCheckout,
} from '@oci-sd/release-fixture';
import type { SeedRelease, SeedReleaseWorld } from '@oci-sd/release-fixture';
import { verifyRelease } from '../src/index';
import { addLegacyLayerCopy, attachRawReferrer } from './support/candidates';
import { check } from './support/report';
import { COSIGN_ANNOTATIONS, RequestCounter, pushImage } from '@oci-sd/oci';

describe.skipIf(!registryAvailable())(
  'verifyRelease: a seed-shaped release through docker-registry and a TUF-on-CI checkout',
  () => {
    let registry: TestRegistry;
    let sigstore: TestSigstore;
    let world: SeedReleaseWorld | undefined;
    let dir: string;
    let release: SeedRelease;

    beforeAll(async () => {
      world = await startSeedReleaseWorld('oci-sd-verify-release-');
      ({ registry, sigstore, dir, release } = world);
    });

    afterAll(async () => {
      await world?.stop();
    });

    it('verifies every artifact of the release from the TUF manifest, within the request budget', async () => {
      const counter = new RequestCounter();
      const report = await verifyRelease({
        release: release.release,
        tuf: { repo: release.tufRepo },
        trust: release.trustedRootPath,
        registry: { counter },
      });
      expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.image).toEqual({
        reference: `${release.image}@${release.digest}`,
        digest: release.digest,
      });
      expect(report.checks.map((c) => c.check)).toEqual([
        'tuf-target',
        'release-manifest',
        'image-signature',
        'attestation:https://cyclonedx.org/bom',
        `attestation:${release.releaseMetadataType}`,
        'slsa-provenance',
        'slsa-provenance:predicate-type',
        'slsa-provenance:subject',
        'slsa-provenance:builder',
        'slsa-provenance:build-type',
        'slsa-provenance:source',
        'slsa-provenance:tag',
        'slsa-provenance:certificate',
        'tuf-digest',
        'release-source',
      ]);
      expect(
        check(report, `attestation:${release.releaseMetadataType}`).evidence?.predicate,
      ).toEqual(release.releaseMetadata);
      expect(check(report, 'image-signature').evidence).toMatchObject({
        layout: 'referrer',
        certificate: { subjectAlternativeNames: [release.identity.subjectAlternativeName] },
      });
      expect(check(report, 'slsa-provenance').evidence).toMatchObject({
        layout: 'legacy',
        commit: release.commit,
      });
      expect(counter.requests).toBeLessThanOrEqual(12);
      expect(counter.roundTrips).toBeLessThanOrEqual(5);
    });

    it('reads the release from a published TUF site (--tuf-url) starting at the pinned root', async () => {
      const site = await serveTufSite(release.tufRepo, join(dir, 'site'));
      try {
        const root = join(release.tufRepo, 'metadata', 'root_history', '1.root.json');
        const report = await verifyRelease({
          release: release.release,
          tuf: { url: site.url, root },
          trust: release.trustedRootPath,
        });
        expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
        expect(site.requests).toEqual([
          '/metadata/2.root.json',
          '/metadata/timestamp.json',
          '/metadata/1.snapshot.json',
          '/metadata/1.targets.json',
          expect.stringMatching(/^\/targets\/app\/releases\/[0-9a-f]{64}\.v1\.5\.0\.json$/),
        ]);
        const missing = await verifyRelease({
          release: `${release.owner}/${release.repo}@v2.0.0`,
          tuf: { url: site.url, root },
          trust: release.trustedRootPath,
        });
        expect(check(missing, 'tuf-target')).toMatchObject({
          status: 'fail',
          code: 'TUF_MISMATCH',
        });
      } finally {
        await site.close();
      }
      await expect(
        verifyRelease({
          release: release.release,
          tuf: {
            url: site.url,
            root: join(release.tufRepo, 'metadata', 'root_history', '1.root.json'),
          },
          trust: release.trustedRootPath,
          tufTimeoutMs: 2_000,
        }),
      ).rejects.toMatchObject({ code: 'REGISTRY' });
    });

    it('fails when TUF authorises another image than the one signed for the release', async () => {
      const other = await pushImage(release.store, {
        platforms: [
          { os: 'linux', architecture: 'amd64', files: { app: 'not the release build' } },
        ],
      });
      const pointed = join(dir, 'pointed-tuf');
      const made = releaseManifest({
        project: release.repo,
        repository: `${release.owner}/${release.repo}`,
        tag: release.tag,
        image: release.image,
        digest: other.digest,
        runId: '1',
        createdAt: new Date(),
      });
      await writeTufCheckout(pointed, sigstore, `${release.owner}/${release.repo}`, {
        [made.targetName]: made.content,
      });
      const report = await verifyRelease({
        release: release.release,
        tuf: { repo: pointed },
        trust: release.trustedRootPath,
      });
      expect(report.ok).toBe(false);
      expect(report.image?.digest).toBe(other.digest);
      for (const name of [
        'image-signature',
        'attestation:https://cyclonedx.org/bom',
        `attestation:${release.releaseMetadataType}`,
        'slsa-provenance',
      ]) {
        expect(check(report, name), name).toMatchObject({ status: 'fail', code: 'NO_SIGNATURES' });
      }
    });

    it('fails a release manifest that names another tag or signer than the release asked for', async () => {
      const lying = join(dir, 'lying-tuf');
      const made = releaseManifest({
        project: release.repo,
        repository: 'evil/app',
        tag: release.tag,
        image: release.image,
        digest: release.digest,
        runId: '1',
        createdAt: new Date(),
      });
      await writeTufCheckout(lying, sigstore, `${release.owner}/${release.repo}`, {
        [made.targetName]: made.content,
      });
      const report = await verifyRelease({
        release: release.release,
        tuf: { repo: lying },
        trust: release.trustedRootPath,
      });
      expect(report.checks.map((c) => c.check)).toEqual(['tuf-target', 'release-manifest']);
      expect(check(report, 'release-manifest')).toMatchObject({
        status: 'fail',
        code: 'TUF_MISMATCH',
      });
      expect(check(report, 'release-manifest').summary).toContain(
        'is not a workflow of acme/app at refs/tags/v1.5.0',
      );
    });

    it('fails when the release metadata names another commit or tag than the signature and provenance', async () => {
      for (const [override, field] of [
        [{ commit: 'b'.repeat(40) }, 'release metadata commit'],
        [{ tag: 'v1.4.9' }, 'release metadata tag'],
      ] as const) {
        const other = await mkdtemp(join(tmpdir(), 'oci-sd-verify-release-disagree-'));
        try {
          const disagreeing = await publishSeedRelease({
            registryHost: registry.host,
            sigstore,
            dir: other,
            repo: `app-${field.split(' ').pop()!}`,
            releaseMetadata: override,
          });
          const report = await verifyRelease({
            release: disagreeing.release,
            tuf: { repo: disagreeing.tufRepo },
            trust: disagreeing.trustedRootPath,
          });
          expect(report.ok).toBe(false);
          expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.check)).toEqual([
            'release-source',
          ]);
          expect(check(report, 'release-source')).toMatchObject({
            code: 'PROVENANCE_MISMATCH',
            found: { [field]: Object.values(override)[0] },
          });
        } finally {
          await rm(other, { recursive: true, force: true });
        }
      }
    });

    it('passes a release next to a garbage referrer and a broken .att layer anyone could push, listing both as rejected', async () => {
      const other = await mkdtemp(join(tmpdir(), 'oci-sd-verify-release-hostile-'));
      try {
        const hostile = await publishSeedRelease({
          registryHost: registry.host,
          sigstore,
          dir: other,
          repo: 'app-hostile',
        });
        const garbage = await attachRawReferrer(hostile.store, hostile.digest);
        await addLegacyLayerCopy(
          hostile.store,
          hostile.digest,
          '.att',
          { [COSIGN_ANNOTATIONS.bundle]: 'not json' },
          'first',
        );
        const report = await verifyRelease({
          release: hostile.release,
          tuf: { repo: hostile.tufRepo },
          trust: hostile.trustedRootPath,
        });
        expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
        const rejected = (name: string) =>
          (
            (check(report, name).evidence?.rejected ?? []) as { location: string; code: string }[]
          ).map((c) => `${c.location} ${c.code}`);
        // The garbage says nothing about what it is, so every check saw it; the broken layer sits in the .att tag.
        for (const name of [
          'image-signature',
          'attestation:https://cyclonedx.org/bom',
          `attestation:${hostile.releaseMetadataType}`,
        ]) {
          expect(rejected(name), name).toEqual([`referrer ${garbage} MALFORMED`]);
        }
        expect(rejected('slsa-provenance').sort()).toEqual(
          [
            `referrer ${garbage} MALFORMED`,
            `sha256-${hostile.digest.slice(7)}.att layer 0 MALFORMED`,
          ].sort(),
        );
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    });

    it('fails a tag that TUF does not list', async () => {
      const report = await verifyRelease({
        release: `${release.owner}/${release.repo}@v9.9.9`,
        tuf: { repo: release.tufRepo },
        trust: release.trustedRootPath,
      });
      expect(report.ok).toBe(false);
      expect(report.checks).toEqual([
        expect.objectContaining({
          check: 'tuf-target',
          status: 'fail',
          code: 'TUF_MISMATCH',
          expected: `${release.repo}/releases/v9.9.9.json`,
        }),
      ]);
    });

    it('fails when the release manifest was changed after TUF signed it (tampered byte)', async () => {
      const copy = join(dir, 'tampered-tuf');
      await copyTree(release.tufRepo, copy);
      const target = join(copy, 'targets', release.repo, 'releases', `${release.tag}.json`);
      const text = await readFile(target, 'utf8');
      await writeFile(target, text.replace(release.digest, `sha256:${'0'.repeat(64)}`));
      const report = await verifyRelease({
        release: release.release,
        tuf: { repo: copy },
        trust: release.trustedRootPath,
      });
      expect(report.ok).toBe(false);
      expect(check(report, 'tuf-target')).toMatchObject({ status: 'fail', code: 'TUF_MISMATCH' });
      expect(check(report, 'tuf-target').summary).toMatch(
        /target app\/releases\/v1\.5\.0\.json: (sha256|length)/,
      );
    });

    it('fails TUF metadata signed under another Sigstore root (the public-good root rejects the test instance)', async () => {
      const report = await verifyRelease({
        release: release.release,
        tuf: { repo: release.tufRepo },
      });
      expect(report.ok).toBe(false);
      expect(check(report, 'tuf-target')).toMatchObject({ status: 'fail', code: 'TUF_MISMATCH' });
    });

    it('fails expired TUF metadata', async () => {
      const report = await verifyRelease({
        release: release.release,
        tuf: { repo: release.tufRepo },
        trust: release.trustedRootPath,
        tufNow: new Date(Date.now() + 3 * 24 * 60 * 60 * 1000),
      });
      expect(report.ok).toBe(false);
      expect(check(report, 'tuf-target').summary).toMatch(/expired/i);
    });

    it('throws a REGISTRY error (exit 3) when the registry is unreachable, never a pass', async () => {
      const unreachable = join(dir, 'unreachable-tuf');
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
      await expect(
        verifyRelease({
          release: release.release,
          tuf: { repo: unreachable },
          trust: release.trustedRootPath,
          registry: { retries: 1, backoffMs: 10, timeoutMs: 2_000 },
        }),
      ).rejects.toMatchObject({ code: 'REGISTRY' });
    });
  },
);

async function copyTree(from: string, to: string): Promise<void> {
  const { cp } = await import('node:fs/promises');
  await cp(from, to, { recursive: true });
}

describe.skipIf(!haveFixtures || !registryAvailable())(
  `verifyRelease on the seed's real TUF-on-CI repository ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    const repo = fixturePath('tuf', 'amaanx86');
    const release = 'amaanx86/oci-prometheus-sd-proxy@v1.5.0';
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startRegistry();
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('verifies the real chain as of before its expiry, then reads the image it names from the registry given', async () => {
      // The image lives on ghcr.io; an empty local registry stands in: TUF passed when the image is what is missing.
      await expect(
        verifyRelease({
          release,
          tuf: { repo },
          tufNow: new Date('2026-04-20T12:00:00Z'),
          registry: { baseUrl: registry.url },
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('fails the real chain once its timestamp has expired, and a release it does not list', async () => {
      const expired = await verifyRelease({
        release,
        tuf: { repo },
        tufNow: new Date('2026-05-01T00:00:00Z'),
        registry: { baseUrl: registry.url },
      });
      expect(expired.checks).toEqual([
        expect.objectContaining({ check: 'tuf-target', status: 'fail', code: 'TUF_MISMATCH' }),
      ]);
      expect(expired.checks[0]!.summary).toMatch(/expired/i);
      const unlisted = await verifyRelease({
        release: 'amaanx86/oci-prometheus-sd-proxy@v9.0.0',
        tuf: { repo },
        tufNow: new Date('2026-04-20T12:00:00Z'),
      });
      expect(unlisted.checks).toEqual([
        expect.objectContaining({
          check: 'tuf-target',
          status: 'fail',
          expected: 'oci-prometheus-sd-proxy/releases/v9.0.0.json',
        }),
      ]);
    });
  },
);
