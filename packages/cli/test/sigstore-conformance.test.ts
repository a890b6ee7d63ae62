import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { runMain } from './support/run-cli';

/**
 * The Sigstore conformance suite's verification cases, driven exactly as the suite drives a client
 * (../shared/fixtures/README.md): each case twice, with the artifact's path and with its
 * `sha256:<hex>`; `key.pub` means keyed verification, else the case's identity and issuer (or the
 * suite's defaults); the case's trusted root, else the embedded public-good one; a folder ending
 * in `_fail` must exit non-zero, every other must exit 0.
 *
 * All 140 runs go through `main()` in this process (the entry the client's `node oci-sd.js
 * verify bundle` runs). The client itself, one process per run, takes ~23 s of CPU for all of
 * them: CI (`CI` set, as .ci/run does) or `OCI_SD_CONFORMANCE=full` runs every case through it,
 * other runs one case of each kind.
 */
const SUITE = fixturePath('sigstore-conformance', 'bundle-verify');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';
const CLIENT = fileURLToPath(
  new URL(
    '../../../tools/sigstore-conformance-client/sigstore-conformance-client',
    import.meta.url,
  ),
);
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
const fullClientPass = process.env.CI !== undefined || process.env.OCI_SD_CONFORMANCE === 'full';
/** One case of each kind for runs that do not take the full pass through the client's process. */
const CLIENT_SAMPLE = new Set([
  'happy-path-v0.3',
  'happy-path-intoto-in-dsse-v3',
  'managed-key-happy-path',
  'rekor2-timestamp-with-embedded-cert',
  'bundle-malformed-json_fail',
  'managed-key-wrong-key_fail',
  'message-digest-mismatch_fail',
  'trust-root-tlog-missing-validity-start_fail',
]);

interface Run {
  name: string;
  by: 'path' | 'digest';
  args: string[];
  mustFail: boolean;
}

function readCases(): Run[] {
  const names = readdirSync(SUITE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return names.flatMap((name) => {
    const dir = join(SUITE, name);
    const file = (leaf: string) => (existsSync(join(dir, leaf)) ? join(dir, leaf) : undefined);
    const text = (leaf: string) => {
      const path = file(leaf);
      return path === undefined ? undefined : readFileSync(path, 'utf8').trim();
    };
    const artifact = file('artifact') ?? join(SUITE, 'a.txt');
    const key = file('key.pub');
    const trustedRoot = file('trusted_root.json');
    const args = [
      '--bundle',
      join(dir, 'bundle.sigstore.json'),
      ...(key !== undefined
        ? ['--key', key]
        : [
            '--certificate-identity',
            text('identity') ?? DEFAULT_IDENTITY,
            '--certificate-oidc-issuer',
            text('issuer') ?? DEFAULT_ISSUER,
          ]),
      ...(trustedRoot !== undefined ? ['--trusted-root', trustedRoot] : []),
    ];
    const digest = `sha256:${createHash('sha256').update(readFileSync(artifact)).digest('hex')}`;
    const mustFail = name.endsWith('_fail');
    return [
      { name, by: 'path' as const, args: [...args, artifact], mustFail },
      { name, by: 'digest' as const, args: [...args, digest], mustFail },
    ];
  });
}

const runs = haveFixtures ? readCases() : [];

function expectOutcome(run: Run, code: number, output: string): void {
  const expected = run.mustFail ? 'a non-zero exit' : 'exit 0';
  const ok = run.mustFail ? code !== 0 : code === 0;
  expect(ok, `${run.name} by ${run.by}: expected ${expected}, got ${code}\n${output}`).toBe(true);
}

function client(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      CLIENT,
      ['verify-bundle', ...args],
      { env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe.skipIf(!haveFixtures)(
  `Sigstore conformance suite, bundle-verify ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    it('has the suite’s 70 cases, 140 runs', () => {
      expect(runs).toHaveLength(140);
    });

    describe('in process, every run', () => {
      it.for(runs)('$name by $by', async (run) => {
        const result = await runMain('verify', 'bundle', ...run.args);
        expectOutcome(run, result.code, `${result.out}${result.err}`);
        // A run that fails does so with a verdict or a usage error, never with an unexpected crash.
        expect([0, 1, 2]).toContain(result.code);
      });
    });

    describe.skipIf(!built)(
      `through tools/sigstore-conformance-client, ${fullClientPass ? 'every run' : 'one case of each kind'}${built ? '' : ' (skipped: packages/cli is not built)'}`,
      () => {
        const selected = fullClientPass ? runs : runs.filter((run) => CLIENT_SAMPLE.has(run.name));
        it('samples cases that exist', () => {
          expect(selected.length).toBe(fullClientPass ? 140 : CLIENT_SAMPLE.size * 2);
        });
        it.concurrent.for(selected)('$name by $by', async (run) => {
          const result = await client(run.args);
          expectOutcome(run, result.code, result.output);
        });
      },
    );
  },
);
