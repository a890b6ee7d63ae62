import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { runMain } from './support/run-cli';
import { writeMetadataBundle } from './support/tuf-bundle';

const run = (...args: string[]) => runMain('verify', ...args);

const SLSA_SOURCE = 'github.com/slsa-framework/example-package';
const OFFLINE_SIGNER = [
  '--certificate-identity',
  'amaanulhaq.s@outlook.com',
  '--certificate-oidc-issuer',
  'https://github.com/login/oauth',
];

describe.skipIf(!haveFixtures)(
  `oci-sd verify (real fixtures) ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    let dir: string;
    let image: string;
    let artifact: string;
    let bundle: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'oci-sd-cli-verify-'));
      const digest = readFileSync(
        fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch.digest'),
        'utf8',
      ).trim();
      image = `oci-layout:${fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch')}@${digest}`;
      ({ artifact, bundle } = writeMetadataBundle(dir, 'targets'));
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('verify image --slsa passes with marks, the digest and the builder line', async () => {
      const result = await run(
        'image',
        image,
        '--no-signature',
        '--slsa',
        '--source-uri',
        SLSA_SOURCE,
        '--source-branch',
        'main',
      );
      expect(result.code).toBe(0);
      expect(result.out).toContain(
        '✓ slsa-provenance: verified build using builder "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0" at commit 693130cb6cb840a7bc9cb18c6510d536a95dc7e6',
      );
      expect(result.out).toContain(
        '-> sha256:55aee984fd6b1d0e0a19a55265d10d40063a2212bdbabd75b202b1728236548d',
      );
      expect(result.out).toMatch(/PASSED/);
    });

    it('verify image --slsa with a wrong source exits 1 showing expected and found', async () => {
      const result = await run(
        'image',
        image,
        '--no-signature',
        '--slsa',
        '--source-uri',
        'github.com/acme/other',
        '--source-branch',
        'main',
      );
      expect(result.code).toBe(1);
      expect(result.out).toContain('✗ slsa-provenance:source');
      expect(result.out).toContain(
        'expected: {"provenance":"git+https://github.com/acme/other@<ref>, the same in both"',
      );
      expect(result.out).toContain(
        '"materials[0].uri":"git+https://github.com/slsa-framework/example-package@refs/tags/v13.0.30"',
      );
      expect(result.err).toContain('verification failed');
    });

    it('verify image --json prints the report; a missing signature is "no signatures found" and exits 1', async () => {
      const result = await run(
        'image',
        image,
        '--json',
        '--certificate-identity',
        'https://example.com/x',
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
      );
      expect(result.code).toBe(1);
      const report = JSON.parse(result.out) as {
        ok: boolean;
        checks: { check: string; code?: string }[];
      };
      expect(report.ok).toBe(false);
      expect(report.checks).toEqual([
        expect.objectContaining({ check: 'image-signature', code: 'NO_SIGNATURES' }),
      ]);
    });

    it('verify image --print-predicate prints the verified predicate', async () => {
      const builder =
        'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0';
      const result = await run(
        'image',
        image,
        '--no-signature',
        '--certificate-identity',
        builder,
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        '--print-predicate',
        'slsaprovenance',
      );
      expect(result.code).toBe(0);
      expect(result.out).toContain(
        '"buildType": "https://github.com/slsa-framework/slsa-github-generator/container@v1"',
      );
      expect(result.out.match(/✓ attestation:/g)).toHaveLength(1);
      const missing = await run(
        'image',
        image,
        '--no-signature',
        '--certificate-identity',
        builder,
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        '--print-predicate',
        'cyclonedx',
      );
      expect(missing.code).toBe(1);
      expect(missing.out).toContain(
        '✗ attestation:https://cyclonedx.org/bom: no https://cyclonedx.org/bom attestation found',
      );
    });

    it('verify bundle follows the conformance protocol: file or sha256 digest, exit 0 or 1', async () => {
      expect((await run('bundle', '--bundle', bundle, ...OFFLINE_SIGNER, artifact)).code).toBe(0);
      const { createHash } = await import('node:crypto');
      const digest = `sha256:${createHash('sha256').update(readFileSync(artifact)).digest('hex')}`;
      expect((await run('bundle', '--bundle', bundle, ...OFFLINE_SIGNER, digest)).code).toBe(0);
      const wrong = await run(
        'bundle',
        '--bundle',
        bundle,
        '--certificate-identity',
        'mallory@example.com',
        '--certificate-oidc-issuer',
        'https://github.com/login/oauth',
        artifact,
      );
      expect(wrong.code).toBe(1);
      expect(wrong.out).toContain(
        'identity: expected mallory@example.com, found amaanulhaq.s@outlook.com',
      );
      const tampered = join(dir, 'tampered.json');
      writeFileSync(tampered, `${readFileSync(artifact, 'utf8')} `);
      expect((await run('bundle', '--bundle', bundle, ...OFFLINE_SIGNER, tampered)).code).toBe(1);
    });

    it('verify bundle with --trusted-root uses that root (here: the public-good copy)', async () => {
      expect(
        (
          await run(
            'bundle',
            '--bundle',
            bundle,
            ...OFFLINE_SIGNER,
            '--trusted-root',
            fixturePath('sigstore', 'trusted_root.public-good.json'),
            artifact,
          )
        ).code,
      ).toBe(0);
    });
  },
);

describe('oci-sd verify usage errors exit 2', () => {
  it('rejects missing or conflicting flags and unreadable input', async () => {
    expect(
      (await run('bundle', '--certificate-identity', 'a', '--certificate-oidc-issuer', 'b', 'file'))
        .code,
    ).toBe(2);
    expect(
      (
        await run(
          'bundle',
          '--bundle',
          '/nonexistent/bundle.json',
          '--certificate-identity',
          'a',
          '--certificate-oidc-issuer',
          'b',
          'file',
        )
      ).code,
    ).toBe(2);
    expect(
      (await run('image', 'oci-layout:/nonexistent', '--certificate-identity', 'a')).code,
    ).toBe(2);
    expect(
      (
        await run(
          'image',
          'oci-layout:/nonexistent',
          '--certificate-identity',
          'a',
          '--certificate-identity-regexp',
          'b',
          '--certificate-oidc-issuer',
          'c',
        )
      ).code,
    ).toBe(2);
    expect(
      (
        await run(
          'image',
          'registry.example/x:1',
          '--no-signature',
          '--source-uri',
          'github.com/a/b',
        )
      ).code,
    ).toBe(2);
    expect(
      (
        await run(
          'image',
          'registry.example/x:1',
          '--no-signature',
          '--slsa',
          '--source-uri',
          'github.com/a/b',
          '--source-tag',
          'v1',
          '--source-branch',
          'main',
        )
      ).code,
    ).toBe(2);
    expect((await run('release', 'acme/app@v1', '--tuf-url', 'http://127.0.0.1:9/')).code).toBe(2);
    expect((await run('release', 'not-a-release', '--tuf-repo', '/nonexistent')).code).toBe(2);
  });

  it('exits 3 when the registry is unreachable, never "verified"', async () => {
    const result = await run(
      'image',
      '127.0.0.1:9/acme/app:v1',
      '--certificate-identity',
      'a',
      '--certificate-oidc-issuer',
      'b',
    );
    expect(result.code).toBe(3);
    expect(result.out).not.toContain('PASSED');
    const json = await run(
      'image',
      '127.0.0.1:9/acme/app:v1',
      '--certificate-identity',
      'a',
      '--certificate-oidc-issuer',
      'b',
      '--json',
    );
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, error: { code: 'REGISTRY' } });
  });
});
