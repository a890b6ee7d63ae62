import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  githubActionsIdentity,
  slsaGeneratorIdentity,
  startTestSigstore,
  type TestSigstore,
} from '@oci-sd/test-sigstore';
import { registryAvailable, startRegistry, type TestRegistry } from '@oci-sd/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverSignatures } from '../src/cosign/discover';
import type { DiscoveredSignature, Digest } from '../src/types';
import { readable } from './support/candidates';
import { caChainPem, inTotoStatement, signStatement, verifyWithRoot } from './support/signing';
import {
  attachLegacyAttestation,
  attachLegacySignature,
  attachReferrerBundle,
  simpleSigningPayload,
  sha256Digest,
  pushImage,
  OciLayoutSource,
  openImageSource,
  resolveImage,
  RegistrySource,
  type ImageStore,
} from '@oci-sd/oci';

const release = githubActionsIdentity({
  repository: 'acme/app',
  workflowPath: '.github/workflows/docker-build-push.yml',
  ref: 'refs/tags/v1.5.0',
  sha: '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
});
const provenanceSigner = slsaGeneratorIdentity({
  repository: 'acme/app',
  workflowPath: '.github/workflows/docker-build-push.yml',
  ref: 'refs/tags/v1.5.0',
  sha: '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
});

const IMAGE = {
  tag: 'v1.5.0',
  platforms: [
    {
      os: 'linux',
      architecture: 'amd64',
      files: { 'app/bin': 'amd64 binary', 'etc/app.yml': 'listen: 8080\n' },
    },
    {
      os: 'linux',
      architecture: 'arm64',
      files: { 'app/bin': 'arm64 binary', 'etc/app.yml': 'listen: 8080\n' },
    },
  ],
};

const skipReason = registryAvailable()
  ? ''
  : ' (skipped: /usr/bin/docker-registry not installed; apt-get install docker-registry)';

describe.skipIf(!registryAvailable())(
  `cosign layouts round trip through docker-registry and an OCI layout${skipReason}`,
  () => {
    let registry: TestRegistry;
    let sigstore: TestSigstore;
    let layoutDir: string;
    beforeAll(async () => {
      [registry, sigstore] = await Promise.all([startRegistry(), startTestSigstore()]);
      layoutDir = await mkdtemp(join(tmpdir(), 'oci-sd-layout-'));
    });
    afterAll(async () => {
      await Promise.all([
        registry?.stop(),
        sigstore?.stop(),
        layoutDir && rm(layoutDir, { recursive: true, force: true }),
      ]);
    });

    const stores: [string, () => ImageStore, () => string][] = [
      [
        'registry',
        () => new RegistrySource(registry.host, 'acme/app'),
        () => `${registry.host}/acme/app`,
      ],
      ['oci-layout', () => new OciLayoutSource(layoutDir), () => `oci-layout:${layoutDir}`],
    ];

    describe.each(stores)('%s', (_name, store, referenceBase) => {
      let digest: Digest;
      let found: DiscoveredSignature[];
      const payloads = new Map<string, Buffer>();

      beforeAll(async () => {
        const target = store();
        digest = (await pushImage(target, IMAGE)).digest;
        const payload = simpleSigningPayload(`${referenceBase()}`, digest);
        const statements = {
          sign: inTotoStatement(digest, 'acme/app', 'https://sigstore.dev/cosign/sign/v1', {}),
          sbom: inTotoStatement(digest, 'acme/app', 'https://cyclonedx.org/bom', {
            bomFormat: 'CycloneDX',
            specVersion: '1.5',
            components: [],
          }),
          provenance: inTotoStatement(digest, 'acme/app', 'https://slsa.dev/provenance/v0.2', {
            buildType: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
          }),
        };
        const [legacySig, referrerSig, sbom, provenance] = await Promise.all([
          sigstore.signMessage(payload, release),
          signStatement(sigstore, release, statements.sign),
          signStatement(sigstore, release, statements.sbom),
          signStatement(sigstore, provenanceSigner, statements.provenance),
        ]);
        payloads.set('legacy-sig', payload);
        await attachLegacySignature(target, digest, legacySig, payload, {
          chainPem: caChainPem(sigstore),
        });
        await attachLegacyAttestation(target, digest, provenance, {
          chainPem: caChainPem(sigstore),
        });
        await attachReferrerBundle(target, digest, referrerSig);
        await attachReferrerBundle(target, digest, sbom);
        found = readable(await discoverSignatures(store(), digest));
      });

      it('resolves the tag once and reads by digest after', async () => {
        const opened = openImageSource(`${referenceBase()}:${IMAGE.tag}`);
        const resolved = await resolveImage(opened);
        expect(resolved.digest).toBe(digest);
        expect(sha256Digest(resolved.bytes)).toBe(digest);
        expect(resolved.mediaType).toBe('application/vnd.oci.image.index.v1+json');
        if (opened.source instanceof RegistrySource)
          expect(opened.source.client.counter.requests).toBe(1);
        expect((await resolveImage(openImageSource(`${referenceBase()}@${digest}`))).digest).toBe(
          digest,
        );
      });

      it('finds both layouts: legacy .sig and .att, referrer signature and attestation', () => {
        const summary = found
          .map(({ kind, layout, predicateType }) => ({ kind, layout, predicateType }))
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        expect(summary).toEqual(
          [
            { kind: 'signature', layout: 'legacy', predicateType: undefined },
            {
              kind: 'attestation',
              layout: 'legacy',
              predicateType: 'https://slsa.dev/provenance/v0.2',
            },
            {
              kind: 'signature',
              layout: 'referrer',
              predicateType: 'https://sigstore.dev/cosign/sign/v1',
            },
            { kind: 'attestation', layout: 'referrer', predicateType: 'https://cyclonedx.org/bom' },
          ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        );
      });

      it('gives bundles @sigstore/verify accepts with the identities that signed them', () => {
        for (const signature of found) {
          const signer = verifyWithRoot(sigstore.trustedRoot, signature.bundle, signature.payload);
          const expected =
            signature.predicateType === 'https://slsa.dev/provenance/v0.2'
              ? provenanceSigner
              : release;
          expect(signer.identity?.subjectAlternativeName).toBe(expected.subjectAlternativeName);
        }
      });

      it('converts the legacy .sig to a v0.1 bundle whose payload is the checked simple-signing blob', () => {
        const legacy = found.find((s) => s.layout === 'legacy' && s.kind === 'signature')!;
        expect(legacy.bundle.mediaType).toBe(
          'application/vnd.dev.sigstore.bundle+json;version=0.1',
        );
        expect(legacy.payload).toEqual(payloads.get('legacy-sig'));
        expect(
          JSON.parse(legacy.payload!.toString()).critical.image['docker-manifest-digest'],
        ).toBe(digest);
        expect(legacy.bundle.verificationMaterial.x509CertificateChain!.certificates).toHaveLength(
          3,
        );
        expect(legacy.bundle.verificationMaterial.tlogEntries[0]!.kindVersion).toEqual({
          kind: 'hashedrekord',
          version: '0.0.1',
        });
        const altered = Buffer.from(legacy.payload!);
        altered[5]! ^= 1;
        expect(() => verifyWithRoot(sigstore.trustedRoot, legacy.bundle, altered)).toThrow();
      });

      it('finds nothing for an unsigned image', async () => {
        const unsigned = await pushImage(store(), {
          platforms: [{ os: 'linux', architecture: 'amd64', files: { x: 'unsigned' } }],
        });
        expect(await discoverSignatures(store(), unsigned.digest)).toEqual([]);
      });

      it('ignores signatures of other images and referrers whose subject is another digest', async () => {
        const other = await pushImage(store(), {
          platforms: [{ os: 'linux', architecture: 'amd64', files: { x: 'other' } }],
        });
        expect(await discoverSignatures(store(), other.digest)).toEqual([]);
        // A referrer of `digest` listed in `other`'s fallback index does not count for `other`.
        const target = store();
        const referrers = await target.referrers(digest);
        const { addToReferrersTag } = await import('@oci-sd/oci');
        await addToReferrersTag(target, other.digest, referrers);
        expect(await discoverSignatures(store(), other.digest)).toEqual([]);
      });

      it('skips a stale fallback index entry whose manifest was deleted', async () => {
        const target = store();
        const doomed = await attachReferrerBundle(target, digest, {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          verificationMaterial: {},
        } as never);
        if (target instanceof RegistrySource) {
          expect(
            (await fetch(`${registry.url}/v2/acme/app/manifests/${doomed}`, { method: 'DELETE' }))
              .status,
          ).toBe(202);
        } else {
          await rm(join(layoutDir, 'blobs', 'sha256', doomed.slice(7)));
        }
        expect((await target.referrers(digest)).map((r) => r.digest)).toContain(doomed);
        const after = await discoverSignatures(store(), digest);
        expect(after.map((s) => s.location).sort()).toEqual(found.map((s) => s.location).sort());
      });

      it('attaching the same legacy signature twice keeps one layer', async () => {
        const target = store();
        const payload = payloads.get('legacy-sig')!;
        const legacy = found.find((s) => s.layout === 'legacy' && s.kind === 'signature')!;
        const before = await discoverSignatures(target, digest);
        await attachLegacySignature(target, digest, legacy.bundle, payload);
        const after = await discoverSignatures(target, digest);
        expect(after.filter((s) => s.kind === 'signature' && s.layout === 'legacy')).toHaveLength(
          1,
        );
        expect(after).toHaveLength(before.length);
      });
    });
    it('reads a seed-shaped release (3 referrer bundles, legacy provenance) by digest in 11 requests and 3 round trips', async () => {
      const target = new RegistrySource(registry.host, 'acme/seed');
      const { digest } = await pushImage(target, IMAGE);
      const statement = (type: string) => inTotoStatement(digest, 'ghcr.io/acme/seed', type, {});
      const [signature, sbom, metadata, provenance] = await Promise.all([
        signStatement(sigstore, release, statement('https://sigstore.dev/cosign/sign/v1')),
        signStatement(sigstore, release, statement('https://cyclonedx.org/bom')),
        signStatement(
          sigstore,
          release,
          statement('https://github.com/acme/seed/release-metadata/v1'),
        ),
        signStatement(sigstore, provenanceSigner, statement('https://slsa.dev/provenance/v0.2')),
      ]);
      for (const bundle of [signature, sbom, metadata])
        await attachReferrerBundle(target, digest, bundle);
      await attachLegacyAttestation(target, digest, provenance, { chainPem: caChainPem(sigstore) });
      const reader = new RegistrySource(registry.host, 'acme/seed');
      const found = await discoverSignatures(reader, digest);
      expect(found.map((s) => `${s.layout} ${s.kind} ${s.predicateType}`).sort()).toEqual([
        'legacy attestation https://slsa.dev/provenance/v0.2',
        'referrer attestation https://cyclonedx.org/bom',
        'referrer attestation https://github.com/acme/seed/release-metadata/v1',
        'referrer signature https://sigstore.dev/cosign/sign/v1',
      ]);
      expect({
        requests: reader.client.counter.requests,
        roundTrips: reader.client.counter.roundTrips,
      }).toEqual({ requests: 11, roundTrips: 3 });
    });
    it('reads Docker manifest lists and v2 manifests with their media types, and copies them byte for byte', async () => {
      const store = new RegistrySource(registry.host, 'acme/docker');
      const layer = await store.pushBlob(Buffer.from('docker layer'));
      const config = await store.pushBlob(Buffer.from('{"architecture":"amd64","os":"linux"}'));
      const manifest = Buffer.from(
        JSON.stringify(
          {
            schemaVersion: 2,
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
            layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
          },
          null,
          3,
        ),
      );
      const manifestDigest = await store.pushManifest(
        manifest,
        'application/vnd.docker.distribution.manifest.v2+json',
      );
      const list = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
          manifests: [
            {
              mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
              digest: manifestDigest,
              size: manifest.length,
              platform: { os: 'linux', architecture: 'amd64' },
            },
          ],
        }),
      );
      await store.pushManifest(
        list,
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'docker',
      );
      const resolved = await resolveImage(openImageSource(`${registry.host}/acme/docker:docker`));
      expect(resolved).toMatchObject({
        mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
        digest: sha256Digest(list),
      });
      expect(resolved.bytes).toEqual(list);
      const child = await store.manifest(manifestDigest);
      expect(child.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
      expect(child.bytes).toEqual(manifest);
      const copyDir = await mkdtemp(join(tmpdir(), 'oci-sd-docker-copy-'));
      try {
        const { copyImage } = await import('@oci-sd/oci');
        await copyImage(store, resolved.digest, new OciLayoutSource(copyDir), { tag: 'docker' });
        const copied = await resolveImage(openImageSource(`oci-layout:${copyDir}:docker`));
        expect(copied).toEqual(resolved);
      } finally {
        await rm(copyDir, { recursive: true, force: true });
      }
    });
  },
);
