import { cp, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { discoverSignatures } from '../src/cosign/discover';
import type { Digest } from '../src/types';
import { readable } from './support/candidates';
import { OciLayoutSource, openImageSource, resolveImage } from '@oci-sd/oci';

const LAYOUT = fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch');
const SLSA_BUILDER =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0';

async function publicGoodVerifier(): Promise<Verifier> {
  const root = JSON.parse(
    await readFile(fixturePath('sigstore', 'trusted_root.public-good.json'), 'utf8'),
  );
  return new Verifier(toTrustMaterial(TrustedRoot.fromJSON(root)));
}

describe.skipIf(!haveFixtures)(
  `cosign save layout of the SLSA container generator ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    let digest: Digest;
    beforeAll(async () => {
      digest = (await readFile(`${LAYOUT}.digest`, 'utf8')).trim() as Digest;
    });

    it('resolves oci-layout:DIR@digest and the bare layout to the image index', async () => {
      const byDigest = openImageSource(`oci-layout:${LAYOUT}@${digest}`);
      const resolved = await resolveImage(byDigest);
      expect(resolved.digest).toBe(digest);
      expect(resolved.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect((await resolveImage(openImageSource(`oci-layout:${LAYOUT}`))).digest).toBe(digest);
    });

    it('finds the legacy provenance attestation and no signature', async () => {
      const found = readable(await discoverSignatures(new OciLayoutSource(LAYOUT), digest));
      expect(found).toHaveLength(1);
      const [attestation] = found;
      expect(attestation).toMatchObject({
        kind: 'attestation',
        layout: 'legacy',
        predicateType: 'https://slsa.dev/provenance/v0.2',
        location: `sha256-${digest.slice(7)}.att layer 0`,
      });
      expect(attestation!.bundle.verificationMaterial.tlogEntries[0]!.kindVersion).toEqual({
        kind: 'dsse',
        version: '0.0.1',
      });
    });

    it('converts it to a v0.1 bundle that @sigstore/verify accepts against the public-good root', async () => {
      const [attestation] = readable(await discoverSignatures(new OciLayoutSource(LAYOUT), digest));
      const verifier = await publicGoodVerifier();
      const signer = verifier.verify(toSignedEntity(bundleFromJSON(attestation!.bundle)));
      expect(signer.identity?.subjectAlternativeName).toBe(SLSA_BUILDER);
      const statement = JSON.parse(
        Buffer.from(attestation!.bundle.dsseEnvelope!.payload, 'base64').toString('utf8'),
      );
      expect(
        statement.subject.map((s: { digest: { sha256: string } }) => `sha256:${s.digest.sha256}`),
      ).toContain(digest);
    });

    it('rejects the converted bundle when one byte of the envelope or the SET changes', async () => {
      const [attestation] = readable(await discoverSignatures(new OciLayoutSource(LAYOUT), digest));
      const verifier = await publicGoodVerifier();
      const payload = Buffer.from(attestation!.bundle.dsseEnvelope!.payload, 'base64');
      payload[payload.length - 3]! ^= 1;
      const tamperedPayload = structuredClone(attestation!.bundle);
      tamperedPayload.dsseEnvelope!.payload = payload.toString('base64');
      expect(() => verifier.verify(toSignedEntity(bundleFromJSON(tamperedPayload)))).toThrow();
      const tamperedSet = structuredClone(attestation!.bundle);
      const set = Buffer.from(
        tamperedSet.verificationMaterial.tlogEntries[0]!.inclusionPromise!.signedEntryTimestamp,
        'base64',
      );
      set[10]! ^= 1;
      tamperedSet.verificationMaterial.tlogEntries[0]!.inclusionPromise!.signedEntryTimestamp =
        set.toString('base64');
      expect(() => verifier.verify(toSignedEntity(bundleFromJSON(tamperedSet)))).toThrow();
    });

    it('finds nothing for a digest the layout does not sign', async () => {
      expect(
        await discoverSignatures(new OciLayoutSource(LAYOUT), `sha256:${'1'.repeat(64)}`),
      ).toEqual([]);
    });

    describe('a damaged copy of the layout', () => {
      let copy: string;
      beforeAll(async () => {
        copy = await mkdtemp(join(tmpdir(), 'oci-sd-layout-'));
        await cp(LAYOUT, copy, { recursive: true });
        await chmod(copy, 0o755);
      });
      afterAll(async () => {
        await rm(copy, { recursive: true, force: true });
      });

      it('reports a blob whose bytes no longer match its digest as DIGEST_MISMATCH', async () => {
        const attsManifest = join(
          copy,
          'blobs',
          'sha256',
          'a3e4bf251423a455ad90c3d706f95f133ed11a8e81e3f34e6fa6d056a1c15529',
        );
        const bytes = await readFile(attsManifest);
        await chmod(attsManifest, 0o644);
        await writeFile(
          attsManifest,
          Buffer.from(bytes.toString('utf8').replace('provenance/v0.2', 'provenance/v0.3')),
        );
        await expect(discoverSignatures(new OciLayoutSource(copy), digest)).rejects.toMatchObject({
          code: 'DIGEST_MISMATCH',
        });
      });

      it('reports an unknown digest as NOT_FOUND and a missing layout as NOT_FOUND', async () => {
        const other = `sha256:${'0'.repeat(64)}` as Digest;
        await expect(
          resolveImage(openImageSource(`oci-layout:${copy}@${other}`)),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(
          resolveImage(openImageSource(`oci-layout:${join(copy, 'nope')}:v1`)),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });
    });
  },
);
