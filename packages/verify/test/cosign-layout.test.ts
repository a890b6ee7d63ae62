import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { githubActionsIdentity, startTestSigstore, type TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverSignatures } from '../src/cosign/discover';
import type { Digest } from '../src/types';
import { attachRawReferrer, readable } from './support/candidates';
import { caChainPem, inTotoStatement, signStatement, verifyWithRoot } from './support/signing';
import {
  attachLegacyAttestation,
  attachLegacySignature,
  attachReferrerBundle,
  simpleSigningPayload,
  digestTag,
  pushImage,
  OciLayoutSource,
  serializeManifest,
  MEDIA_TYPES,
  openImageSource,
  resolveImage,
} from '@oci-sd/oci';

const identity = githubActionsIdentity({
  repository: 'acme/app',
  workflowPath: '.github/workflows/release.yml',
  ref: 'refs/tags/v2.0.0',
  sha: '0123456789abcdef0123456789abcdef01234567',
});

describe('OCI layouts as cosign save writes them, and damaged signature stores', () => {
  let sigstore: TestSigstore;
  let dir: string;
  let digest: Digest;
  beforeAll(async () => {
    sigstore = await startTestSigstore();
    dir = await mkdtemp(join(tmpdir(), 'oci-sd-cosign-save-'));
    const layout = new OciLayoutSource(dir);
    digest = (
      await pushImage(layout, {
        tag: 'v2.0.0',
        platforms: [{ os: 'linux', architecture: 'amd64', files: { a: 'save' } }],
      })
    ).digest;
    const payload = simpleSigningPayload('ghcr.io/acme/app', digest);
    const [signature, attestation] = await Promise.all([
      sigstore.signMessage(payload, identity),
      signStatement(
        sigstore,
        identity,
        inTotoStatement(digest, 'ghcr.io/acme/app', 'https://cyclonedx.org/bom', {
          components: [],
        }),
      ),
    ]);
    await attachLegacySignature(layout, digest, signature, payload, {
      chainPem: caChainPem(sigstore),
    });
    await attachLegacyAttestation(layout, digest, attestation, { chainPem: caChainPem(sigstore) });
  });
  afterAll(async () => {
    await Promise.all([sigstore?.stop(), dir && rm(dir, { recursive: true, force: true })]);
  });

  it('maps kind-annotated sigs and atts entries (no tags) to the saved image', async () => {
    const indexPath = join(dir, 'index.json');
    const tagged = JSON.parse(await readFile(indexPath, 'utf8'));
    const kinds: Record<string, string> = {
      'v2.0.0': 'dev.cosignproject.cosign/imageIndex',
      [digestTag(digest, '.sig')]: 'dev.cosignproject.cosign/sigs',
      [digestTag(digest, '.att')]: 'dev.cosignproject.cosign/atts',
    };
    const saved = {
      ...tagged,
      manifests: tagged.manifests.map((entry: { annotations: Record<string, string> }) => ({
        ...entry,
        annotations: { kind: kinds[entry.annotations['org.opencontainers.image.ref.name']!] },
      })),
    };
    const savedDir = await mkdtemp(join(tmpdir(), 'oci-sd-cosign-save-kinds-'));
    try {
      const { cp } = await import('node:fs/promises');
      await cp(dir, savedDir, { recursive: true });
      await writeFile(join(savedDir, 'index.json'), JSON.stringify(saved));
      expect((await resolveImage(openImageSource(`oci-layout:${savedDir}`))).digest).toBe(digest);
      const found = readable(await discoverSignatures(new OciLayoutSource(savedDir), digest));
      expect(found.map((s) => `${s.layout} ${s.kind} ${s.location}`).sort()).toEqual([
        `legacy attestation ${digestTag(digest, '.att')} layer 0`,
        `legacy signature ${digestTag(digest, '.sig')} layer 0`,
      ]);
      for (const signature of found)
        verifyWithRoot(sigstore.trustedRoot, signature.bundle, signature.payload);
      // Another digest's legacy tags do not map onto the saved image's entries.
      expect(
        await discoverSignatures(new OciLayoutSource(savedDir), `sha256:${'2'.repeat(64)}`),
      ).toEqual([]);
    } finally {
      await rm(savedDir, { recursive: true, force: true });
    }
  });

  it("keeps a legacy signature's TSA timestamp, which @sigstore/verify then checks", async () => {
    const layout = new OciLayoutSource(dir);
    const image = await pushImage(layout, {
      platforms: [{ os: 'linux', architecture: 'amd64', files: { t: 'timestamped' } }],
    });
    const payload = simpleSigningPayload('ghcr.io/acme/app', image.digest);
    const stamped = await sigstore.signMessage(payload, identity, { tsa: true });
    await attachLegacySignature(layout, image.digest, stamped, payload);
    const [found] = readable(await discoverSignatures(layout, image.digest));
    const timestamps =
      found!.bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps;
    expect(timestamps).toEqual(
      stamped.verificationMaterial.timestampVerificationData!.rfc3161Timestamps,
    );
    verifyWithRoot(sigstore.trustedRoot, found!.bundle, found!.payload);
    // A timestamp over other bytes fails verification: the timestamp is checked, not decoration.
    const other = await sigstore.signMessage(Buffer.from('other'), identity, { tsa: true });
    const swapped = structuredClone(found!.bundle);
    swapped.verificationMaterial.timestampVerificationData =
      other.verificationMaterial.timestampVerificationData;
    expect(() => verifyWithRoot(sigstore.trustedRoot, swapped, found!.payload)).toThrow();
  });

  it('reads a legacy attestation logged as a Rekor intoto 0.0.2 entry (cosign v2 attest)', async () => {
    const layout = new OciLayoutSource(dir);
    const image = await pushImage(layout, {
      platforms: [{ os: 'linux', architecture: 'amd64', files: { i: 'intoto' } }],
    });
    const statement = inTotoStatement(
      image.digest,
      'ghcr.io/acme/app',
      'https://cyclonedx.org/bom',
      {},
    );
    const bundle = await sigstore.signDsse(statement, 'application/vnd.in-toto+json', identity, {
      rekorEntryType: 'intoto',
    });
    await attachLegacyAttestation(layout, image.digest, bundle);
    const [found] = readable(await discoverSignatures(layout, image.digest));
    expect(found!.bundle.verificationMaterial.tlogEntries[0]!.kindVersion).toEqual({
      kind: 'intoto',
      version: '0.0.2',
    });
    expect(found!.predicateType).toBe('https://cyclonedx.org/bom');
    verifyWithRoot(sigstore.trustedRoot, found!.bundle);
  });

  it('asks for a tag or digest when a layout holds several images', async () => {
    const several = new OciLayoutSource(dir);
    await pushImage(several, {
      tag: 'other',
      platforms: [{ os: 'linux', architecture: 'amd64', files: { b: 'other' } }],
    });
    await expect(resolveImage(openImageSource(`oci-layout:${dir}`))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect((await resolveImage(openImageSource(`oci-layout:${dir}:v2.0.0`))).digest).toBe(digest);
  });

  it('returns a .sig layer of the wrong media type and a referrer whose bundle is not a bundle as MALFORMED candidates, not errors', async () => {
    const layout = new OciLayoutSource(dir);
    const image = await pushImage(layout, {
      platforms: [{ os: 'linux', architecture: 'amd64', files: { c: 'broken' } }],
    });
    const blob = await layout.pushBlob(Buffer.from('{"not":"a simple signing payload"}'));
    const config = await layout.pushBlob(Buffer.from('{}'));
    await layout.pushManifest(
      serializeManifest({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, ...config },
        layers: [{ mediaType: 'application/octet-stream', ...blob }],
      }),
      MEDIA_TYPES.ociManifest,
      digestTag(image.digest, '.sig'),
    );
    expect(await discoverSignatures(layout, image.digest)).toEqual([
      {
        kind: 'signature',
        layout: 'legacy',
        location: `${digestTag(image.digest, '.sig')} layer 0`,
        malformed: {
          message: expect.stringContaining('layer 0: mediaType: expected'),
          expected: MEDIA_TYPES.cosignSimpleSigning,
          found: 'application/octet-stream',
        },
      },
    ]);

    const second = await pushImage(layout, {
      platforms: [{ os: 'linux', architecture: 'amd64', files: { d: 'broken bundle' } }],
    });
    const referrer = await attachReferrerBundle(layout, second.digest, {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {},
    } as never);
    // Its manifest says message-signature: filed as a signature candidate.
    expect(await discoverSignatures(layout, second.digest)).toEqual([
      {
        kind: 'signature',
        layout: 'referrer',
        location: `referrer ${referrer}`,
        malformed: {
          message: expect.stringContaining(`referrer of ${second.digest}`),
          expected: 'a Sigstore bundle',
          found: expect.any(String),
        },
      },
    ]);
    // Garbage bytes with nothing saying signature or attestation: unclassified, it counts for every check.
    const garbage = await attachRawReferrer(layout, second.digest);
    const unclassified = (await discoverSignatures(layout, second.digest)).find(
      (found) => found.location === `referrer ${garbage}`,
    );
    expect(unclassified).toEqual({
      layout: 'referrer',
      location: `referrer ${garbage}`,
      malformed: expect.objectContaining({ expected: 'a Sigstore bundle' }),
    });
  });

  it('returns an unparsable referrer manifest and an unparsable .att manifest as MALFORMED candidates, kind from their hints', async () => {
    const layout = new OciLayoutSource(dir);
    const image = await pushImage(layout, {
      platforms: [{ os: 'linux', architecture: 'amd64', files: { e: 'unparsable' } }],
    });
    const referrer = await attachRawReferrer(layout, image.digest, {
      manifestBytes: Buffer.from('{"schemaVersion": 2, "layers": '),
      annotations: { 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' },
    });
    await layout.pushManifest(
      Buffer.from('not json'),
      MEDIA_TYPES.ociManifest,
      digestTag(image.digest, '.att'),
    );
    const found = await discoverSignatures(layout, image.digest);
    expect(found).toEqual([
      {
        kind: 'attestation',
        layout: 'legacy',
        location: digestTag(image.digest, '.att'),
        malformed: {
          message: expect.stringContaining('expected manifest JSON, found unparsable bytes'),
        },
      },
      {
        kind: 'signature',
        layout: 'referrer',
        predicateType: 'https://sigstore.dev/cosign/sign/v1',
        location: `referrer ${referrer}`,
        malformed: { message: expect.stringContaining('expected manifest JSON') },
      },
    ]);
  });

  it("still fails the whole discovery when the referrers index itself cannot be parsed: that is the registry's answer", async () => {
    const layout = new OciLayoutSource(dir);
    const image = await pushImage(layout, {
      platforms: [{ os: 'linux', architecture: 'amd64', files: { f: 'broken index' } }],
    });
    await layout.pushManifest(
      Buffer.from('{"schemaVersion": 2, "manifests": "nope"}'),
      MEDIA_TYPES.ociIndex,
      digestTag(image.digest),
    );
    await expect(discoverSignatures(layout, image.digest)).rejects.toMatchObject({
      code: 'MALFORMED',
      message: expect.stringContaining('manifests'),
    });
  });
});
