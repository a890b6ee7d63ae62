import { registryAvailable } from '@oci-sd/test-registry';
import { githubActionsIdentity, slsaGeneratorIdentity } from '@oci-sd/test-sigstore';
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
import {
  discoverSignatures,
  formatReport,
  verifyAttestation,
  verifyImage,
  verifyProvenance,
} from '../src/index';
import type {
  CheckResult,
  Digest,
  IdentityPolicy,
  LoadedTrustMaterial,
  RejectedCandidate,
} from '../src/index';
import { addLegacyLayerCopy, attachRawReferrer } from './support/candidates';
import { COMMIT, check } from './support/report';
import { startRoundTripWorld } from './support/roundtrip';
import type { RoundTripWorld } from './support/roundtrip';
import {
  BUNDLE_ANNOTATIONS,
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
  attachLegacyAttestation,
  attachLegacySignature,
  attachReferrerBundle,
  simpleSigningPayload,
  type RegistrySource,
} from '@oci-sd/oci';

function rejected(result: CheckResult): RejectedCandidate[] {
  return (result.evidence?.rejected ?? []) as RejectedCandidate[];
}

describe.skipIf(!registryAvailable())(
  `one malformed candidate does not block the good ones (docker-registry, test Sigstore)${registryAvailable() ? '' : ' (skipped: /usr/bin/docker-registry not installed)'}`,
  () => {
    let world: RoundTripWorld | undefined;
    let sigstore: TestSigstore;
    let trust: LoadedTrustMaterial;
    let identity: TestIdentity;
    let policy: IdentityPolicy;
    let newImage: RoundTripWorld['newImage'];

    const signReferrer = (
      store: RegistrySource,
      digest: Digest,
      image: string,
      signer: TestIdentity = identity,
    ) =>
      signStatement(
        sigstore,
        signer,
        inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
      ).then((bundle) => attachReferrerBundle(store, digest, bundle));

    beforeAll(async () => {
      world = await startRoundTripWorld('acme/malformed');
      ({ sigstore, trust, identity, policy, newImage } = world);
    });

    afterAll(async () => {
      await world?.stop();
    });

    describe('image signature', () => {
      it.each(['malformed first', 'good first'] as const)(
        'a good referrer signature and a garbage referrer (%s): passes, and the report names the garbage one',
        async (order) => {
          const { store, digest, image } = await newImage();
          let garbage: Digest;
          let good: Digest;
          if (order === 'malformed first') {
            garbage = await attachRawReferrer(store, digest);
            good = await signReferrer(store, digest, image);
          } else {
            good = await signReferrer(store, digest, image);
            garbage = await attachRawReferrer(store, digest);
          }
          // The order is the one asked for: discovery reads the fallback index in push order.
          const order_ = (await discoverSignatures(store, digest)).map((found) => found.location);
          expect(order_).toEqual(
            order === 'malformed first'
              ? [`referrer ${garbage}`, `referrer ${good}`]
              : [`referrer ${good}`, `referrer ${garbage}`],
          );

          const report = await verifyImage({ image: `${image}@${digest}`, policy, trust });
          expect(report.ok).toBe(true);
          const signature = check(report, 'image-signature');
          expect(signature).toMatchObject({
            status: 'pass',
            evidence: { location: `referrer ${good}`, layout: 'referrer' },
          });
          expect(signature.summary).toMatch(/; 1 other rejected$/);
          expect(rejected(signature)).toEqual([
            {
              location: `referrer ${garbage}`,
              layout: 'referrer',
              code: 'MALFORMED',
              reason: expect.stringContaining(`@${garbage} (referrer of ${digest}): layer sha256:`),
              expected: 'a Sigstore bundle',
              found: expect.stringContaining('JSON'),
            },
          ]);
          expect(formatReport(report)).toContain(
            `✓ image-signature: image signature verified (referrer ${good}, log index`,
          );
          expect(formatReport(report)).toContain(`    rejected: referrer ${garbage}: MALFORMED: `);
        },
      );

      it('only a malformed referrer: fails as MALFORMED naming it, not as "no signatures found"', async () => {
        const { store, digest, image } = await newImage();
        const notABundle = await attachRawReferrer(store, digest, {
          layer: Buffer.from(
            JSON.stringify({
              mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
              verificationMaterial: {},
            }),
          ),
        });
        const report = await verifyImage({ image: `${image}@${digest}`, policy, trust });
        expect(report.ok).toBe(false);
        const signature = check(report, 'image-signature');
        expect(signature).toMatchObject({
          status: 'fail',
          code: 'MALFORMED',
          expected: 'a Sigstore bundle',
        });
        expect(signature.summary).toMatch(
          new RegExp(`^1 image signature found, none verify: referrer ${notABundle}: `),
        );
        expect(rejected(signature).map((c) => [c.location, c.code])).toEqual([
          [`referrer ${notABundle}`, 'MALFORMED'],
        ]);
        const text = formatReport(report);
        expect(text).toContain('    code:     MALFORMED');
        expect(text).toContain(`    rejected: referrer ${notABundle}: MALFORMED: `);
        expect(text).not.toContain('no image signature found');
      });

      it.each(['first', 'last'] as const)(
        'a legacy .sig with a good layer and one whose bundle annotation is not JSON (broken layer %s): passes',
        async (position) => {
          const { store, digest, image } = await newImage();
          const payload = simpleSigningPayload(image, digest);
          await attachLegacySignature(
            store,
            digest,
            await sigstore.signMessage(payload, identity),
            payload,
            { chainPem: caChainPem(sigstore) },
          );
          await addLegacyLayerCopy(
            store,
            digest,
            '.sig',
            { [COSIGN_ANNOTATIONS.bundle]: '{"SignedEntryTimestamp": ' },
            position,
          );
          const broken = position === 'first' ? 0 : 1;
          const report = await verifyImage({ image: `${image}@${digest}`, policy, trust });
          expect(report.ok).toBe(true);
          const signature = check(report, 'image-signature');
          const tag = `sha256-${digest.slice(7)}.sig`;
          expect(signature.evidence).toMatchObject({
            location: `${tag} layer ${1 - broken}`,
            layout: 'legacy',
          });
          expect(rejected(signature)).toEqual([
            {
              location: `${tag} layer ${broken}`,
              layout: 'legacy',
              code: 'MALFORMED',
              reason: expect.stringContaining(
                `layer ${broken}: annotation ${COSIGN_ANNOTATIONS.bundle}: expected JSON`,
              ),
              expected: 'JSON',
              found: '{"SignedEntryTimestamp": ',
            },
          ]);
        },
      );

      it('quotes at most an excerpt of what a hostile layer carries', async () => {
        const { store, digest, image } = await newImage();
        const payload = simpleSigningPayload(image, digest);
        await attachLegacySignature(
          store,
          digest,
          await sigstore.signMessage(payload, identity),
          payload,
          { chainPem: caChainPem(sigstore) },
        );
        const huge = `{${'x'.repeat(100_000)}`;
        await addLegacyLayerCopy(
          store,
          digest,
          '.sig',
          { [COSIGN_ANNOTATIONS.bundle]: huge },
          'last',
        );
        const [broken] = rejected(
          check(
            await verifyImage({ image: `${image}@${digest}`, policy, trust }),
            'image-signature',
          ),
        );
        expect(broken).toMatchObject({
          code: 'MALFORMED',
          found: `${huge.slice(0, 200)}… (100001 characters)`,
        });
        expect(JSON.stringify(broken).length).toBeLessThan(1_000);
      });

      it('a malformed referrer and a signature by the wrong identity: fails, both reasons listed, the identity one leading', async () => {
        const { store, digest, image } = await newImage();
        const garbage = await attachRawReferrer(store, digest);
        const stranger = githubActionsIdentity({
          repository: 'evil/fork',
          workflowPath: SEED_WORKFLOW,
          ref: 'refs/tags/v1.5.0',
          sha: COMMIT,
        });
        const foreign = await signReferrer(store, digest, image, stranger);
        const report = await verifyImage({ image: `${image}@${digest}`, policy, trust });
        expect(report.ok).toBe(false);
        const signature = check(report, 'image-signature');
        expect(signature).toMatchObject({
          status: 'fail',
          code: 'IDENTITY_MISMATCH',
          found: { identity: [stranger.subjectAlternativeName] },
        });
        expect(signature.summary).toMatch(
          new RegExp(`^2 image signatures found, none verify: referrer ${foreign}: `),
        );
        expect(rejected(signature).map((c) => [c.location, c.code])).toEqual([
          [`referrer ${garbage}`, 'MALFORMED'],
          [`referrer ${foreign}`, 'IDENTITY_MISMATCH'],
        ]);
        const text = formatReport(report);
        expect(text).toContain(`    rejected: referrer ${garbage}: MALFORMED: `);
        expect(text).toContain(`    rejected: referrer ${foreign}: IDENTITY_MISMATCH: `);
      });

      it('a tampered signature next to a malformed one still fails: malformed candidates never count as verified', async () => {
        const { store, digest, image } = await newImage();
        await attachRawReferrer(store, digest);
        const bundle = await signStatement(
          sigstore,
          identity,
          inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
        );
        const sig = Buffer.from(bundle.dsseEnvelope!.signatures[0]!.sig, 'base64');
        sig[sig.length - 5]! ^= 1;
        bundle.dsseEnvelope!.signatures[0]!.sig = sig.toString('base64');
        await attachReferrerBundle(store, digest, bundle);
        const signature = check(
          await verifyImage({ image: `${image}@${digest}`, policy, trust }),
          'image-signature',
        );
        expect(signature).toMatchObject({ status: 'fail', code: 'SIGNATURE_INVALID' });
        expect(rejected(signature).map((c) => c.code)).toEqual(['MALFORMED', 'SIGNATURE_INVALID']);
      });
    });

    describe('attestations and provenance', () => {
      it('a good CycloneDX attestation and a malformed one annotated with the same type: passes; the image signature does not see it', async () => {
        const { store, digest, image } = await newImage();
        const garbage = await attachRawReferrer(store, digest, {
          annotations: {
            [BUNDLE_ANNOTATIONS.predicateType]: CYCLONEDX_TYPE,
            [BUNDLE_ANNOTATIONS.content]: 'dsse-envelope',
          },
        });
        await attachReferrerBundle(
          store,
          digest,
          await signStatement(
            sigstore,
            identity,
            inTotoStatement(digest, image, CYCLONEDX_TYPE, { bomFormat: 'CycloneDX' }),
          ),
        );
        await signReferrer(store, digest, image);
        const report = await verifyImage({
          image: `${image}@${digest}`,
          policy,
          trust,
          attestations: ['cyclonedx'],
        });
        expect(report.ok).toBe(true);
        const sbom = check(report, `attestation:${CYCLONEDX_TYPE}`);
        expect(sbom.evidence?.predicate).toEqual({ bomFormat: 'CycloneDX' });
        expect(rejected(sbom).map((c) => [c.location, c.code])).toEqual([
          [`referrer ${garbage}`, 'MALFORMED'],
        ]);
        // Its annotations say attestation: it is no image signature candidate.
        expect(check(report, 'image-signature').evidence?.rejected).toBeUndefined();
        // verify-attestation alone, and with only the malformed one of that type it fails as MALFORMED.
        expect(
          (
            await verifyAttestation({
              image: `${image}@${digest}`,
              policy,
              trust,
              type: 'cyclonedx',
            })
          ).ok,
        ).toBe(true);
        const spdxGarbage = await attachRawReferrer(store, digest, {
          annotations: { [BUNDLE_ANNOTATIONS.predicateType]: 'https://spdx.dev/Document' },
        });
        const spdx = check(
          await verifyAttestation({ image: `${image}@${digest}`, policy, trust, type: 'spdxjson' }),
          'attestation:https://spdx.dev/Document',
        );
        expect(spdx).toMatchObject({ status: 'fail', code: 'MALFORMED' });
        expect(rejected(spdx).map((c) => c.location)).toEqual([`referrer ${spdxGarbage}`]);
      });

      it('legacy .att: a good provenance layer and one with a broken envelope annotation pass slsa-verifier checks', async () => {
        const { store, digest, image } = await newImage();
        const builder = slsaGeneratorIdentity({
          repository: 'acme/app',
          workflowPath: SEED_WORKFLOW,
          ref: 'refs/tags/v1.5.0',
          sha: COMMIT,
        });
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
          await signStatement(sigstore, builder, statement),
          { chainPem: caChainPem(sigstore) },
        );
        await addLegacyLayerCopy(
          store,
          digest,
          '.att',
          { [COSIGN_ANNOTATIONS.certificate]: 'not a PEM certificate' },
          'first',
        );
        const report = await verifyProvenance({
          image: `${image}@${digest}`,
          trust,
          slsa: { sourceUri: 'github.com/acme/app', sourceTag: 'v1.5.0' },
        });
        expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
        const provenance = check(report, 'slsa-provenance');
        const tag = `sha256-${digest.slice(7)}.att`;
        expect(provenance.evidence).toMatchObject({ location: `${tag} layer 1`, commit: COMMIT });
        expect(provenance.summary).toMatch(
          /^verified build using builder ".*" at commit 4f2c1a9e\S+; 1 other rejected$/,
        );
        expect(rejected(provenance)).toEqual([
          expect.objectContaining({
            location: `${tag} layer 0`,
            code: 'MALFORMED',
            reason: expect.stringContaining(`annotation ${COSIGN_ANNOTATIONS.certificate}`),
          }),
        ]);
      });
    });
  },
);
