import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixturePath, haveFixtures } from '@oci-sd/test-support';
import {
  VerificationError,
  parseAttestationBundles,
  publicGoodTrustMaterial,
  verifyAttestation,
} from '../src/index';

const ARTIFACT = `sha256:${'a'.repeat(64)}`;

describe('verifyAttestation on untrusted input (property)', () => {
  it('any JSON value as a bundle fails alone, as a report, never as a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 3 }), async (values) => {
        const report = await verifyAttestation({
          artifact: ARTIFACT,
          owner: 'acme',
          bundles: values.map((bundle, index) => ({ bundle, location: `line ${index + 1}` })),
          trustedRoots: [publicGoodTrustMaterial()],
        });
        expect(report.ok).toBe(false);
        expect(report.checks[0]).toMatchObject({ check: 'attestation', status: 'fail' });
        const rejected = (report.checks[0]!.evidence as { rejected: unknown[] }).rejected;
        expect(rejected).toHaveLength(values.length);
      }),
      { numRuns: 60 },
    );
  });

  it.skipIf(!haveFixtures)(
    'a real bundle with one field replaced by any JSON value never verifies for another owner and never throws',
    async () => {
      const real = JSON.parse(
        readFileSync(fixturePath('github-attestations', 'sigstore-js-2.1.0.sigstore.json'), 'utf8'),
      ) as Record<string, unknown>;
      const tarball = readFileSync(fixturePath('github-attestations', 'sigstore-js-2.1.0.tgz'));
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('mediaType', 'verificationMaterial', 'dsseEnvelope'),
          fc.jsonValue(),
          async (field, value) => {
            const report = await verifyAttestation({
              artifact: tarball,
              digestAlg: 'sha512',
              owner: 'sigstore',
              bundles: [{ bundle: { ...real, [field]: value }, location: 'mutated' }],
            });
            expect(report.ok).toBe(false);
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  it('JSON lines: every line that is not JSON is refused naming its line; good lines keep their numbers', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.constant('{broken'),
          ),
          {
            minLength: 2,
            maxLength: 6,
          },
        ),
        (lines) => {
          const text = lines.join('\n');
          const broken = lines.findIndex((line) => line === '{broken');
          if (broken === -1) {
            const parsed = parseAttestationBundles(text, 'f.jsonl');
            expect(parsed.length).toBeGreaterThan(0);
            return;
          }
          try {
            parseAttestationBundles(text, 'f.jsonl');
            throw new Error('expected a refusal');
          } catch (error) {
            expect(error).toBeInstanceOf(VerificationError);
            expect((error as VerificationError).code).toBe('INVALID_INPUT');
            expect((error as Error).message).toContain(`f.jsonl line ${broken + 1}`);
          }
        },
      ),
    );
  });

  it('owner and repo values that are not GitHub names are INVALID_INPUT, before anything is read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string().filter((s) => !/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(s)),
        async (owner) => {
          await expect(
            verifyAttestation({ artifact: ARTIFACT, owner, bundles: [] }),
          ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
        },
      ),
      { numRuns: 60 },
    );
  });
});
