import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { verifyImage, verifyProvenance } from '../src/index';
import { check } from './support/report';

const SOURCE = 'github.com/slsa-framework/example-package';
const BUILDER =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0';

function image(): string {
  const digest = readFileSync(
    fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch.digest'),
    'utf8',
  ).trim();
  return `oci-layout:${fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch')}@${digest}`;
}

describe.skipIf(!haveFixtures)(
  `SLSA v0.2 container provenance (slsa-github-generator v2.0.0, OCI layout) ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    it('verifies with the source and branch main, naming the builder and commit', async () => {
      const report = await verifyProvenance({
        image: image(),
        slsa: { sourceUri: SOURCE, sourceBranch: 'main' },
      });
      expect(report.ok).toBe(true);
      expect(report.image?.digest).toBe(
        'sha256:55aee984fd6b1d0e0a19a55265d10d40063a2212bdbabd75b202b1728236548d',
      );
      expect(check(report, 'slsa-provenance').summary).toBe(
        `verified build using builder "${BUILDER}" at commit 693130cb6cb840a7bc9cb18c6510d536a95dc7e6`,
      );
      expect(report.checks.map((c) => c.check)).toEqual([
        'slsa-provenance',
        'slsa-provenance:predicate-type',
        'slsa-provenance:subject',
        'slsa-provenance:builder',
        'slsa-provenance:build-type',
        'slsa-provenance:source',
        'slsa-provenance:branch',
        'slsa-provenance:certificate',
      ]);
      const evidence = check(report, 'slsa-provenance').evidence as {
        layout: string;
        tlog: { logIndex: string }[];
        certificate: { extensions: Record<string, string> };
      };
      expect(evidence.layout).toBe('legacy');
      expect(evidence.tlog[0]!.logIndex).toBe('87850616');
      expect(evidence.certificate.extensions).toMatchObject({
        buildSignerURI: BUILDER,
        sourceRepositoryURI: 'https://github.com/slsa-framework/example-package',
        sourceRepositoryDigest: '693130cb6cb840a7bc9cb18c6510d536a95dc7e6',
        sourceRepositoryRef: 'refs/tags/v13.0.30',
      });
    });

    it('accepts the builder id with or without its ref, and rejects another builder', async () => {
      expect(
        (
          await verifyProvenance({
            image: image(),
            slsa: { sourceUri: SOURCE, builderId: BUILDER },
          })
        ).ok,
      ).toBe(true);
      expect(
        (
          await verifyProvenance({
            image: image(),
            slsa: { sourceUri: SOURCE, builderId: BUILDER.replace(/@.*/, '') },
          })
        ).ok,
      ).toBe(true);
      const report = await verifyProvenance({
        image: image(),
        slsa: { sourceUri: SOURCE, builderId: BUILDER.replace('v2.0.0', 'v1.9.0') },
      });
      expect(report.ok).toBe(false);
      expect(check(report, 'slsa-provenance:builder')).toMatchObject({
        status: 'fail',
        expected: BUILDER.replace('v2.0.0', 'v1.9.0'),
        found: BUILDER,
      });
      expect(check(report, 'slsa-provenance').code).toBe('PROVENANCE_MISMATCH');
    });

    it('fails for a wrong source, naming provenance and certificate values', async () => {
      const report = await verifyProvenance({
        image: image(),
        slsa: { sourceUri: 'github.com/slsa-framework/other-package', sourceBranch: 'main' },
      });
      expect(report.ok).toBe(false);
      expect(check(report, 'slsa-provenance:source')).toMatchObject({
        status: 'fail',
        summary: expect.stringContaining(
          'invocation.configSource.uri is git+https://github.com/slsa-framework/example-package, not git+https://github.com/slsa-framework/other-package',
        ),
        expected: {
          provenance: 'git+https://github.com/slsa-framework/other-package@<ref>, the same in both',
        },
        found: {
          'invocation.configSource.uri':
            'git+https://github.com/slsa-framework/example-package@refs/tags/v13.0.30',
        },
      });
    });

    it('fails for a tag it was not built from and for another branch', async () => {
      const tag = await verifyProvenance({
        image: image(),
        slsa: { sourceUri: SOURCE, sourceTag: 'v1.0.0' },
      });
      expect(tag.ok).toBe(false);
      expect(check(tag, 'slsa-provenance:tag')).toMatchObject({
        status: 'fail',
        found: { github_ref: 'refs/tags/v13.0.30' },
      });
      const branch = await verifyProvenance({
        image: image(),
        slsa: { sourceUri: SOURCE, sourceBranch: 'release' },
      });
      expect(branch.ok).toBe(false);
      expect(check(branch, 'slsa-provenance:branch')).toMatchObject({
        status: 'fail',
        expected: 'refs/heads/release',
        found: 'refs/heads/main',
      });
    });

    it('matches slsa-verifier on the tag it was pushed with (a tag push on main)', async () => {
      expect(
        (
          await verifyProvenance({
            image: image(),
            slsa: { sourceUri: SOURCE, sourceTag: 'v13.0.30' },
          })
        ).ok,
      ).toBe(true);
    });

    it('fails for a digest the provenance does not name', async () => {
      const other = image().replace(
        /@sha256:.*/,
        '@sha256:a3e4bf251423a455ad90c3d706f95f133ed11a8e81e3f34e6fa6d056a1c15529',
      );
      const report = await verifyProvenance({ image: other, slsa: { sourceUri: SOURCE } });
      expect(report.ok).toBe(false);
      expect(check(report, 'slsa-provenance').code).toBe('NO_SIGNATURES');
    });

    it('reports "no signatures found" for the image signature it does not have', async () => {
      const report = await verifyImage({
        image: image(),
        policy: { identity: BUILDER, issuer: 'https://token.actions.githubusercontent.com' },
      });
      expect(report.ok).toBe(false);
      expect(check(report, 'image-signature')).toMatchObject({
        status: 'fail',
        code: 'NO_SIGNATURES',
      });
    });

    it('treats the provenance as an attestation with cosign identity semantics', async () => {
      const policy = { identity: BUILDER, issuer: 'https://token.actions.githubusercontent.com' };
      const ok = await verifyImage({
        image: image(),
        policy,
        signature: false,
        attestations: ['slsaprovenance'],
      });
      expect(ok.ok).toBe(true);
      expect(
        (
          check(ok, 'attestation:https://slsa.dev/provenance/v0.2').evidence as {
            predicate: { buildType: string };
          }
        ).predicate.buildType,
      ).toBe('https://github.com/slsa-framework/slsa-github-generator/container@v1');
      const wrong = await verifyImage({
        image: image(),
        policy: { ...policy, identity: BUILDER.replace('v2.0.0', 'v2.0.1') },
        signature: false,
        attestations: ['slsaprovenance'],
      });
      expect(check(wrong, 'attestation:https://slsa.dev/provenance/v0.2')).toMatchObject({
        status: 'fail',
        code: 'IDENTITY_MISMATCH',
      });
      expect(check(wrong, 'attestation:https://slsa.dev/provenance/v0.2').summary).toContain(
        '1 https://slsa.dev/provenance/v0.2 attestation found, none verify',
      );
      const missing = await verifyImage({
        image: image(),
        policy,
        signature: false,
        attestations: ['cyclonedx'],
      });
      expect(check(missing, 'attestation:https://cyclonedx.org/bom')).toMatchObject({
        status: 'fail',
        code: 'NO_SIGNATURES',
      });
    });
  },
);
