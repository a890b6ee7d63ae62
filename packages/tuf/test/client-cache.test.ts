import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TufError,
  cacheFolderName,
  targetFile,
  userCacheRoot,
  withCachedUpdater,
  type CachedUpdaterOptions,
  type MetadataCache,
  type TrustedState,
  type TufWarning,
} from '../src/index';
import { RepoBuilder, RepoServer, generateTestKey, suiteTempDirs } from '@oci-sd/test-support';

const servers: RepoServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const tempDir = suiteTempDirs('tuf-cache-');

/** A published repository on loopback HTTP with one release, and runs of the cached client against it. */
async function setup() {
  const repo = new RepoBuilder('ed25519');
  repo.addTarget('app/releases/v1.json', '{"v":1}\n');
  await repo.publish();
  const server = await new RepoServer(repo).start();
  servers.push(server);
  const metadataDir = join(tempDir(), 'metadata');
  const pinnedRoot = repo.initialRoot;
  /** One run: refresh, then look up and fetch the release, as `verify release` does. */
  const run = (options: Partial<CachedUpdaterOptions> & { cache?: MetadataCache } = {}) =>
    withCachedUpdater(
      {
        pinnedRoot,
        cache: { kind: 'dir', dir: metadataDir },
        metadataBaseUrl: server.metadataUrl,
        targetBaseUrl: server.targetsUrl,
        ...options,
      },
      async (updater, use) => {
        const state = await updater.refresh();
        const info = await updater.getTargetInfo('app/releases/v1.json');
        const content = info && readFileSync(await targetFile(updater, info), 'utf8');
        return { state, content, use, requests: updater.requestCount };
      },
    );
  return { repo, server, metadataDir, pinnedRoot, run };
}

function versions(state: TrustedState) {
  return {
    root: state.root.version,
    timestamp: state.timestamp.version,
    snapshot: state.snapshot.version,
    targets: state.targets.version,
  };
}

async function failure(promise: Promise<unknown>): Promise<TufError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a TufError').toBeInstanceOf(TufError);
  return error as TufError;
}

describe('rollback protection across runs', () => {
  it('a newer state verified, then an older unexpired one served: the second run is a rollback', async () => {
    const { repo, run } = await setup();
    const older = new Map(repo.files);
    repo.addTarget('app/releases/v2.json', '{"v":2}\n');
    await repo.publish();
    expect(versions((await run()).state)).toEqual({
      root: 1,
      timestamp: 2,
      snapshot: 2,
      targets: 2,
    });
    // Everything of the older state is still validly signed and unexpired.
    repo.files.clear();
    for (const [path, bytes] of older) repo.files.set(path, bytes);
    const error = await failure(run());
    expect(error.code).toBe('ROLLBACK');
    expect(error.message).toMatch(/^timestamp v1 is older than the trusted v2/);
    expect(error).toMatchObject({ expected: '>= 2', found: 1 });
  });

  it('an older snapshot behind a fresh timestamp is a rollback too (snapshot versions named)', async () => {
    const { repo, run } = await setup();
    await repo.publish();
    await run();
    const timestamp = repo.role('timestamp');
    timestamp.signed = {
      ...timestamp.signed,
      version: 9,
      meta: { 'snapshot.json': { version: 1 } },
    };
    repo.files.set('metadata/timestamp.json', await repo.sign(timestamp.signed, timestamp.signers));
    const error = await failure(run());
    expect(error.code).toBe('ROLLBACK');
    expect(error.message).toMatch(/lists snapshot v1, older than the trusted v2/);
  });

  it('--no-cache (kind none) is a cold run: the same older state is accepted and nothing is kept', async () => {
    const { repo, run, metadataDir } = await setup();
    const older = new Map(repo.files);
    await repo.publish();
    await run();
    for (const [path, bytes] of older) repo.files.set(path, bytes);
    const cold = await run({ cache: { kind: 'none' } });
    expect(versions(cold.state).timestamp).toBe(1);
    expect(cold.use.metadataDir).toBeUndefined();
    // The persistent folder was not touched by the cold run: it still refuses the older state.
    expect((await failure(run())).code).toBe('ROLLBACK');
    expect(existsSync(join(metadataDir, 'timestamp.json'))).toBe(true);
  });

  it('a rerun against an unchanged site fetches only the next-root probe and the timestamp', async () => {
    const { server, run } = await setup();
    expect((await run()).content).toBe('{"v":1}\n');
    server.requests.length = 0;
    const again = await run();
    expect(again.content).toBe('{"v":1}\n');
    expect(server.requests.map((request) => request.path)).toEqual([
      'metadata/2.root.json',
      'metadata/timestamp.json',
    ]);
    expect(again.requests).toBe(2);
  });

  it('cached root rotations chain from the pinned root: a rerun probes only the next version', async () => {
    const { repo, server, run, metadataDir } = await setup();
    repo.setRoleKeys('root', [generateTestKey('ed25519')]);
    await repo.publish();
    expect(versions((await run()).state).root).toBe(2);
    expect(readdirSync(join(metadataDir, 'root_history'))).toEqual(['2.root.json']);
    server.requests.length = 0;
    expect(versions((await run()).state).root).toBe(2);
    expect(server.requests.map((request) => request.path)).toEqual([
      'metadata/3.root.json',
      'metadata/timestamp.json',
    ]);
  });
});

describe('cache folder', () => {
  it('per user: $XDG_CACHE_HOME/oci-sd/tuf/<location and pinned root>, holding the trusted state', async () => {
    const { run, server, pinnedRoot } = await setup();
    const xdg = tempDir();
    const result = await run({ cache: { kind: 'user', env: { XDG_CACHE_HOME: xdg } } });
    const folder = join(
      xdg,
      'oci-sd',
      'tuf',
      cacheFolderName(server.metadataUrl.replace(/\/+$/, ''), pinnedRoot),
    );
    expect(result.use.metadataDir).toBe(folder);
    expect(readdirSync(join(xdg, 'oci-sd', 'tuf'))).toEqual([
      cacheFolderName(server.metadataUrl.replace(/\/+$/, ''), pinnedRoot),
    ]);
    // No lock left behind, no root copy (the pin is given every run), the target kept beside the metadata.
    expect(readdirSync(folder).sort()).toEqual([
      'snapshot.json',
      'targets',
      'targets.json',
      'timestamp.json',
    ]);
    expect(readdirSync(join(folder, 'targets'))).toEqual(['app%2Freleases%2Fv1.json']);
  });

  it('one folder per location and per pinned root; readable, with a key that tells them apart', () => {
    const root = Buffer.from('{"a":1}');
    const name = cacheFolderName('https://acme.github.io/app-tuf-on-ci/metadata', root);
    expect(name).toMatch(/^acme\.github\.io_app-tuf-on-ci_metadata-[0-9a-f]{24}$/);
    expect(
      cacheFolderName('https://acme.github.io/app-tuf-on-ci/metadata', Buffer.from('{"a":2}')),
    ).not.toBe(name);
    expect(cacheFolderName('https://acme.github.io/app_tuf-on-ci/metadata', root)).not.toBe(name);
    expect(cacheFolderName('/', root)).toMatch(/^tuf-[0-9a-f]{24}$/);
    expect(cacheFolderName(`https://x/${'a'.repeat(500)}`, root).length).toBeLessThanOrEqual(105);
  });

  it('XDG_CACHE_HOME must be absolute (XDG Base Directory), else ~/.cache', () => {
    expect(userCacheRoot({ XDG_CACHE_HOME: '/var/cache/me', HOME: '/home/me' })).toBe(
      '/var/cache/me/oci-sd/tuf',
    );
    expect(userCacheRoot({ XDG_CACHE_HOME: 'relative', HOME: '/home/me' })).toBe(
      '/home/me/.cache/oci-sd/tuf',
    );
    expect(userCacheRoot({ HOME: '/home/me' })).toBe('/home/me/.cache/oci-sd/tuf');
  });

  it('--metadata-dir (kind dir) is used as is', async () => {
    const { run, metadataDir } = await setup();
    const result = await run();
    expect(result.use.metadataDir).toBe(metadataDir);
    expect(readdirSync(metadataDir).sort()).toEqual([
      'snapshot.json',
      'targets',
      'targets.json',
      'timestamp.json',
    ]);
  });

  it('a folder that cannot be created is bad input naming it', async () => {
    const { run } = await setup();
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const error = await failure(run({ cache: { kind: 'dir', dir: join(file, 'sub') } }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(join(file, 'sub'));
  });
});

describe('two runs at once', () => {
  it('two concurrent runs on one folder take turns (lock) and both verify', async () => {
    const { repo, server, run, metadataDir } = await setup();
    await repo.publish();
    const events: string[] = [];
    const traced = (name: string) =>
      withCachedUpdater(
        {
          pinnedRoot: repo.initialRoot,
          cache: { kind: 'dir', dir: metadataDir },
          metadataBaseUrl: server.metadataUrl,
        },
        async (updater) => {
          events.push(`${name} start`);
          const state = await updater.refresh();
          await new Promise((resolve) => setTimeout(resolve, 50));
          events.push(`${name} end`);
          return state;
        },
      );
    const [a, b] = await Promise.all([traced('a'), traced('b')]);
    expect(versions(a).timestamp).toBe(2);
    expect(versions(b).timestamp).toBe(2);
    // One ran from start to end before the other started.
    expect([
      ['a start', 'a end', 'b start', 'b end'],
      ['b start', 'b end', 'a start', 'a end'],
    ]).toContainEqual(events);
    expect(existsSync(join(metadataDir, '.lock'))).toBe(false);
    expect(versions((await run()).state).timestamp).toBe(2);
  });

  it('a lock left by a process that no longer runs is broken; a live one makes the run wait, then fail', async () => {
    const { run, metadataDir } = await setup();
    mkdirSync(metadataDir, { recursive: true });
    writeFileSync(join(metadataDir, '.lock'), '2147483646\n');
    expect((await run()).content).toBe('{"v":1}\n');
    writeFileSync(join(metadataDir, '.lock'), `${process.pid}\n`);
    const error = await failure(run({ lock: { waitMs: 100 } }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(join(metadataDir, '.lock'));
  });
});

describe('a cache that cannot be read', () => {
  const corruptions: Array<[string, string | Buffer]> = [
    ['timestamp.json', 'not json {'],
    ['snapshot.json', Buffer.from([0xff, 0x00, 0x1b, 0x5b])],
    ['targets.json', '{"signed": {"_type": "targets"}, "signatures": []}'],
    ['root_history/2.root.json', '[]'],
  ];
  for (const [file, bytes] of corruptions) {
    it(`${file}: reported by path, the cache cleared, the run starts again from the pinned root`, async () => {
      const { repo, run, metadataDir } = await setup();
      await repo.publish();
      await run();
      mkdirSync(join(metadataDir, 'root_history'), { recursive: true });
      writeFileSync(join(metadataDir, file), bytes);
      const warnings: TufWarning[] = [];
      const result = await run({ onWarning: (warning) => warnings.push(warning) });
      expect(versions(result.state)).toEqual({ root: 1, timestamp: 2, snapshot: 2, targets: 1 });
      expect(warnings).toEqual([
        expect.objectContaining({ code: 'CACHE_UNREADABLE', path: join(metadataDir, file) }),
      ]);
      expect(warnings[0]!.message).toContain('starting again from the pinned root');
      // eslint-disable-next-line no-control-regex -- the point: none may be there
      expect(warnings[0]!.message).not.toMatch(/[\u0000-\u001f]/);
      expect(result.use.warnings).toEqual(warnings);
      // Started over: the old state is fetched again and the cache rewritten with it.
      expect(existsSync(join(metadataDir, 'root_history'))).toBe(false);
      expect(
        JSON.parse(readFileSync(join(metadataDir, 'timestamp.json'), 'utf8')).signed.version,
      ).toBe(2);
    });
  }

  it('a cached root that does not chain from the pinned root is reported and never trusted', async () => {
    const { repo, run, metadataDir } = await setup();
    await run();
    // A well-formed root v2 signed only by a key the pinned root does not know.
    const stranger = generateTestKey('ed25519');
    const forged = JSON.parse(repo.initialRoot.toString('utf8')) as {
      signed: Record<string, unknown> & { expires: string };
    };
    const signed = {
      ...forged.signed,
      version: 2,
      keys: { [stranger.keyid]: stranger.key },
      roles: Object.fromEntries(
        ['root', 'timestamp', 'snapshot', 'targets'].map((role) => [
          role,
          { keyids: [stranger.keyid], threshold: 1 },
        ]),
      ),
    };
    mkdirSync(join(metadataDir, 'root_history'), { recursive: true });
    writeFileSync(
      join(metadataDir, 'root_history', '2.root.json'),
      await repo.sign(signed, [stranger]),
    );
    const warnings: TufWarning[] = [];
    const result = await run({ onWarning: (warning) => warnings.push(warning) });
    expect(versions(result.state).root).toBe(1);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'CACHE_UNREADABLE',
        path: join(metadataDir, 'root_history'),
      }),
    ]);
    expect(warnings[0]!.message).toMatch(/does not chain from the pinned root v1/);
    expect(existsSync(join(metadataDir, 'root_history'))).toBe(false);
  });

  it('property: arbitrary bytes in any cached file are never trusted and never crash with a foreign error', async () => {
    const { repo, run, metadataDir } = await setup();
    await repo.publish();
    const truth = versions((await run()).state);
    const pristine = new Map(
      ['timestamp.json', 'snapshot.json', 'targets.json'].map((file) => [
        file,
        readFileSync(join(metadataDir, file)),
      ]),
    );
    const files = [...pristine.keys(), 'root_history/2.root.json', 'targets%2Fextra.json'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.json().map((text) => Buffer.from(text)),
          // Valid metadata envelopes with arbitrary `signed` content and signatures.
          fc
            .record({ signed: fc.jsonValue(), signatures: fc.jsonValue() })
            .map((value) => Buffer.from(JSON.stringify(value))),
        ),
        async (file, bytes) => {
          rmSync(join(metadataDir, 'root_history'), { recursive: true, force: true });
          for (const [name, content] of pristine) writeFileSync(join(metadataDir, name), content);
          mkdirSync(join(metadataDir, 'root_history'), { recursive: true });
          writeFileSync(join(metadataDir, file), bytes);
          // Whatever the bytes, the run ends trusting exactly what the repository signed.
          const result = await run().catch((error: unknown) => {
            expect(error).toBeInstanceOf(TufError);
            throw error;
          });
          expect(versions(result.state)).toEqual(truth);
          expect(result.content).toBe('{"v":1}\n');
        },
      ),
      { numRuns: 60 },
    );
  });
});
