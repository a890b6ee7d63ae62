import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import {
  fixturePath,
  fixturesSkipReason,
  haveFixtures,
  RepoBuilder,
  RepoServer,
  suiteTempDirs,
} from '@oci-sd/test-support';
import type { TrustedState } from '@oci-sd/tuf';
import { registerTufVerify } from '../src/commands/tuf-verify';
import { exitCodeFor, formatError } from '../src/exit';
import { runMain } from './support/run-cli';

const AS_OF = '2026-04-20T12:00:00Z';
const V150 = 'oci-prometheus-sd-proxy/releases/v1.5.0.json';
const DIGEST = 'sha256:011bd900864e62770c54e56248b2af853482e9ae9f5c572f84c20c8771f5c291';
const repo = (...parts: string[]) => fixturePath('tuf', 'amaanx86', ...parts);
const ROOT = repo('metadata', 'root_history', '1.root.json');

const tempDir = suiteTempDirs('tuf-verify-cli-');

/** `oci-sd tuf verify ...` through commander, with the CLI's own error-to-exit-code mapping. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const program = new Command('oci-sd').exitOverride();
  registerTufVerify(program.command('tuf').exitOverride());
  program.commands[0]!.commands.forEach((command) =>
    command.exitOverride().configureOutput({ writeErr: () => undefined }),
  );
  let out = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'oci-sd', 'tuf', 'verify', ...args]);
    return { code: 0, out, err: '' };
  } catch (error) {
    if (error instanceof CommanderError) return { code: 2, out, err: error.message };
    return { code: exitCodeFor(error), out, err: formatError(error) };
  } finally {
    stdout.mockRestore();
  }
}

describe.skipIf(!haveFixtures)(
  `oci-sd tuf verify on the amaanx86 repository ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    it('verifies the checkout down to the v1.5.0 manifest and prints its digest', async () => {
      const result = await run('--repo', repo(), '--root', ROOT, '--at', AS_OF, '--target', V150);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toContain(`verified as of 2026-04-20T12:00:00.000Z`);
      expect(result.out).toContain(
        'root v1 (expires 2027-04-09T21:46:42.000Z), timestamp v10 (expires 2026-04-20T18:07:45.000Z), snapshot v4',
      );
      expect(result.out).toContain(
        `target ${V150}: 1569 bytes, sha256:b67cad65d37bf3df78dfef559ec49613a9d9b3dc2ad9855e252d28927630ac94`,
      );
      expect(result.out).toContain(
        `release v1.5.0 of oci-prometheus-sd-proxy: ghcr.io/amaanx86/oci-prometheus-sd-proxy@${DIGEST}`,
      );
      expect(result.out).toContain(`digest ${DIGEST}\n`);
    });

    it('--json gives the trusted versions, the target and the manifest digest', async () => {
      const result = await run(
        '--repo',
        repo(),
        '--root',
        ROOT,
        '--at',
        AS_OF,
        '--target',
        V150,
        '--json',
      );
      const report = JSON.parse(result.out);
      expect(report).toMatchObject({
        at: '2026-04-20T12:00:00.000Z',
        trusted: { root: { version: 1 }, timestamp: { version: 10 }, targets: { version: 4 } },
        target: { path: V150, length: 1569 },
        manifest: { digest: DIGEST, tag: 'v1.5.0' },
      });
    });

    it('with the Sigstore trusted root given as a file too; a root without Fulcio CAs fails (exit 1)', async () => {
      expect(
        (
          await run(
            '--repo',
            repo(),
            '--root',
            ROOT,
            '--at',
            AS_OF,
            '--trusted-root',
            fixturePath('sigstore', 'trusted_root.public-good.json'),
          )
        ).code,
      ).toBe(0);
      const crippled = join(tempDir(), 'trusted_root.json');
      writeFileSync(
        crippled,
        JSON.stringify({
          ...JSON.parse(
            readFileSync(fixturePath('sigstore', 'trusted_root.public-good.json'), 'utf8'),
          ),
          certificateAuthorities: [],
        }),
      );
      const result = await run(
        '--repo',
        repo(),
        '--root',
        ROOT,
        '--at',
        AS_OF,
        '--trusted-root',
        crippled,
      );
      expect(result.code).toBe(1);
      expect(result.err).toMatch(
        /trusted root v1 .*Sigstore bundle does not verify.*\[SIGNATURE_THRESHOLD\]/,
      );
    });

    it('exits 1 once the timestamp has expired: --at after its expiry, and now', async () => {
      const result = await run('--repo', repo(), '--root', ROOT, '--at', '2026-04-21T00:00:00Z');
      expect(result.code).toBe(1);
      expect(result.err).toMatch(
        /^oci-sd: timestamp v10 expired at 2026-04-20T18:07:45.000Z \(checked as of 2026-04-21T00:00:00.000Z\) \[EXPIRED\]/,
      );
      expect((await run('--repo', repo(), '--root', ROOT)).err).toMatch(/timestamp v10 expired/);
    });

    it('exits 1 naming the target when the manifest bytes were changed', async () => {
      const copy = tempDir();
      cpSync(repo(), copy, { recursive: true });
      const manifest = join(copy, 'targets', V150);
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('011bd900', '011bd901'));
      const result = await run('--repo', copy, '--root', ROOT, '--at', AS_OF, '--target', V150);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(
        /target oci-prometheus-sd-proxy\/releases\/v1\.5\.0\.json: sha256 [0-9a-f]{64}, expected b67cad65.*\[HASH_MISMATCH\]/,
      );
      expect(result.out).toBe('');
    });

    it('exits 1 for a target the repository does not list', async () => {
      const result = await run(
        '--repo',
        repo(),
        '--root',
        ROOT,
        '--at',
        AS_OF,
        '--target',
        'oci-prometheus-sd-proxy/releases/v9.json',
      );
      expect(result.code).toBe(1);
      expect(result.err).toMatch(
        /target oci-prometheus-sd-proxy\/releases\/v9\.json is not listed by targets v4/,
      );
    });

    it('runs through the oci-sd program: exit 0, and exit 1 with the error on stderr', async () => {
      const verified = await runMain(
        'tuf',
        'verify',
        '--repo',
        repo(),
        '--root',
        ROOT,
        '--at',
        AS_OF,
        '--target',
        V150,
      );
      expect(verified.code).toBe(0);
      expect(verified.out).toContain(`digest ${DIGEST}`);
      const expired = await runMain(
        'tuf',
        'verify',
        '--repo',
        repo(),
        '--root',
        ROOT,
        '--at',
        '2026-05-01T00:00:00Z',
      );
      expect(expired.code).toBe(1);
      expect(expired.err).toMatch(/timestamp v10 expired/);
    });

    it('keeps trusted metadata in --metadata-dir between runs', async () => {
      const metadataDir = tempDir();
      expect(
        (await run('--repo', repo(), '--root', ROOT, '--at', AS_OF, '--metadata-dir', metadataDir))
          .code,
      ).toBe(0);
      expect(
        readFileSync(join(metadataDir, 'timestamp.json')).equals(
          readFileSync(repo('metadata', 'timestamp.json')),
        ),
      ).toBe(true);
    });
  },
);

describe('oci-sd tuf verify usage and network errors', () => {
  it('exits 2 without exactly one source, with a bad --at, or an unreadable --root', async () => {
    expect((await run('--root', 'r.json')).code).toBe(2);
    expect(
      (await run('--repo', 'a', '--metadata-url', 'http://127.0.0.1:9/', '--root', 'r.json')).code,
    ).toBe(2);
    expect((await run('--repo', 'a', '--root', 'r.json', '--at', 'yesterday')).err).toMatch(
      /--at must be an ISO 8601 time/,
    );
    expect((await run('--repo', 'a', '--root', 'r.json', '--at', 'yesterday')).code).toBe(2);
    const missing = await run('--repo', tempDir(), '--root', join(tempDir(), 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--root .*nope\.json cannot be read/);
    expect((await run('--repo', 'a')).code).toBe(2);
  });

  it('verifies a generated repository over HTTP, fetching the target from the sibling targets/ URL; exits 3 when the site is down', async () => {
    const built = new RepoBuilder('ecdsa-sha2-nistp384');
    built.addTarget('app/v1.json', '{"hello":"world"}\n');
    await built.publish();
    const server = await new RepoServer(built).start();
    const root = join(tempDir(), '1.root.json');
    writeFileSync(root, built.initialRoot);
    try {
      const ok = await run(
        '--metadata-url',
        server.metadataUrl,
        '--root',
        root,
        '--target',
        'app/v1.json',
      );
      expect(ok.code).toBe(0);
      expect(ok.out).toContain('target app/v1.json: 18 bytes');
      expect(ok.out).not.toContain('digest');
      expect(server.requests.map((r) => r.path)).toContain(
        `targets/app/${JSON.parse(built.files.get('metadata/1.targets.json')!.toString()).signed.targets['app/v1.json'].hashes.sha256}.v1.json`,
      );
    } finally {
      await server.stop();
    }
    const down = await run('--metadata-url', server.metadataUrl, '--root', root);
    expect(down.code).toBe(3);
    expect(down.err).toMatch(/\[FETCH\]/);
  }, 60_000);
});

describe('oci-sd tuf verify keeps trusted metadata between runs', () => {
  async function published() {
    const built = new RepoBuilder('ed25519');
    built.addTarget('app/v1.json', '{"v":1}\n');
    await built.publish();
    const older = new Map(built.files);
    await built.publish();
    const server = await new RepoServer(built).start();
    const root = join(tempDir(), '1.root.json');
    writeFileSync(root, built.initialRoot);
    const serveOlder = () => {
      built.files.clear();
      for (const [path, bytes] of older) built.files.set(path, bytes);
    };
    return { server, root, serveOlder };
  }

  it('by default in the per-user cache: an older state served later exits 1 naming the rollback; --no-cache accepts it', async () => {
    const { server, root, serveOlder } = await published();
    const xdg = tempDir();
    vi.stubEnv('XDG_CACHE_HOME', xdg);
    try {
      const first = await run('--metadata-url', server.metadataUrl, '--root', root, '--json');
      expect(first.code).toBe(0);
      const report = JSON.parse(first.out) as { metadataDir: string; trusted: TrustedState };
      expect(report.trusted.timestamp.version).toBe(2);
      expect(report.metadataDir.startsWith(join(xdg, 'oci-sd', 'tuf'))).toBe(true);
      serveOlder();
      const second = await run('--metadata-url', server.metadataUrl, '--root', root);
      expect(second.code).toBe(1);
      expect(second.err).toMatch(/timestamp v1 is older than the trusted v2 \[ROLLBACK\]/);
      const cold = await run('--metadata-url', server.metadataUrl, '--root', root, '--no-cache');
      expect(cold.code).toBe(0);
      expect(cold.out).toContain('timestamp v1');
    } finally {
      vi.unstubAllEnvs();
      await server.stop();
    }
  });

  it('--metadata-dir chooses the folder; with --no-cache too it is bad usage', async () => {
    const { server, root, serveOlder } = await published();
    const metadataDir = join(tempDir(), 'chosen');
    try {
      const args = ['--metadata-url', server.metadataUrl, '--root', root];
      expect((await run(...args, '--metadata-dir', metadataDir)).code).toBe(0);
      expect(readFileSync(join(metadataDir, 'timestamp.json'), 'utf8')).toContain('"version": 2');
      serveOlder();
      expect((await run(...args, '--metadata-dir', metadataDir)).code).toBe(1);
      const both = await run(...args, '--metadata-dir', metadataDir, '--no-cache');
      expect(both.code).toBe(2);
      expect(both.err).toMatch(/--metadata-dir DIR or --no-cache, not both/);
    } finally {
      await server.stop();
    }
  });

  it('a cached file that cannot be read is a warning on stderr naming it, and the run starts over', async () => {
    const { server, root } = await published();
    const metadataDir = tempDir();
    try {
      const args = ['tuf', 'verify', '--metadata-url', server.metadataUrl, '--root', root];
      expect((await runMain(...args, '--metadata-dir', metadataDir)).code).toBe(0);
      writeFileSync(join(metadataDir, 'snapshot.json'), '{"signed":');
      const again = await runMain(...args, '--metadata-dir', metadataDir);
      expect(again.code).toBe(0);
      expect(again.err).toContain(
        `oci-sd: warning: cached TUF metadata ${join(metadataDir, 'snapshot.json')} cannot be used`,
      );
      expect(again.err).toContain('starting again from the pinned root');
    } finally {
      await server.stop();
    }
  });
});
