import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { registryAvailable, startRegistry, type TestRegistry } from '@oci-sd/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { discoverSignatures } from '../src/cosign/discover';
import type { Digest } from '../src/types';
import { readable } from './support/candidates';
import {
  digestTag,
  copyImage,
  pushImage,
  OciLayoutSource,
  serializeManifest,
  MEDIA_TYPES,
  RequestCounter,
  RegistrySource,
} from '@oci-sd/oci';

const LAYOUT = fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch');
const ready = haveFixtures && registryAvailable();
const skipReason = !haveFixtures
  ? ` (${fixturesSkipReason})`
  : !registryAvailable()
    ? ' (skipped: /usr/bin/docker-registry not installed)'
    : '';

describe.skipIf(!ready)(
  `the real SLSA generator image served by docker-registry${skipReason}`,
  () => {
    let registry: TestRegistry;
    let digest: Digest;
    let copyDir: string;
    beforeAll(async () => {
      registry = await startRegistry();
      copyDir = await mkdtemp(join(tmpdir(), 'oci-sd-layout-copy-'));
      digest = (await readFile(`${LAYOUT}.digest`, 'utf8')).trim() as Digest;
      await copyImage(
        new OciLayoutSource(LAYOUT),
        digest,
        new RegistrySource(registry.host, 'slsa-framework/example-package'),
        { tag: 'main', signatures: true },
      );
    });
    afterAll(async () => {
      await Promise.all([
        registry?.stop(),
        copyDir && rm(copyDir, { recursive: true, force: true }),
      ]);
    });

    it('keeps the digest byte for byte and serves the legacy .att tag', async () => {
      const source = new RegistrySource(registry.host, 'slsa-framework/example-package');
      expect((await source.resolve('main')).digest).toBe(digest);
      expect(await source.manifestByTag(digestTag(digest, '.att'))).toBeDefined();
      expect(await source.manifestByTag(digestTag(digest, '.sig'))).toBeUndefined();
    });

    it('reads the provenance through the registry as a bundle the public-good root accepts, in 5 requests', async () => {
      const counter = new RequestCounter();
      const found = readable(
        await discoverSignatures(
          new RegistrySource(registry.host, 'slsa-framework/example-package', { counter }),
          digest,
        ),
      );
      expect(
        found.map(({ kind, layout, predicateType }) => ({ kind, layout, predicateType })),
      ).toEqual([
        {
          kind: 'attestation',
          layout: 'legacy',
          predicateType: 'https://slsa.dev/provenance/v0.2',
        },
      ]);
      // .sig (404), .att, referrers API (404) and fallback tag (404) in parallel; then the .att layer blob.
      expect(counter.requests).toBe(5);
      expect(counter.roundTrips).toBe(2);
      const root = JSON.parse(
        await readFile(fixturePath('sigstore', 'trusted_root.public-good.json'), 'utf8'),
      );
      const signer = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(root))).verify(
        toSignedEntity(bundleFromJSON(found[0]!.bundle)),
      );
      expect(signer.identity?.extensions?.issuer).toBe(
        'https://token.actions.githubusercontent.com',
      );
    });

    it('copies into a fresh OCI layout written with ref.name tags and reads the same', async () => {
      const from = new RegistrySource(registry.host, 'slsa-framework/example-package');
      const layout = new OciLayoutSource(copyDir);
      await copyImage(from, digest, layout, { tag: 'main', signatures: true });
      expect((await layout.resolve('main')).digest).toBe(digest);
      const [fromRegistry, fromLayout] = await Promise.all([
        discoverSignatures(from, digest),
        discoverSignatures(layout, digest),
      ]);
      expect(fromLayout).toEqual(fromRegistry);
      const index = JSON.parse(await readFile(join(copyDir, 'index.json'), 'utf8'));
      expect(
        index.manifests
          .map(
            (m: { annotations: Record<string, string> }) =>
              m.annotations['org.opencontainers.image.ref.name'],
          )
          .sort(),
      ).toEqual(['main', digestTag(digest, '.att')]);
    });

    it('reads GHCR-style fallback entries without artifactType or annotations, and skips other artifact types', async () => {
      const store = new RegistrySource(registry.host, 'ghcr-style');
      const image = await pushImage(store, {
        platforms: [{ os: 'linux', architecture: 'amd64', files: { a: 'ghcr' } }],
      });
      const subject = { mediaType: image.mediaType, digest: image.digest, size: image.size };
      // A bundle referrer (the fixture's converted provenance, whose subject is another image: only the shape matters here).
      const [provenance] = readable(await discoverSignatures(new OciLayoutSource(LAYOUT), digest));
      const bundleLayer = await store.pushBlob(Buffer.from(JSON.stringify(provenance!.bundle)));
      const emptyConfig = await store.pushBlob(Buffer.from('{}'));
      const bundleManifest = serializeManifest({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        artifactType: MEDIA_TYPES.sigstoreBundleV03,
        config: { mediaType: MEDIA_TYPES.ociEmpty, ...emptyConfig },
        layers: [{ mediaType: MEDIA_TYPES.sigstoreBundleV03, ...bundleLayer }],
        subject,
      });
      const sbomLayer = await store.pushBlob(Buffer.from('{"spdxVersion":"SPDX-2.3"}'));
      const sbomManifest = serializeManifest({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        artifactType: 'application/spdx+json',
        config: { mediaType: MEDIA_TYPES.ociEmpty, ...emptyConfig },
        layers: [{ mediaType: 'application/spdx+json', ...sbomLayer }],
        subject,
      });
      const [bundleDigest, sbomDigest] = await Promise.all([
        store.pushManifest(bundleManifest, MEDIA_TYPES.ociManifest),
        store.pushManifest(sbomManifest, MEDIA_TYPES.ociManifest),
      ]);
      // GHCR's fallback index: bare descriptors, no artifactType, no annotations.
      await store.pushManifest(
        serializeManifest({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociIndex,
          manifests: [
            { mediaType: MEDIA_TYPES.ociManifest, digest: sbomDigest, size: sbomManifest.length },
            {
              mediaType: MEDIA_TYPES.ociManifest,
              digest: bundleDigest,
              size: bundleManifest.length,
            },
          ],
        }),
        MEDIA_TYPES.ociIndex,
        digestTag(image.digest),
      );
      const found = readable(
        await discoverSignatures(new RegistrySource(registry.host, 'ghcr-style'), image.digest),
      );
      expect(
        found.map(({ layout, location, predicateType, kind }) => ({
          layout,
          location,
          predicateType,
          kind,
        })),
      ).toEqual([
        {
          layout: 'referrer',
          location: `referrer ${bundleDigest}`,
          predicateType: 'https://slsa.dev/provenance/v0.2',
          kind: 'attestation',
        },
      ]);
      expect(found[0]!.bundle).toEqual(provenance!.bundle);
    });
  },
);
