import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, json as canonicalJson } from '@sigstore/core';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestIdentity, TestSigstore } from '@oci-sd/test-sigstore';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixturePath,
  fixturesSkipReason,
  haveFixtures,
  hostileRuns,
  mutationOf,
} from '@oci-sd/test-support';
import type { Mutation } from '@oci-sd/test-support';
import { evaluateCandidate, summarizeCandidates } from '../src/api/candidates';
import { verifySigstoreBundle } from '../src/checks/bundle';
import { certificateIdentity } from '../src/checks/certificate';
import {
  checkPredicateType,
  checkSimpleSigning,
  checkSubjectDigest,
  parseInTotoStatement,
} from '../src/checks/claims';
import { shapeProblem } from '../src/checks/json-shape';
import {
  PROVENANCE_V02_SHAPE,
  SLSA_PROVENANCE_V02,
  checkSlsaProvenance,
} from '../src/slsa/provenance';
import {
  trustMaterialFromFile,
  trustMaterialFromJSON,
  VerificationError,
  verifyProvenance,
} from '../src/index';
import type { Digest, DiscoveredSignature, VerificationReport } from '../src/index';
import { MEDIA_TYPES, OciLayoutSource, digestTag, simpleSigningPayload } from '@oci-sd/oci';

// Property tests for the readers of everything an attacker can sign or push (issue 12, "Hostile input never
// aborts a verification"): arbitrary JSON at every path of real documents. Each run is read, or refused as
// MALFORMED with the JSON path in its message, and nothing but a VerificationError ever escapes.

const IN_TOTO = 'application/vnd.in-toto+json';
const LAYOUT = fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch');
const SLSA_SOURCE = 'github.com/slsa-framework/example-package';
/** Statement fields a verifier reads; a path into GitHub's event payload is one the checks never look at. */
const readable = (path: (string | number)[]) =>
  !path.includes('github_event_payload') || path.length <= 6;

interface SlsaFixture {
  digest: Digest;
  manifestDigest: Digest;
  manifest: { layers: Record<string, unknown>[] } & Record<string, unknown>;
  statement: Record<string, unknown>;
  certificate: ReturnType<typeof certificateIdentity>;
}

function loadSlsaFixture(): SlsaFixture {
  const blob = (digest: string) =>
    readFileSync(join(LAYOUT, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'utf8');
  const index = JSON.parse(readFileSync(join(LAYOUT, 'index.json'), 'utf8')) as {
    manifests: { digest: Digest; annotations: { kind: string } }[];
  };
  const image = index.manifests.find((m) => m.annotations.kind.endsWith('/imageIndex'))!;
  const atts = index.manifests.find((m) => m.annotations.kind.endsWith('/atts'))!;
  const manifest = JSON.parse(blob(atts.digest)) as SlsaFixture['manifest'];
  const layer = manifest.layers[0]! as { digest: string; annotations: Record<string, string> };
  const envelope = JSON.parse(blob(layer.digest)) as { payload: string };
  const pem = layer.annotations['dev.sigstore.cosign/certificate']!;
  return {
    digest: image.digest,
    manifestDigest: atts.digest,
    manifest,
    statement: JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')),
    certificate: certificateIdentity(X509Certificate.parse(pem)),
  };
}

/** A located refusal: the message starts with the path of the field that broke the shape. */
function expectLocated(message: string, root: string): void {
  expect(message).toMatch(new RegExp(`^${root}(\\.|\\[|:)`));
}

describe.skipIf(!haveFixtures)(
  `hostile in-toto statements, bundles and cosign manifests (property tests on real fixtures) ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    let slsa: SlsaFixture;
    beforeAll(() => {
      slsa = loadSlsaFixture();
    });

    it('statements: the real SLSA provenance with any JSON at any path is read or refused as MALFORMED, located', () => {
      const policy = { sourceUri: SLSA_SOURCE, sourceBranch: 'main' };
      fc.assert(
        fc.property(mutationOf(slsa.statement, readable), (mutation) => {
          const parsed = parseInTotoStatement(IN_TOTO, Buffer.from(mutation.json));
          if (!parsed.ok) {
            expect(parsed.outcome.code).toBe('MALFORMED');
            expectLocated(parsed.outcome.message, 'statement');
            return;
          }
          const { statement } = parsed;
          expect(typeof checkPredicateType(statement, SLSA_PROVENANCE_V02).ok).toBe('boolean');
          expect(typeof checkSubjectDigest(statement, slsa.digest).ok).toBe('boolean');
          const problem = shapeProblem(
            statement.predicate,
            PROVENANCE_V02_SHAPE,
            'statement.predicate',
          );
          if (problem) {
            expect(problem.path).toMatch(/^statement\.predicate/);
            return;
          }
          const result = checkSlsaProvenance(statement, slsa.certificate, slsa.digest, policy);
          // Unchanged semantics verify; a change slsa-verifier would notice fails a named finding.
          if (!result.ok) expect(result.findings.some((finding) => !finding.ok)).toBe(true);
        }),
        { numRuns: hostileRuns(400) },
      );
      // The unmutated statement is the control: it verifies.
      const original = parseInTotoStatement(IN_TOTO, Buffer.from(JSON.stringify(slsa.statement)));
      expect(
        original.ok &&
          checkSlsaProvenance(original.statement, slsa.certificate, slsa.digest, policy).ok,
      ).toBe(true);
    });

    it('the examples the issue names are refused with their paths', () => {
      const cases: [unknown, string][] = [
        [
          { ...slsa.statement, subject: [{ name: 'x', digest: { sha256: 42 } }] },
          'statement.subject[0].digest.sha256: expected string, found number',
        ],
        [
          { ...slsa.statement, subject: 'everything' },
          'statement.subject: expected array, found string',
        ],
        [
          { ...slsa.statement, predicate: null },
          'statement.predicate: expected object, found null',
        ],
        [
          { ...slsa.statement, predicateType: ['a'] },
          'statement.predicateType: expected string, found array',
        ],
        [null, 'statement: expected object, found null'],
      ];
      for (const [statement, message] of cases) {
        const parsed = parseInTotoStatement(IN_TOTO, Buffer.from(JSON.stringify(statement)));
        expect(parsed).toMatchObject({ ok: false, outcome: { code: 'MALFORMED', message } });
      }
      const provenance = { ...slsa.statement, predicate: { buildType: { toString: 1 } } };
      const parsed = parseInTotoStatement(IN_TOTO, Buffer.from(JSON.stringify(provenance)));
      expect(parsed.ok).toBe(true);
      expect(
        shapeProblem(
          parsed.ok && parsed.statement.predicate,
          PROVENANCE_V02_SHAPE,
          'statement.predicate',
        ),
      ).toMatchObject({ path: 'statement.predicate.buildType', expected: 'string' });
    });

    it('simple-signing payloads (legacy .sig) with any JSON at any path: checked or refused as MALFORMED, located', () => {
      const payload = JSON.parse(
        simpleSigningPayload('ghcr.io/acme/app', slsa.digest).toString('utf8'),
      ) as unknown;
      expect(checkSimpleSigning(Buffer.from(JSON.stringify(payload)), slsa.digest).ok).toBe(true);
      fc.assert(
        fc.property(mutationOf(payload), (mutation) => {
          const claim = checkSimpleSigning(Buffer.from(mutation.json), slsa.digest);
          if (claim.code === 'MALFORMED') expectLocated(claim.message, 'payload');
        }),
        { numRuns: hostileRuns(200) },
      );
      expect(
        checkSimpleSigning(Buffer.from('{"critical":{"type":"x","image":"sha256:"}}'), slsa.digest),
      ).toMatchObject({
        code: 'MALFORMED',
        message: 'payload.critical.image: expected object, found string',
      });
    });

    it('bundles: the real GitHub attestation and a TUF-on-CI signature with any JSON at any path never throw', () => {
      const trust = trustMaterialFromFile(
        fixturePath('sigstore', 'trusted_root.public-good.json'),
      ).material;
      const attestation = JSON.parse(
        readFileSync(fixturePath('github-attestations', 'sigstore-js-2.1.0.sigstore.json'), 'utf8'),
      ) as Record<string, unknown>;
      const root = JSON.parse(
        readFileSync(
          fixturePath('tuf', 'amaanx86', 'metadata', 'root_history', '1.root.json'),
          'utf8',
        ),
      ) as { signed: unknown; signatures: { bundle: Record<string, unknown> }[] };
      const fixtures = [
        {
          bundle: attestation,
          options: {
            trust,
            policy: {
              identity:
                'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
              issuer: 'https://token.actions.githubusercontent.com',
            },
          },
        },
        {
          bundle: root.signatures[0]!.bundle,
          options: {
            trust,
            policy: {
              identity: 'amaanulhaq.s@outlook.com',
              issuer: 'https://github.com/login/oauth',
            },
            artifact: { bytes: Buffer.from(canonicalJson.canonicalize(root.signed)) },
          },
        },
      ];
      // Examples: a number where base64 belongs (the protobuf decoder's TypeError), a log time no Date holds.
      const [{ bundle: real, options: realOptions }] = fixtures as [(typeof fixtures)[0]];
      const material = real.verificationMaterial as { tlogEntries: Record<string, unknown>[] };
      const withEntry = (entry: Record<string, unknown>) => ({
        ...real,
        verificationMaterial: {
          ...material,
          tlogEntries: [{ ...material.tlogEntries[0], ...entry }],
        },
      });
      expect(
        verifySigstoreBundle(withEntry({ logId: { keyId: 7 } }) as never, realOptions),
      ).toMatchObject({
        ok: false,
        signature: {
          code: 'MALFORMED',
          message:
            'not a valid Sigstore bundle: bundle.verificationMaterial.tlogEntries[0].logId.keyId: expected string, found number',
        },
      });
      const farFuture = verifySigstoreBundle(
        withEntry({ integratedTime: '9999999999999999999' }) as never,
        realOptions,
      );
      expect(farFuture.ok).toBe(false);
      expect(farFuture.evidence.tlog?.[0]?.integratedTime).toBeUndefined();
      for (const { bundle, options } of fixtures) {
        expect(verifySigstoreBundle(bundle as never, options).ok).toBe(true);
        fc.assert(
          fc.property(mutationOf(bundle), (mutation) => {
            const verdict = verifySigstoreBundle(JSON.parse(mutation.json), options);
            if (verdict.signature.code === 'MALFORMED')
              expect(verdict.signature.message).toMatch(/^not a valid Sigstore bundle: /);
            if (verdict.ok) expect(verdict.signature.status).toBe('pass');
          }),
          { numRuns: hostileRuns(150) },
        );
      }
    });

    describe('signed by the test Sigstore', () => {
      let sigstore: TestSigstore;
      let identity: TestIdentity;
      let trust: ReturnType<typeof trustMaterialFromFile>['material'];
      let genuine: DiscoveredSignature;
      const policy = () => ({ identity: identity.subjectAlternativeName, issuer: identity.issuer });
      const candidate = async (statement: string): Promise<DiscoveredSignature> => ({
        kind: 'attestation',
        layout: 'referrer',
        predicateType: SLSA_PROVENANCE_V02,
        bundle: await sigstore.signDsse(Buffer.from(statement), IN_TOTO, identity),
        location: 'referrer (property run)',
      });

      beforeAll(async () => {
        sigstore = await startTestSigstore();
        identity = githubActionsIdentity({
          repository: 'acme/app',
          workflowPath: '.github/workflows/release.yml',
          ref: 'refs/tags/v1.5.0',
          sha: '0'.repeat(40),
        });
        trust = trustMaterialFromJSON(sigstore.trustedRoot, 'test sigstore').material;
        genuine = await candidate(JSON.stringify(slsa.statement));
      });

      afterAll(async () => {
        await sigstore?.stop();
      });

      it('a well-signed hostile statement fails alone and never blocks the genuine one', async () => {
        const evaluate = (found: DiscoveredSignature) =>
          evaluateCandidate(
            found,
            slsa.digest,
            policy(),
            trust,
            SLSA_PROVENANCE_V02,
            PROVENANCE_V02_SHAPE,
          );
        expect(evaluate(genuine).ok).toBe(true);
        await fc.assert(
          fc.asyncProperty(mutationOf(slsa.statement, readable), async (mutation) => {
            const result = evaluate(await candidate(mutation.json));
            if (!result.ok) {
              expect(['MALFORMED', 'DIGEST_MISMATCH', 'PREDICATE_MISMATCH']).toContain(
                result.failure!.code,
              );
              if (result.failure!.code === 'MALFORMED')
                expectLocated(result.failure!.message, 'statement');
            }
            const check = summarizeCandidates(
              'slsa-provenance',
              'SLSA provenance',
              [result, evaluate(genuine)],
              {},
            );
            expect(check.status).toBe('pass');
          }),
          { numRuns: hostileRuns(20) },
        );
      });
    });

    describe('cosign manifests in an OCI layout', () => {
      let dir: string;
      let runs = 0;

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'oci-sd-hostile-layout-'));
        await cp(LAYOUT, dir, { recursive: true });
      });

      afterAll(async () => {
        if (dir) await rm(dir, { recursive: true, force: true });
      });

      const provenance = (): Promise<VerificationReport | VerificationError> =>
        verifyProvenance({
          image: `oci-layout:${dir}@${slsa.digest}`,
          slsa: { sourceUri: SLSA_SOURCE, sourceBranch: 'main' },
        }).catch((error: unknown) => {
          // Only the package's own error may escape, and only for what is not one candidate's.
          expect(error).toBeInstanceOf(VerificationError);
          return error as VerificationError;
        });

      /** Points the layout's `atts` entry at `manifest` (what `cosign save` records for `sha256-<hex>.att`). */
      async function setAttestations(manifest: Buffer): Promise<void> {
        const layout = new OciLayoutSource(dir);
        const { digest, size } = await layout.pushBlob(manifest);
        const indexPath = join(dir, 'index.json');
        const index = JSON.parse(await readFile(indexPath, 'utf8')) as {
          manifests: { digest: string; size: number; annotations?: { kind?: string } }[];
        };
        const atts = index.manifests.find((entry) => entry.annotations?.kind?.endsWith('/atts'))!;
        Object.assign(atts, { digest, size });
        await writeFile(indexPath, JSON.stringify(index));
      }

      it('a hostile layer appended to the real .att manifest (descriptor or annotations) never hides the genuine provenance', async () => {
        const layer = slsa.manifest.layers[0]!;
        const annotations = layer.annotations as Record<string, string>;
        const rekorBundle = JSON.parse(annotations['dev.sigstore.cosign/bundle']!) as unknown;
        const hostileLayer = fc.oneof(
          mutationOf(layer).map((m: Mutation) => JSON.parse(m.json) as unknown),
          // Inside the JSON an annotation holds: cosign's Rekor bundle.
          mutationOf(rekorBundle).map((m: Mutation) => ({
            ...layer,
            annotations: { ...annotations, 'dev.sigstore.cosign/bundle': m.json },
          })),
        );
        await fc.assert(
          fc.asyncProperty(hostileLayer, async (hostile) => {
            runs++;
            await setAttestations(
              Buffer.from(JSON.stringify({ ...slsa.manifest, layers: [hostile, layer] })),
            );
            const report = await provenance();
            expect(report).not.toBeInstanceOf(VerificationError);
            expect((report as VerificationReport).ok).toBe(true);
          }),
          { numRuns: hostileRuns(40) },
        );
        expect(runs).toBeGreaterThan(0);
      });

      it('the real .att manifest with any JSON at any path: a report or a VerificationError, never a crash', async () => {
        await fc.assert(
          fc.asyncProperty(mutationOf(slsa.manifest), async (mutation) => {
            await setAttestations(Buffer.from(mutation.json));
            const report = await provenance();
            if (report instanceof VerificationError) expect(report.code).toBe('MALFORMED');
            else if (!report.ok)
              expect(report.checks.find((c) => c.check === 'slsa-provenance')?.code).toBeDefined();
          }),
          { numRuns: hostileRuns(40) },
        );
        await setAttestations(Buffer.from(JSON.stringify(slsa.manifest)));
        expect(((await provenance()) as VerificationReport).ok).toBe(true);
      });

      it('a hostile referrer manifest next to the real provenance is rejected alone', async () => {
        const layout = new OciLayoutSource(dir);
        const bundle = await readFile(
          fixturePath('github-attestations', 'sigstore-js-2.1.0.sigstore.json'),
        );
        const [layer, config] = await Promise.all([
          layout.pushBlob(bundle),
          layout.pushBlob(Buffer.from('{}')),
        ]);
        const subject = await layout.manifest(slsa.digest);
        const referrer = {
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociManifest,
          artifactType: MEDIA_TYPES.sigstoreBundleV03,
          config: { mediaType: MEDIA_TYPES.ociEmpty, ...config },
          layers: [{ mediaType: MEDIA_TYPES.sigstoreBundleV03, ...layer }],
          subject: {
            mediaType: subject.mediaType,
            digest: slsa.digest,
            size: subject.bytes.length,
          },
          annotations: { 'dev.sigstore.bundle.predicateType': SLSA_PROVENANCE_V02 },
        };
        await fc.assert(
          fc.asyncProperty(mutationOf(referrer), async (mutation) => {
            const bytes = Buffer.from(mutation.json);
            const digest = await layout.pushManifest(bytes, MEDIA_TYPES.ociManifest);
            const index = {
              schemaVersion: 2,
              mediaType: MEDIA_TYPES.ociIndex,
              manifests: [
                {
                  mediaType: MEDIA_TYPES.ociManifest,
                  digest,
                  size: bytes.length,
                  artifactType: MEDIA_TYPES.sigstoreBundleV03,
                },
              ],
            };
            await layout.pushManifest(
              Buffer.from(JSON.stringify(index)),
              MEDIA_TYPES.ociIndex,
              digestTag(slsa.digest),
            );
            const report = await provenance();
            expect(report).not.toBeInstanceOf(VerificationError);
            const check = (report as VerificationReport).checks[0]!;
            expect(check).toMatchObject({ check: 'slsa-provenance', status: 'pass' });
            for (const rejected of (check.evidence?.rejected ?? []) as { location: string }[])
              expect(rejected.location).toBe(`referrer ${digest}`);
          }),
          { numRuns: hostileRuns(40) },
        );
      });
    });
  },
);
