import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '@oci-sd/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { runMain } from './support/run-cli';
import { MEDIA_TYPES, OciLayoutSource, addToReferrersTag } from '@oci-sd/oci';

const run = (...args: string[]) => runMain('verify', ...args);
const LAYOUT = fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch');
const SLSA = [
  '--slsa',
  '--source-uri',
  'github.com/slsa-framework/example-package',
  '--source-branch',
  'main',
];
const SIGNER = [
  '--certificate-identity',
  'https://github.com/slsa-framework/example-package/.github/workflows/release.yml@refs/heads/main',
  '--certificate-oidc-issuer',
  'https://token.actions.githubusercontent.com',
];

describe.skipIf(!haveFixtures)(
  `oci-sd verify image with a malformed referrer next to real provenance ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    let dir: string;
    let image: string;
    let garbage: Digest;

    beforeAll(async () => {
      // A copy of the real layout, plus what anyone with push access could add: a referrer that is not a bundle.
      dir = await mkdtemp(join(tmpdir(), 'oci-sd-cli-malformed-'));
      await cp(LAYOUT, dir, { recursive: true });
      const digest = (await readFile(`${LAYOUT}.digest`, 'utf8')).trim() as Digest;
      image = `oci-layout:${dir}@${digest}`;
      const layout = new OciLayoutSource(dir);
      const subject = await layout.manifest(digest);
      const [layer, config] = await Promise.all([
        layout.pushBlob(Buffer.from('\u0000garbage, not a Sigstore bundle')),
        layout.pushBlob(Buffer.from('{}')),
      ]);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociManifest,
          artifactType: MEDIA_TYPES.sigstoreBundleV03,
          config: { mediaType: MEDIA_TYPES.ociEmpty, ...config },
          layers: [{ mediaType: MEDIA_TYPES.sigstoreBundleV03, ...layer }],
          subject: { mediaType: subject.mediaType, digest, size: subject.bytes.length },
        }),
      );
      garbage = await layout.pushManifest(manifest, MEDIA_TYPES.ociManifest);
      await addToReferrersTag(layout, digest, [
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: garbage,
          size: manifest.length,
          artifactType: MEDIA_TYPES.sigstoreBundleV03,
        },
      ]);
    });

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('exits 0 when the good provenance verifies, and prints the malformed referrer it rejected', async () => {
      const result = await run('image', image, '--no-signature', ...SLSA);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(
        /✓ slsa-provenance: verified build using builder .*; 1 other rejected/,
      );
      expect(result.out).toContain(`    rejected: referrer ${garbage}: MALFORMED: `);
      expect(result.out).toContain('PASSED');
    });

    it('exits 1 when the malformed referrer is the only candidate, as MALFORMED, not "no signatures"', async () => {
      const result = await run('image', image, '--json', ...SIGNER);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.out) as {
        ok: boolean;
        checks: {
          check: string;
          code?: string;
          evidence?: { rejected?: { location: string; code: string }[] };
        }[];
      };
      expect(report.ok).toBe(false);
      expect(report.checks).toEqual([
        expect.objectContaining({ check: 'image-signature', code: 'MALFORMED' }),
      ]);
      expect(report.checks[0]!.evidence?.rejected).toEqual([
        expect.objectContaining({ location: `referrer ${garbage}`, code: 'MALFORMED' }),
      ]);
      const text = await run('image', image, ...SIGNER);
      expect(text.code).toBe(1);
      expect(text.out).toContain('✗ image-signature: 1 image signature found, none verify');
      expect(text.err).toContain('[MALFORMED]');
    });
  },
);
