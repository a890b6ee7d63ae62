import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from '@sigstore/core';
import { githubActionsIdentity, slsaGeneratorIdentity } from '@oci-sd/test-sigstore';
import { attachReferrerBundle } from '@oci-sd/oci';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { certificateIdentity } from '../src/checks/certificate';
import type { InTotoStatement } from '../src/checks/claims';
import { checkSlsaProvenanceV1 } from '../src/slsa/provenance-v1';
import { SLSA_PROVENANCE_V1, verifyImage } from '../src/index';
import type { Digest } from '../src/index';
import { COMMIT, check } from './support/report';
import { inTotoStatement } from './support/signing';
import { startRoundTripWorld } from './support/roundtrip';
import type { RoundTripWorld } from './support/roundtrip';

describe.skipIf(!haveFixtures)(
  `SLSA v1 checks on GitHub's real provenance for sigstore 2.1.0 ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    const bundle = JSON.parse(
      readFileSync(fixturePath('github-attestations', 'sigstore-js-2.1.0.sigstore.json'), 'utf8'),
    ) as {
      verificationMaterial: { certificate: { rawBytes: string } };
      dsseEnvelope: { payload: string };
    };
    const certificate = certificateIdentity(
      X509Certificate.parse(
        Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64'),
      ),
    );
    const statement = () =>
      JSON.parse(
        Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'),
      ) as InTotoStatement & { predicate: Record<string, Record<string, unknown>> };
    // The statement names an npm tarball (sha512), so the image-digest subject check is the one that fails.
    const findings = (
      s: InTotoStatement,
      policy: Parameters<typeof checkSlsaProvenanceV1>[3] = {
        sourceUri: 'github.com/sigstore/sigstore-js',
      },
    ) =>
      Object.fromEntries(
        checkSlsaProvenanceV1(
          s,
          certificate,
          `sha256:${'0'.repeat(64)}` as Digest,
          policy,
        ).findings.map((f) => [f.name, f.ok]),
      );

    it('the older build type name, the github-hosted builder, source, branch and certificate agree', () => {
      expect(
        findings(statement(), {
          sourceUri: 'github.com/sigstore/sigstore-js',
          sourceBranch: 'main',
        }),
      ).toEqual({
        'predicate-type': true,
        subject: false,
        builder: true,
        'build-type': true,
        source: true,
        branch: true,
        certificate: true,
      });
    });

    it('a tag, another source, builder, build type, ref or commit each fail their check', () => {
      expect(
        findings(statement(), { sourceUri: 'github.com/sigstore/sigstore-js', sourceTag: 'v2.1.0' })
          .tag,
      ).toBe(false);
      expect(findings(statement(), { sourceUri: 'github.com/sigstore/cosign' }).source).toBe(false);
      const cases: [string, (s: ReturnType<typeof statement>) => void][] = [
        [
          'builder',
          (s) =>
            void ((s.predicate.runDetails!.builder as { id: string }).id = 'https://evil.example'),
        ],
        [
          'build-type',
          (s) => void (s.predicate.buildDefinition!.buildType = 'https://evil.example/build'),
        ],
        [
          'source',
          (s) =>
            void ((s.predicate.buildDefinition!.resolvedDependencies as { uri: string }[])[0]!.uri =
              'git+https://github.com/evil/fork@refs/heads/main'),
        ],
        [
          'certificate',
          (s) =>
            void ((
              s.predicate.buildDefinition!.resolvedDependencies as {
                digest: { gitCommit: string };
              }[]
            )[0]!.digest.gitCommit = 'f'.repeat(40)),
        ],
        [
          'certificate',
          (s) =>
            void ((
              s.predicate.buildDefinition!.externalParameters as { workflow: { path: string } }
            ).workflow.path = '.github/workflows/other.yml'),
        ],
      ];
      for (const [name, alter] of cases) {
        const altered = statement();
        alter(altered);
        expect(findings(altered)[name], name).toBe(false);
      }
    });
  },
);

describe('verify image --slsa with SLSA v1 provenance (docker-registry, test Sigstore)', () => {
  let world: RoundTripWorld;
  beforeAll(async () => {
    world = await startRoundTripWorld('slsa-v1/app');
  });
  afterAll(() => world?.stop());

  function predicate(options: { ref?: string; builder?: string } = {}) {
    const ref = options.ref ?? 'refs/tags/v1.5.0';
    return {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: {
            ref,
            repository: 'https://github.com/acme/app',
            path: '.github/workflows/release.yml',
          },
        },
        internalParameters: {
          github: {
            event_name: 'push',
            repository_id: '100000001',
            repository_owner_id: '100000000',
          },
        },
        resolvedDependencies: [
          { uri: `git+https://github.com/acme/app@${ref}`, digest: { gitCommit: COMMIT } },
        ],
      },
      runDetails: {
        builder: { id: options.builder ?? 'https://github.com/actions/runner/github-hosted' },
        metadata: { invocationId: 'https://github.com/acme/app/actions/runs/1/attempts/1' },
      },
    };
  }
  const identity = githubActionsIdentity({
    repository: 'acme/app',
    workflowPath: '.github/workflows/release.yml',
    ref: 'refs/tags/v1.5.0',
    sha: COMMIT,
  });

  async function attested(p: unknown, signer = identity) {
    const image = await world.newImage();
    await attachReferrerBundle(
      image.store,
      image.digest,
      await world.sigstore.signDsse(
        inTotoStatement(image.digest, 'acme/app', SLSA_PROVENANCE_V1, p),
        'application/vnd.in-toto+json',
        signer,
      ),
    );
    return image;
  }

  const verify = (image: string, digest: Digest, slsa: Record<string, string>) =>
    verifyImage({
      image: `${image}@${digest}`,
      signature: false,
      slsa: { sourceUri: 'github.com/acme/app', ...slsa },
      trust: world.trust,
    });

  it('passes for the repository’s own workflow attestation, with each finding reported', async () => {
    const { image, digest } = await attested(predicate());
    const report = await verify(image, digest, { sourceTag: 'v1.5.0' });
    expect(report.ok, JSON.stringify(report.checks, null, 1)).toBe(true);
    expect(check(report, 'slsa-provenance').evidence).toMatchObject({
      predicateType: SLSA_PROVENANCE_V1,
      builderId: 'https://github.com/actions/runner/github-hosted',
      commit: COMMIT,
    });
    expect(check(report, 'slsa-provenance:tag').status).toBe('pass');
  });

  it('fails for another tag, a branch, another source and a workflow of another repository', async () => {
    const { image, digest } = await attested(predicate());
    expect(
      check(await verify(image, digest, { sourceTag: 'v1.5.1' }), 'slsa-provenance:tag').status,
    ).toBe('fail');
    expect(
      check(await verify(image, digest, { sourceBranch: 'main' }), 'slsa-provenance:branch').status,
    ).toBe('fail');
    const other = await verifyImage({
      image: `${image}@${digest}`,
      signature: false,
      slsa: { sourceUri: 'github.com/acme/other' },
      trust: world.trust,
    });
    expect(check(other, 'slsa-provenance')).toMatchObject({
      status: 'fail',
      code: 'IDENTITY_MISMATCH',
    });

    const foreign = githubActionsIdentity({
      repository: 'evil/app',
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/v1.5.0',
      sha: COMMIT,
    });
    const forged = await attested(predicate(), foreign);
    const report = await verify(forged.image, forged.digest, {});
    expect(check(report, 'slsa-provenance')).toMatchObject({
      status: 'fail',
      code: 'IDENTITY_MISMATCH',
    });
  });

  it('generator-signed v1 provenance needs builder.id to be the generator at its release tag', async () => {
    const generator = slsaGeneratorIdentity({
      repository: 'acme/app',
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/v1.5.0',
      sha: COMMIT,
    });
    const good = await attested(
      predicate({ builder: generator.subjectAlternativeName }),
      generator,
    );
    expect((await verify(good.image, good.digest, {})).ok).toBe(true);
    const runner = await attested(predicate(), generator);
    expect(
      check(await verify(runner.image, runner.digest, {}), 'slsa-provenance:builder').status,
    ).toBe('fail');
  });
});
