import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { VerificationError, trustMaterialFromFile, verifyAttestation } from '../src/index';
import type { VerifyAttestationOptions } from '../src/index';
import { check } from './support/report';

const WORKFLOW = 'sigstore/sigstore-js/.github/workflows/release.yml';

describe.skipIf(!haveFixtures)(
  `verifyAttestation on GitHub's attestation of sigstore 2.1.0 ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    const tarball = () => readFileSync(fixturePath('github-attestations', 'sigstore-js-2.1.0.tgz'));
    const bundle = () =>
      JSON.parse(
        readFileSync(fixturePath('github-attestations', 'sigstore-js-2.1.0.sigstore.json'), 'utf8'),
      ) as Record<string, unknown>;
    // The statement names the tarball by its sha512 only.
    const verify = (options: Partial<VerifyAttestationOptions>) =>
      verifyAttestation({
        artifact: tarball(),
        bundles: [{ bundle: bundle(), location: 'sigstore-js-2.1.0.sigstore.json' }],
        digestAlg: 'sha512',
        trustedRoots: [
          trustMaterialFromFile(fixturePath('sigstore', 'trusted_root.public-good.json')),
        ],
        ...options,
      } as VerifyAttestationOptions);

    it('verifies for owner sigstore, with one check per rule and the run named', async () => {
      const report = await verify({ owner: 'sigstore' });
      expect(report.ok).toBe(true);
      expect(report.checks.map((c) => `${c.check}=${c.status}`)).toEqual([
        'attestation=pass',
        'attestation:signature=pass',
        'attestation:subject=pass',
        'attestation:predicate-type=pass',
        'attestation:issuer=pass',
        'attestation:owner=pass',
        'attestation:signer=pass',
      ]);
      expect(check(report, 'attestation').evidence).toMatchObject({
        instance: 'public-good',
        signingWorkflow: `https://github.com/${WORKFLOW}@refs/heads/main`,
        repository: 'https://github.com/sigstore/sigstore-js',
        ref: 'refs/heads/main',
        runnerEnvironment: 'github-hosted',
        buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
      });
      expect(check(report, 'attestation').summary).toMatch(
        /signed by workflow https:\/\/github\.com\/sigstore\/sigstore-js\/\.github\/workflows\/release\.yml@refs\/heads\/main in https:\/\/github\.com\/sigstore\/sigstore-js at refs\/heads\/main, commit [0-9a-f]{40}/,
      );
      expect(report.artifact?.digest).toBe(
        `sha512:${createHash('sha512').update(tarball()).digest('hex')}`,
      );
    });

    it('verifies for repo, signer workflow, signer repo, exact identity, regex, and with self-hosted runners denied', async () => {
      for (const options of [
        { repo: 'sigstore/sigstore-js' },
        { repo: 'SIGSTORE/Sigstore-JS' },
        { owner: 'sigstore', signerWorkflow: WORKFLOW },
        { owner: 'sigstore', signerWorkflow: `github.com/${WORKFLOW}` },
        { owner: 'sigstore', signerRepo: 'sigstore/sigstore-js' },
        {
          owner: 'sigstore',
          certIdentity: `https://github.com/${WORKFLOW}@refs/heads/main`,
        },
        { owner: 'sigstore', certIdentityRegex: 'release\\.yml@refs/heads/' },
        { repo: 'sigstore/sigstore-js', signerWorkflow: WORKFLOW, denySelfHostedRunners: true },
      ] satisfies Partial<VerifyAttestationOptions>[]) {
        const report = await verify(options);
        expect(report.ok, JSON.stringify(options)).toBe(true);
      }
      const denied = await verify({ owner: 'sigstore', denySelfHostedRunners: true });
      expect(check(denied, 'attestation:runner')).toMatchObject({
        status: 'pass',
        found: 'github-hosted',
      });
    });

    it('the sha512 digest given instead of the file verifies; its sha256 is not a subject', async () => {
      const sha512 = createHash('sha512').update(tarball()).digest('hex');
      expect((await verify({ owner: 'sigstore', artifact: `sha512:${sha512}` })).ok).toBe(true);
      const sha256 = await verify({ owner: 'sigstore', digestAlg: 'sha256' });
      expect(sha256.ok).toBe(false);
      expect(check(sha256, 'attestation:subject')).toMatchObject({
        status: 'fail',
        code: 'DIGEST_MISMATCH',
      });
    });

    it.each([
      // Without a signer flag the workflow must also live under the owner (or repo), as in gh.
      ['another owner', { owner: 'sigstore-attacker' }, 'attestation:owner', 'attestation:signer'],
      [
        'an owner whose name the real one starts with',
        { owner: 'sigstor' },
        'attestation:owner',
        'attestation:signer',
      ],
      [
        'another repo of the same owner',
        { repo: 'sigstore/cosign' },
        'attestation:repo',
        'attestation:signer',
      ],
      [
        'another owner, whatever the signer workflow',
        { owner: 'sigstore-attacker', signerWorkflow: WORKFLOW },
        'attestation:owner',
      ],
      [
        'another workflow',
        { owner: 'sigstore', signerWorkflow: 'sigstore/sigstore-js/.github/workflows/ci.yml' },
        'attestation:signer',
      ],
      [
        'a workflow path the real one extends',
        { owner: 'sigstore', signerWorkflow: 'sigstore/sigstore-js/.github/workflows/release' },
        'attestation:signer',
      ],
      [
        'another signer repo',
        { owner: 'sigstore', signerRepo: 'sigstore/cosign' },
        'attestation:signer',
      ],
      [
        'another identity',
        {
          owner: 'sigstore',
          certIdentity: `https://github.com/${WORKFLOW}@refs/heads/other`,
        },
        'attestation:signer',
      ],
      [
        'another issuer',
        { owner: 'sigstore', certOidcIssuer: 'https://token.actions.example.com' },
        'attestation:issuer',
      ],
      [
        'another predicate type',
        { owner: 'sigstore', predicateType: 'https://spdx.dev/Document' },
        'attestation:predicate-type',
      ],
    ] as const)('fails for %s', async (_, options, ...failing) => {
      const report = await verify(options as Partial<VerifyAttestationOptions>);
      expect(report.ok).toBe(false);
      expect(check(report, 'attestation').status).toBe('fail');
      expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.check)).toEqual([
        'attestation',
        ...failing,
      ]);
    });

    it('fails for any other file', async () => {
      const other = Buffer.concat([tarball(), Buffer.from([0])]);
      const report = await verify({ owner: 'sigstore', artifact: other });
      expect(check(report, 'attestation')).toMatchObject({
        status: 'fail',
        code: 'DIGEST_MISMATCH',
      });
      expect(check(report, 'attestation:signature').status).toBe('pass');
    });

    it('fails when the statement is changed (signature), and under a root without its CA', async () => {
      const tampered = bundle();
      const envelope = tampered.dsseEnvelope as { payload: string };
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
      statement.predicate.buildDefinition.externalParameters.workflow.ref = 'refs/heads/evil';
      envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
      const report = await verify({
        owner: 'sigstore',
        bundles: [{ bundle: tampered, location: 'tampered' }],
      });
      expect(check(report, 'attestation:signature')).toMatchObject({
        status: 'fail',
        code: 'SIGNATURE_INVALID',
      });
      expect(check(report, 'attestation:owner').status).toBe('skip');

      const refused = await verify({ owner: 'sigstore', noPublicGood: true });
      expect(check(refused, 'attestation:signature').summary).toMatch(/public-good/);
      expect(refused.ok).toBe(false);
    });

    it('one bundle that verifies among broken ones passes and lists the others', async () => {
      const report = await verify({
        owner: 'sigstore',
        bundles: [
          { bundle: 'not a bundle', location: 'line 1' },
          { bundle: { mediaType: 'x' }, location: 'line 2' },
          { bundle: bundle(), location: 'line 3' },
        ],
      });
      expect(report.ok).toBe(true);
      const evidence = check(report, 'attestation').evidence as {
        location: string;
        rejected: { location: string }[];
      };
      expect(evidence.location).toBe('line 3');
      expect(evidence.rejected.map((r) => r.location)).toEqual(['line 1', 'line 2']);
    });

    it('refuses a policy without owner or repo, with both, or with two signer rules', async () => {
      for (const options of [
        {},
        { owner: 'sigstore', repo: 'sigstore/sigstore-js' },
        { owner: 'sigstore', signerRepo: 'sigstore/sigstore-js', signerWorkflow: WORKFLOW },
        { owner: 'bad owner' },
        { repo: 'sigstore' },
        { owner: 'sigstore', certIdentityRegex: '(' },
        { owner: 'sigstore', digestAlg: 'md5' },
        { owner: 'sigstore', signerWorkflow: 'release.yml' },
      ]) {
        await expect(verify(options as Partial<VerifyAttestationOptions>)).rejects.toMatchObject({
          name: 'VerificationError',
          code: 'INVALID_INPUT',
        });
      }
      await expect(verify({ owner: 'sigstore', bundles: undefined })).rejects.toBeInstanceOf(
        VerificationError,
      );
    });
  },
);
