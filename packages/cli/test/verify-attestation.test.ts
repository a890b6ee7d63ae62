import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestSigstore } from '@oci-sd/test-sigstore';
import { startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import { RegistrySource, attachReferrerBundle, pushImage } from '@oci-sd/oci';
import { runMain } from './support/run-cli';

const WORKFLOW = 'sigstore/sigstore-js/.github/workflows/release.yml';

describe.skipIf(!haveFixtures)(
  `oci-sd verify attestation (GitHub's attestation of sigstore 2.1.0) ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    const tarball = fixturePath('github-attestations', 'sigstore-js-2.1.0.tgz');
    const bundle = fixturePath('github-attestations', 'sigstore-js-2.1.0.sigstore.json');
    const root = fixturePath('sigstore', 'trusted_root.public-good.json');
    let dir: string;
    const run = (...args: string[]) =>
      runMain('verify', 'attestation', ...args, '--bundle', bundle, '--digest-alg', 'sha512');

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'oci-sd-cli-attestation-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('verifies the tarball for the owner and names workflow, repository, ref and commit', async () => {
      const result = await run(tarball, '--owner', 'sigstore');
      expect(result.code, result.err).toBe(0);
      expect(result.out).toContain('✓ attestation:owner: ');
      expect(result.out).toMatch(/PASSED: 7 checks verified/);
      expect(result.out).toContain(
        `signing workflow: https://github.com/${WORKFLOW}@refs/heads/main`,
      );
      expect(result.out).toContain('repository:       https://github.com/sigstore/sigstore-js');
      expect(result.out).toContain('ref:              refs/heads/main');
      expect(result.out).toMatch(/commit: {11}[0-9a-f]{40}/);
    });

    it('verifies with gh’s other flags, the sha512 digest, and a JSON lines trusted root', async () => {
      const roots = join(dir, 'roots.jsonl');
      writeFileSync(roots, `${JSON.stringify(JSON.parse(readFileSync(root, 'utf8')))}\n`);
      const sha512 = createHash('sha512').update(readFileSync(tarball)).digest('hex');
      const result = await run(
        `sha512:${sha512}`,
        '--repo',
        'sigstore/sigstore-js',
        '--signer-workflow',
        WORKFLOW,
        '--deny-self-hosted-runners',
        '--cert-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        '--predicate-type',
        'https://slsa.dev/provenance/v1',
        '--custom-trusted-root',
        roots,
        '--json',
      );
      expect(result.code, result.err).toBe(0);
      const report = JSON.parse(result.out) as { ok: boolean; checks: { check: string }[] };
      expect(report.ok).toBe(true);
      expect(report.checks.map((c) => c.check)).toContain('attestation:runner');
    });

    it.each([
      ['another owner', ['--owner', 'github']],
      ['another repo', ['--repo', 'sigstore/cosign']],
      [
        'another workflow',
        [
          '--owner',
          'sigstore',
          '--signer-workflow',
          'sigstore/sigstore-js/.github/workflows/ci.yml',
        ],
      ],
      [
        'another predicate type',
        ['--owner', 'sigstore', '--predicate-type', 'https://spdx.dev/Document'],
      ],
    ])('exits 1 for %s, with expected and found', async (_, flags) => {
      const result = await run(tarball, ...flags);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/✗ attestation:/);
      expect(result.out).toMatch(/expected: /);
      expect(result.out).not.toContain('signing workflow:');
    });

    it('exits 1 for another file', async () => {
      const other = join(dir, 'other.tgz');
      writeFileSync(other, 'not the tarball');
      const result = await run(other, '--owner', 'sigstore');
      expect(result.code).toBe(1);
      expect(result.out).toContain('✗ attestation:subject');
    });

    it.each([
      ['neither --owner nor --repo', []],
      ['both --owner and --repo', ['--owner', 'sigstore', '--repo', 'sigstore/sigstore-js']],
      ['two signer flags', ['--owner', 'sigstore', '--signer-repo', 'a/b', '--cert-identity', 'x']],
      ['an unknown digest algorithm', ['--owner', 'sigstore', '--digest-alg', 'md5']],
      ['a missing artifact', ['--owner', 'sigstore', join('/nonexistent', 'file')]],
    ])('exits 2 for %s', async (_, flags) => {
      const args = flags.includes(join('/nonexistent', 'file')) ? flags : [tarball, ...flags];
      const result = await run(...args);
      expect(result.code).toBe(2);
    });

    it('exits 2 for a bundle file line that is not JSON, naming the line', async () => {
      const lines = join(dir, 'bundles.jsonl');
      writeFileSync(lines, `${readFileSync(bundle, 'utf8').replace(/\n/g, '')}\n{not json\n`);
      const result = await runMain(
        'verify',
        'attestation',
        tarball,
        '--owner',
        'sigstore',
        '--bundle',
        lines,
      );
      expect(result.code).toBe(2);
      expect(result.err).toContain('bundles.jsonl line 2');
    });

    it('exits 2 without a bundle source', async () => {
      const result = await runMain('verify', 'attestation', tarball, '--owner', 'sigstore');
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/--bundle/);
    });
  },
);

describe('oci-sd verify attestation: GitHub-shaped test Sigstore (TSA, no log)', () => {
  let github: TestSigstore;
  let registry: TestRegistry;
  let dir: string;

  beforeAll(async () => {
    [github, registry] = await Promise.all([
      startTestSigstore({ instance: 'github' }),
      startRegistry(),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'oci-sd-cli-attestation-gh-'));
  });
  afterAll(async () => {
    await Promise.all([github?.stop(), registry?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--bundle-from-oci reads the referrers of oci://REGISTRY/REPO:TAG', async () => {
    const store = new RegistrySource(registry.host, 'acme/private-app');
    const { digest } = await pushImage(store, {
      tag: 'v1.0.0',
      platforms: [{ os: 'linux', architecture: 'amd64', files: { app: 'v1' } }],
    });
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'acme/private-app', digest: { sha256: digest.slice(7) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {},
    };
    const identity = githubActionsIdentity({
      repository: 'acme/private-app',
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/v1.0.0',
      sha: 'b'.repeat(40),
      runnerEnvironment: 'self-hosted',
    });
    await attachReferrerBundle(
      store,
      digest,
      await github.signDsse(
        Buffer.from(JSON.stringify(statement)),
        'application/vnd.in-toto+json',
        identity,
      ),
    );
    const roots = join(dir, 'oci-roots.jsonl');
    writeFileSync(roots, `${JSON.stringify(github.trustedRoot)}\n`);
    const image = `oci://${registry.host}/acme/private-app:v1.0.0`;
    const args = [
      'verify',
      'attestation',
      image,
      '--bundle-from-oci',
      '--custom-trusted-root',
      roots,
    ];
    const ok = await runMain(...args, '--owner', 'acme', '--json');
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, image: { digest } });
    const denied = await runMain(...args, '--owner', 'acme', '--deny-self-hosted-runners');
    expect(denied.code).toBe(1);
    expect(denied.out).toContain('✗ attestation:runner');
    const missing = await runMain(
      'verify',
      'attestation',
      `oci://${registry.host}/acme/none:v1`,
      '--bundle-from-oci',
      '--owner',
      'acme',
    );
    expect(missing.code).toBe(1);
  });

  it('verifies a file offline against a custom trusted root, and exits 1 for a wrong owner', async () => {
    const artifact = join(dir, 'app.tgz');
    writeFileSync(artifact, 'release bytes');
    const sha256 = createHash('sha256').update('release bytes').digest('hex');
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'app.tgz', digest: { sha256 } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1' },
      },
    };
    const bundle = await github.signDsse(
      Buffer.from(JSON.stringify(statement)),
      'application/vnd.in-toto+json',
      githubActionsIdentity({
        repository: 'acme/private-app',
        workflowPath: '.github/workflows/release.yml',
        ref: 'refs/heads/main',
        sha: 'a'.repeat(40),
        repositoryVisibility: 'private',
      }),
    );
    const bundles = join(dir, 'bundles.jsonl');
    writeFileSync(bundles, `${JSON.stringify(bundle)}\n`);
    const roots = join(dir, 'roots.jsonl');
    writeFileSync(roots, `${JSON.stringify(github.trustedRoot)}\n`);
    const args = [
      artifact,
      '--bundle',
      bundles,
      '--custom-trusted-root',
      roots,
      '--no-public-good',
    ];
    const ok = await runMain('verify', 'attestation', ...args, '--repo', 'acme/private-app');
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toMatch(/github instance/);
    expect(ok.out).toContain('repository:       https://github.com/acme/private-app');
    const wrong = await runMain('verify', 'attestation', ...args, '--owner', 'other');
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('✗ attestation:owner');
  });
});

describe.skipIf(!haveFixtures)(
  `oci-sd verify download (real SLSA container image) ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    const layout = fixturePath(
      'slsa',
      'gha_generic_container-v2.0.0',
      'container_workflow_dispatch',
    );
    const image = () =>
      `oci-layout:${layout}@${readFileSync(fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch.digest'), 'utf8').trim()}`;
    const GENERATOR =
      'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0';
    const download = (...args: string[]) =>
      runMain(
        'verify',
        'download',
        image(),
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        ...args,
      );

    it('writes only the verified predicate to stdout', async () => {
      const result = await download(
        '--predicate-type',
        'slsaprovenance',
        '--certificate-identity',
        GENERATOR,
      );
      expect(result.code, result.err).toBe(0);
      const predicate = JSON.parse(result.out) as { buildType: string };
      expect(predicate.buildType).toBe(
        'https://github.com/slsa-framework/slsa-github-generator/container@v1',
      );
      expect(result.err).toContain('✓ attestation:https://slsa.dev/provenance/v0.2');
    });

    it('writes nothing and exits 1 for another signer or a type that is not attached', async () => {
      for (const args of [
        ['--predicate-type', 'slsaprovenance', '--certificate-identity', `${GENERATOR}x`],
        ['--predicate-type', 'cyclonedx', '--certificate-identity', GENERATOR],
      ]) {
        const result = await download(...args);
        expect(result.code).toBe(1);
        expect(result.out).toBe('');
      }
    });
  },
);
