import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryAvailable, startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestIdentity, TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  RegistrySource,
  attachReferrerBundle,
  pushImage,
  type Digest,
} from '@oci-sd/oci';
import { runMain } from './support/run-cli';

const run = (...args: string[]) => runMain('verify', ...args);

/**
 * Well-signed `cosign sign` statements of every hostile shape (issue 12): anyone with any Sigstore identity
 * and push access can attach these. Each must be rejected alone as MALFORMED, named by its JSON path.
 */
function hostileStatements(digest: Digest): [string, unknown][] {
  const hex = digest.slice('sha256:'.length);
  const statement = (fields: Record<string, unknown>) => ({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'image', digest: { sha256: hex } }],
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    predicate: {},
    ...fields,
  });
  return [
    [
      'statement.subject[0].digest.sha256: expected string, found number',
      statement({ subject: [{ name: 'image', digest: { sha256: 42 } }] }),
    ],
    ['statement.subject: expected array, found string', statement({ subject: hex })],
    ['statement.subject: expected non-empty array, found empty array', statement({ subject: [] })],
    ['statement.subject[0]: expected object, found null', statement({ subject: [null] })],
    [
      'statement.subject[0].digest: expected object, found array',
      statement({ subject: [{ digest: [hex] }] }),
    ],
    [
      'statement.subject[0].name: expected string, found object',
      statement({ subject: [{ name: { toString: 1 }, digest: { sha256: hex } }] }),
    ],
    ['statement.predicate: expected object, found null', statement({ predicate: null })],
    ['statement.predicate: expected object, found string', statement({ predicate: 'x' })],
    ['statement._type: expected string, found boolean', statement({ _type: true })],
  ];
}

describe.skipIf(!registryAvailable())(
  `oci-sd verify image with well-signed statements of every hostile shape${registryAvailable() ? '' : ' (skipped: /usr/bin/docker-registry not installed)'}`,
  () => {
    let registry: TestRegistry;
    let sigstore: TestSigstore;
    let identity: TestIdentity;
    let dir: string;
    let trustedRoot: string;
    let signer: string[];
    let images = 0;

    beforeAll(async () => {
      [registry, sigstore] = await Promise.all([startRegistry(), startTestSigstore()]);
      identity = githubActionsIdentity({
        repository: 'acme/app',
        workflowPath: '.github/workflows/release.yml',
        ref: 'refs/tags/v1.5.0',
        sha: 'a'.repeat(40),
      });
      dir = mkdtempSync(join(tmpdir(), 'oci-sd-cli-hostile-'));
      trustedRoot = join(dir, 'trusted_root.json');
      writeFileSync(trustedRoot, JSON.stringify(sigstore.trustedRoot));
      signer = [
        '--certificate-identity',
        identity.subjectAlternativeName,
        '--certificate-oidc-issuer',
        identity.issuer,
        '--trusted-root',
        trustedRoot,
      ];
    });

    afterAll(async () => {
      await Promise.all([registry?.stop(), sigstore?.stop()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** A fresh image with the hostile statements (and the genuine one, when asked) attached as referrers. */
    async function imageWith(genuine: boolean) {
      const repository = `acme/hostile${++images}`;
      const store = new RegistrySource(registry.host, repository);
      const { digest } = await pushImage(store, {
        platforms: [{ os: 'linux', architecture: 'amd64', files: { app: `build ${images}` } }],
      });
      const sign = (statement: unknown) =>
        sigstore
          .signDsse(
            Buffer.from(JSON.stringify(statement)),
            'application/vnd.in-toto+json',
            identity,
          )
          .then((bundle) => attachReferrerBundle(store, digest, bundle));
      const hostile: { reason: string; referrer: Digest }[] = [];
      for (const [reason, statement] of hostileStatements(digest))
        hostile.push({ reason, referrer: await sign(statement) });
      const good = genuine
        ? await sign({
            _type: 'https://in-toto.io/Statement/v1',
            subject: [{ name: 'image', digest: { sha256: digest.slice('sha256:'.length) } }],
            predicateType: COSIGN_SIGN_PREDICATE_TYPE,
            predicate: {},
          })
        : undefined;
      return { image: `${registry.host}/${repository}@${digest}`, hostile, good };
    }

    it('exits 0 on the valid signature and lists every hostile statement as rejected, MALFORMED, by path', async () => {
      const { image, hostile, good } = await imageWith(true);
      const result = await run('image', image, ...signer);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toContain(
        `✓ image-signature: image signature verified (referrer ${good}, log index`,
      );
      expect(result.out).toContain(`; ${hostile.length} others rejected`);
      for (const { reason, referrer } of hostile)
        expect(result.out).toContain(`    rejected: referrer ${referrer}: MALFORMED: ${reason}\n`);
      expect(result.out).toContain('PASSED');
    });

    it('exits 1 with MALFORMED when only hostile statements are attached, and --json lists them all', async () => {
      const { image, hostile } = await imageWith(false);
      const text = await run('image', image, ...signer);
      expect(text.code).toBe(1);
      expect(text.out).toContain(
        `✗ image-signature: ${hostile.length} image signatures found, none verify`,
      );
      expect(text.out).toContain('    code:     MALFORMED');
      expect(text.err).toContain('[MALFORMED]');

      const json = await run('image', image, '--json', ...signer);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.out) as {
        ok: boolean;
        checks: { check: string; code?: string; evidence?: { rejected?: unknown[] } }[];
      };
      expect(report.ok).toBe(false);
      expect(report.checks).toHaveLength(1);
      expect(report.checks[0]).toMatchObject({ check: 'image-signature', code: 'MALFORMED' });
      expect(report.checks[0]!.evidence?.rejected).toEqual(
        hostile.map(({ reason, referrer }) =>
          expect.objectContaining({
            location: `referrer ${referrer}`,
            layout: 'referrer',
            code: 'MALFORMED',
            reason,
          }),
        ),
      );
    });

    it('refuses an identity regexp RE2 cannot compile with exit 2, naming the flag and the pattern', async () => {
      const result = await run(
        'image',
        `${registry.host}/acme/unread:latest`,
        '--certificate-identity-regexp',
        '(?=lookahead)',
        '--certificate-oidc-issuer',
        identity.issuer,
        '--trusted-root',
        trustedRoot,
      );
      expect(result.code).toBe(2);
      expect(result.err).toContain(
        '--certificate-identity-regexp "(?=lookahead)" is not an RE2 regular expression',
      );
    });
  },
);
