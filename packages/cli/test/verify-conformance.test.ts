import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { writeMetadataBundle } from './support/tuf-bundle';

const CLIENT = fileURLToPath(
  new URL(
    '../../../tools/sigstore-conformance-client/sigstore-conformance-client',
    import.meta.url,
  ),
);
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

function client(...args: string[]): number {
  try {
    execFileSync(CLIENT, args, { stdio: 'pipe', env: { ...process.env, NO_COLOR: '1' } });
    return 0;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

// The wrapper runs the built CLI; in the workspace pipeline the build precedes the tests.
describe.skipIf(!haveFixtures || !built)(
  `sigstore-conformance-client verify-bundle ${!haveFixtures ? fixturesSkipReason : built ? '' : '(skipped: packages/cli is not built)'}`,
  () => {
    let dir: string;
    let artifact: string;
    let bundle: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'oci-sd-conformance-'));
      ({ artifact, bundle } = writeMetadataBundle(dir, 'timestamp'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const identity = [
      '--certificate-identity',
      'https://github.com/amaanx86/oci-prometheus-sd-proxy-tuf-on-ci/.github/workflows/online-sign.yml@refs/heads/main',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
    ];

    it('exits 0 for a good bundle and 1 for a wrong identity or artifact', () => {
      expect(client('verify-bundle', '--bundle', bundle, ...identity, artifact)).toBe(0);
      expect(
        client(
          'verify-bundle',
          '--bundle',
          bundle,
          '--certificate-identity',
          'https://github.com/x/y/.github/workflows/z.yml@refs/heads/main',
          '--certificate-oidc-issuer',
          'https://token.actions.githubusercontent.com',
          artifact,
        ),
      ).toBe(1);
      expect(
        client('verify-bundle', '--bundle', bundle, ...identity, `sha256:${'0'.repeat(64)}`),
      ).toBe(1);
    });

    it('refuses signing and unknown commands with exit 2', () => {
      expect(client('sign-bundle', '--bundle', bundle, artifact)).toBe(2);
      expect(client('frobnicate')).toBe(2);
    });
  },
);
