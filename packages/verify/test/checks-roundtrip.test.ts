import type { SerializedBundle } from '@sigstore/bundle';
import { registryAvailable } from '@oci-sd/test-registry';
import { slsaGeneratorIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestIdentity, TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CYCLONEDX_TYPE,
  SEED_WORKFLOW,
  caChainPem,
  containerProvenance,
  inTotoStatement,
  signStatement,
} from '@oci-sd/release-fixture';
import { trustMaterialFromJSON, verifyImage, verifyProvenance } from '../src/index';
import type { Digest, IdentityPolicy, LoadedTrustMaterial } from '../src/index';
import { COMMIT, check } from './support/report';
import { startRoundTripWorld } from './support/roundtrip';
import type { RoundTripWorld } from './support/roundtrip';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  attachLegacyAttestation,
  attachLegacySignature,
  attachReferrerBundle,
  simpleSigningPayload,
} from '@oci-sd/oci';

function tamperSignature(bundle: SerializedBundle): SerializedBundle {
  const copy = structuredClone(bundle);
  const signature = copy.dsseEnvelope ? copy.dsseEnvelope.signatures[0]! : undefined;
  const bytes = Buffer.from(signature ? signature.sig : copy.messageSignature!.signature, 'base64');
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 1, bytes.length - 5);
  if (signature) signature.sig = bytes.toString('base64');
  else copy.messageSignature!.signature = bytes.toString('base64');
  return copy;
}

describe.skipIf(!registryAvailable())(
  `image checks round trip: test Sigstore -> docker-registry -> verifyImage${registryAvailable() ? '' : ' (skipped: /usr/bin/docker-registry not installed)'}`,
  () => {
    let world: RoundTripWorld | undefined;
    let sigstore: TestSigstore;
    let trust: LoadedTrustMaterial;
    let identity: TestIdentity;
    let policy: IdentityPolicy;
    let newImage: RoundTripWorld['newImage'];

    beforeAll(async () => {
      world = await startRoundTripWorld('acme/app');
      ({ sigstore, trust, identity, policy, newImage } = world);
    });

    afterAll(async () => {
      await world?.stop();
    });

    describe('image signature', () => {
      it('verifies a cosign v3 referrer signature, resolving the tag once to the index digest', async () => {
        const { store, digest, image } = await newImage();
        await attachReferrerBundle(
          store,
          digest,
          await signStatement(
            sigstore,
            identity,
            inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
          ),
        );
        const report = await verifyImage({ image: `${image}:v1.5.0`, policy, trust });
        expect(report.ok).toBe(true);
        expect(report.image).toEqual({ reference: `${image}:v1.5.0`, digest });
        expect(check(report, 'image-signature').evidence).toMatchObject({
          layout: 'referrer',
          certificate: {
            extensions: { sourceRepositoryDigest: COMMIT, sourceRepositoryRef: 'refs/tags/v1.5.0' },
          },
        });
      });

      it('verifies a cosign v2 legacy .sig (simple signing, message signature)', async () => {
        const { store, digest, image } = await newImage();
        const payload = simpleSigningPayload(image, digest);
        await attachLegacySignature(
          store,
          digest,
          await sigstore.signMessage(payload, identity),
          payload,
          { chainPem: caChainPem(sigstore) },
        );
        const report = await verifyImage({ image: `${image}@${digest}`, policy, trust });
        expect(report.ok).toBe(true);
        expect(check(report, 'image-signature').evidence).toMatchObject({ layout: 'legacy' });
      });

      it('missing: "no signatures found", distinct from "found, none verify"', async () => {
        const { digest, image } = await newImage();
        const report = await verifyImage({ image: `${image}@${digest}`, policy, trust });
        expect(check(report, 'image-signature')).toMatchObject({
          status: 'fail',
          code: 'NO_SIGNATURES',
          summary: 'no image signature found',
        });
      });

      it('says so when given a platform digest instead of the signed index digest', async () => {
        const { store, digest, image, platform } = await newImage();
        await attachReferrerBundle(
          store,
          digest,
          await signStatement(
            sigstore,
            identity,
            inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
          ),
        );
        const result = check(
          await verifyImage({ image: `${image}@${platform}`, policy, trust }),
          'image-signature',
        );
        expect(result).toMatchObject({ status: 'fail', code: 'NO_SIGNATURES' });
        expect(result.summary).toContain('a single-platform manifest');
        expect(
          check(
            await verifyImage({ image: `${image}@${digest}`, policy, trust }),
            'image-signature',
          ).status,
        ).toBe('pass');
      });

      it('tampered: a flipped signature byte, in either layout, is "found, none verify"', async () => {
        const { store, digest, image } = await newImage();
        await attachReferrerBundle(
          store,
          digest,
          tamperSignature(
            await signStatement(
              sigstore,
              identity,
              inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
            ),
          ),
        );
        const payload = simpleSigningPayload(image, digest);
        await attachLegacySignature(
          store,
          digest,
          tamperSignature(await sigstore.signMessage(payload, identity)),
          payload,
          { chainPem: caChainPem(sigstore) },
        );
        const result = check(
          await verifyImage({ image: `${image}@${digest}`, policy, trust }),
          'image-signature',
        );
        expect(result).toMatchObject({ status: 'fail', code: 'SIGNATURE_INVALID' });
        expect(result.summary).toMatch(/^2 image signatures found, none verify/);
        expect((result.evidence as { rejected: unknown[] }).rejected).toHaveLength(2);
      });

      it('wrong identity: expected and found SAN and issuer', async () => {
        const { store, digest, image } = await newImage();
        await attachReferrerBundle(
          store,
          digest,
          await signStatement(
            sigstore,
            identity,
            inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
          ),
        );
        const other =
          'https://github.com/acme/app/.github/workflows/docker-build-push.yml@refs/tags/v1.5.1';
        const result = check(
          await verifyImage({
            image: `${image}@${digest}`,
            policy: { ...policy, identity: other },
            trust,
          }),
          'image-signature',
        );
        expect(result).toMatchObject({
          status: 'fail',
          code: 'IDENTITY_MISMATCH',
          expected: { identity: other, issuer: policy.issuer },
          found: { identity: [policy.identity], issuer: policy.issuer },
        });
        const issuer = check(
          await verifyImage({
            image: `${image}@${digest}`,
            policy: { ...policy, issuer: 'https://accounts.google.com' },
            trust,
          }),
          'image-signature',
        );
        expect(issuer.summary).toContain(
          `issuer: expected https://accounts.google.com, found ${policy.issuer}`,
        );
        // Anchored: a prefix pattern that an unanchored match would accept is refused.
        const prefix = await verifyImage({
          image: `${image}@${digest}`,
          policy: { identityRegExp: 'https://github\\.com/acme/', issuer: policy.issuer! },
          trust,
        });
        expect(prefix.ok).toBe(false);
        expect(
          (
            await verifyImage({
              image: `${image}@${digest}`,
              policy: {
                identityRegExp: 'https://github\\.com/acme/app/.+@refs/tags/v1\\.5\\.0',
                issuer: policy.issuer!,
              },
              trust,
            })
          ).ok,
        ).toBe(true);
      });

      it('wrong digest: a valid signature for another image, copied onto this one, fails in both layouts', async () => {
        const { digest: otherDigest, image: otherImage } = await newImage();
        const { store, digest, image } = await newImage();
        await attachReferrerBundle(
          store,
          digest,
          await signStatement(
            sigstore,
            identity,
            inTotoStatement(otherDigest, otherImage, COSIGN_SIGN_PREDICATE_TYPE, {}),
          ),
        );
        const payload = simpleSigningPayload(otherImage, otherDigest);
        await attachLegacySignature(
          store,
          digest,
          await sigstore.signMessage(payload, identity),
          payload,
          { chainPem: caChainPem(sigstore) },
        );
        const result = check(
          await verifyImage({ image: `${image}@${digest}`, policy, trust }),
          'image-signature',
        );
        expect(result).toMatchObject({ status: 'fail', code: 'DIGEST_MISMATCH', expected: digest });
        expect(
          (result.evidence as { rejected: { code: string }[] }).rejected.map((c) => c.code),
        ).toEqual(['DIGEST_MISMATCH', 'DIGEST_MISMATCH']);
      });

      it('a DSSE statement of another predicate type is not an image signature', async () => {
        const { store, digest, image } = await newImage();
        const bundle = await signStatement(
          sigstore,
          identity,
          inTotoStatement(digest, image, 'https://example.com/not-a-signature', {}),
        );
        // Legacy attachment keeps it an attestation; as a signature candidate it would need cosign's sign predicate.
        await attachReferrerBundle(store, digest, bundle);
        expect(
          check(
            await verifyImage({ image: `${image}@${digest}`, policy, trust }),
            'image-signature',
          ),
        ).toMatchObject({ code: 'NO_SIGNATURES' });
      });
    });

    describe('attestations', () => {
      it('verifies a CycloneDX SBOM by short name and reports the predicate', async () => {
        const { store, digest, image } = await newImage();
        const sbom = { bomFormat: 'CycloneDX', specVersion: '1.5' };
        await attachReferrerBundle(
          store,
          digest,
          await signStatement(
            sigstore,
            identity,
            inTotoStatement(digest, image, CYCLONEDX_TYPE, sbom),
          ),
        );
        const report = await verifyImage({
          image: `${image}@${digest}`,
          policy,
          trust,
          signature: false,
          attestations: ['cyclonedx'],
        });
        expect(report.ok).toBe(true);
        expect(check(report, `attestation:${CYCLONEDX_TYPE}`).evidence?.predicate).toEqual(sbom);
      });

      it('missing type, wrong identity, tampered and wrong digest each fail with their own code', async () => {
        const { digest: otherDigest } = await newImage();
        const { store, digest, image } = await newImage();
        await attachReferrerBundle(
          store,
          digest,
          await signStatement(
            sigstore,
            identity,
            inTotoStatement(digest, image, 'https://spdx.dev/Document', {}),
          ),
        );
        expect(
          check(
            await verifyImage({
              image: `${image}@${digest}`,
              policy,
              trust,
              signature: false,
              attestations: ['cyclonedx'],
            }),
            `attestation:${CYCLONEDX_TYPE}`,
          ),
        ).toMatchObject({ code: 'NO_SIGNATURES' });
        const spdx = (p: IdentityPolicy) =>
          verifyImage({
            image: `${image}@${digest}`,
            policy: p,
            trust,
            signature: false,
            attestations: ['spdxjson'],
          });
        expect(
          check(
            await spdx({
              ...policy,
              identity: 'https://github.com/acme/app/.github/workflows/other.yml@refs/tags/v1.5.0',
            }),
            'attestation:https://spdx.dev/Document',
          ),
        ).toMatchObject({ code: 'IDENTITY_MISMATCH' });

        const { store: store2, digest: digest2, image: image2 } = await newImage();
        await attachReferrerBundle(
          store2,
          digest2,
          tamperSignature(
            await signStatement(
              sigstore,
              identity,
              inTotoStatement(digest2, image2, CYCLONEDX_TYPE, {}),
            ),
          ),
        );
        expect(
          check(
            await verifyImage({
              image: `${image2}@${digest2}`,
              policy,
              trust,
              signature: false,
              attestations: ['cyclonedx'],
            }),
            `attestation:${CYCLONEDX_TYPE}`,
          ),
        ).toMatchObject({ code: 'SIGNATURE_INVALID' });

        const { store: store3, digest: digest3, image: image3 } = await newImage();
        await attachReferrerBundle(
          store3,
          digest3,
          await signStatement(
            sigstore,
            identity,
            inTotoStatement(otherDigest, image3, CYCLONEDX_TYPE, {}),
          ),
        );
        expect(
          check(
            await verifyImage({
              image: `${image3}@${digest3}`,
              policy,
              trust,
              signature: false,
              attestations: ['cyclonedx'],
            }),
            `attestation:${CYCLONEDX_TYPE}`,
          ),
        ).toMatchObject({ code: 'DIGEST_MISMATCH', expected: digest3 });
      });

      it('reads legacy .att attestations too, and only of the asked type', async () => {
        const { store, digest, image } = await newImage();
        const bundle = await signStatement(
          sigstore,
          identity,
          inTotoStatement(digest, image, 'https://spdx.dev/Document', {}),
        );
        await attachLegacyAttestation(store, digest, bundle, { chainPem: caChainPem(sigstore) });
        const report = await verifyImage({
          image: `${image}@${digest}`,
          policy,
          trust,
          signature: false,
          attestations: ['spdx'],
        });
        expect(report.ok).toBe(true);
        expect(
          check(
            await verifyImage({
              image: `${image}@${digest}`,
              policy,
              trust,
              signature: false,
              attestations: ['openvex'],
            }),
            'attestation:https://openvex.dev/ns',
          ),
        ).toMatchObject({ code: 'NO_SIGNATURES' });
      });
    });

    describe('SLSA provenance through the registry', () => {
      async function withProvenance(
        builder: TestIdentity,
        overrides: Partial<Parameters<typeof containerProvenance>[0]> = {},
      ): Promise<{ image: string; digest: Digest }> {
        const { store, digest, image } = await newImage();
        const statement = containerProvenance({
          digest,
          image,
          repository: 'acme/app',
          tag: 'v1.5.0',
          commit: COMMIT,
          runId: '1',
          ...overrides,
        });
        await attachLegacyAttestation(
          store,
          digest,
          await signStatement(sigstore, builder, statement),
          { chainPem: caChainPem(sigstore) },
        );
        return { image, digest };
      }
      const generator = (generatorRef?: string, sha = COMMIT) =>
        slsaGeneratorIdentity({
          repository: 'acme/app',
          workflowPath: SEED_WORKFLOW,
          ref: 'refs/tags/v1.5.0',
          sha,
          ...(generatorRef ? { generatorRef } : {}),
        });

      it('passes for the source and tag, and fails another tag and another source', async () => {
        const { image, digest } = await withProvenance(generator());
        const verify = (slsa: Parameters<typeof verifyProvenance>[0]['slsa']) =>
          verifyProvenance({ image: `${image}@${digest}`, trust, slsa });
        expect((await verify({ sourceUri: 'github.com/acme/app', sourceTag: 'v1.5.0' })).ok).toBe(
          true,
        );
        expect((await verify({ sourceUri: 'github.com/acme/app', sourceBranch: 'main' })).ok).toBe(
          true,
        );
        expect(
          check(
            await verify({ sourceUri: 'github.com/acme/app', sourceTag: 'v1.5.1' }),
            'slsa-provenance:tag',
          ),
        ).toMatchObject({ status: 'fail' });
        expect(
          check(await verify({ sourceUri: 'github.com/acme/other' }), 'slsa-provenance:source'),
        ).toMatchObject({
          status: 'fail',
          found: { 'certificate 1.3.6.1.4.1.57264.1.12': 'https://github.com/acme/app' },
        });
      });

      it('refuses tampered provenance and provenance about another image', async () => {
        const { store, digest, image } = await newImage();
        const statement = containerProvenance({
          digest,
          image,
          repository: 'acme/app',
          tag: 'v1.5.0',
          commit: COMMIT,
          runId: '1',
        });
        await attachLegacyAttestation(
          store,
          digest,
          tamperSignature(await signStatement(sigstore, generator(), statement)),
          { chainPem: caChainPem(sigstore) },
        );
        expect(
          check(
            await verifyProvenance({
              image: `${image}@${digest}`,
              trust,
              slsa: { sourceUri: 'github.com/acme/app' },
            }),
            'slsa-provenance',
          ),
        ).toMatchObject({ status: 'fail', code: 'SIGNATURE_INVALID' });
        const { digest: otherDigest } = await newImage();
        const other = await withProvenance(generator(), { digest: otherDigest });
        expect(
          check(
            await verifyProvenance({
              image: `${other.image}@${other.digest}`,
              trust,
              slsa: { sourceUri: 'github.com/acme/app' },
            }),
            'slsa-provenance',
          ),
        ).toMatchObject({ status: 'fail', code: 'DIGEST_MISMATCH', expected: other.digest });
      });

      it('refuses a prerelease builder tag and provenance signed by anything but the generator', async () => {
        const rc = await withProvenance(generator('refs/tags/v2.0.0-rc.1'), {
          builderId:
            'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0-rc.1',
        });
        expect(
          check(
            await verifyProvenance({
              image: `${rc.image}@${rc.digest}`,
              trust,
              slsa: { sourceUri: 'github.com/acme/app' },
            }),
            'slsa-provenance:builder',
          ),
        ).toMatchObject({ status: 'fail', found: 'refs/tags/v2.0.0-rc.1' });
        const self = await withProvenance(identity);
        expect(
          check(
            await verifyProvenance({
              image: `${self.image}@${self.digest}`,
              trust,
              slsa: { sourceUri: 'github.com/acme/app' },
            }),
            'slsa-provenance',
          ),
        ).toMatchObject({ status: 'fail', code: 'IDENTITY_MISMATCH' });
      });

      it('refuses provenance that names another builder or another commit than its certificate', async () => {
        const liar = await withProvenance(generator(), {
          builderId:
            'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.9.0',
        });
        expect(
          check(
            await verifyProvenance({
              image: `${liar.image}@${liar.digest}`,
              trust,
              slsa: { sourceUri: 'github.com/acme/app' },
            }),
            'slsa-provenance:builder',
          ),
        ).toMatchObject({ status: 'fail' });
        const commit = await withProvenance(generator(undefined, 'b'.repeat(40)));
        const report = await verifyProvenance({
          image: `${commit.image}@${commit.digest}`,
          trust,
          slsa: { sourceUri: 'github.com/acme/app' },
        });
        expect(check(report, 'slsa-provenance:certificate')).toMatchObject({
          status: 'fail',
          found: { 'github_sha1 / 1.13 source digest': COMMIT },
        });
      });
    });

    describe('time', () => {
      it('certificates expired today still verify at their log time; outside the CA validity nothing does', async () => {
        const past = await startTestSigstore({
          clock: new Date(Date.now() - 30 * 24 * 60 * 60 * 1000),
        });
        try {
          const { store, digest, image } = await newImage();
          const builder = slsaGeneratorIdentity({
            repository: 'acme/app',
            workflowPath: SEED_WORKFLOW,
            ref: 'refs/tags/v1.5.0',
            sha: COMMIT,
          });
          await attachReferrerBundle(
            store,
            digest,
            await signStatement(
              past,
              identity,
              inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
            ),
          );
          await attachReferrerBundle(
            store,
            digest,
            await signStatement(past, identity, inTotoStatement(digest, image, CYCLONEDX_TYPE, {})),
          );
          const provenance = containerProvenance({
            digest,
            image,
            repository: 'acme/app',
            tag: 'v1.5.0',
            commit: COMMIT,
            runId: '1',
          });
          await attachLegacyAttestation(
            store,
            digest,
            await signStatement(past, builder, provenance),
            { chainPem: caChainPem(past) },
          );
          const everything = (trusted: LoadedTrustMaterial) =>
            verifyImage({
              image: `${image}@${digest}`,
              policy,
              trust: trusted,
              attestations: ['cyclonedx'],
              slsa: { sourceUri: 'github.com/acme/app', sourceTag: 'v1.5.0' },
            });

          const report = await everything(trustMaterialFromJSON(past.trustedRoot, 'past sigstore'));
          expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
          const notAfter = (
            check(report, 'image-signature').evidence as { certificate: { notAfter: string } }
          ).certificate.notAfter;
          expect(new Date(notAfter).getTime()).toBeLessThan(Date.now());

          // The same root with the CA's validity ending before the signing time: no chain is valid then.
          const root = structuredClone(past.trustedRoot) as {
            certificateAuthorities: { validFor: { start: string; end?: string } }[];
          };
          root.certificateAuthorities[0]!.validFor.end = new Date(
            Date.now() - 40 * 24 * 60 * 60 * 1000,
          ).toISOString();
          const expired = await everything(trustMaterialFromJSON(root, 'expired CA'));
          for (const name of [
            'image-signature',
            `attestation:${CYCLONEDX_TYPE}`,
            'slsa-provenance',
          ]) {
            expect(check(expired, name), name).toMatchObject({
              status: 'fail',
              code: 'SIGNATURE_INVALID',
            });
          }
        } finally {
          await past.stop();
        }
      });
    });
  },
);
