import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  rejectionOf,
  RepoBuilder,
  RepoServer,
  generateTestKey,
  type KeyScheme,
  suiteTempDirs,
} from '@oci-sd/test-support';
import { TufError, Updater, type TufErrorCode, type UpdaterOptions } from '../src/index';

const servers: RepoServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const tempDir = suiteTempDirs('tuf-client-');

/** A published repository, served over loopback HTTP, and a client metadata dir pinned to its root v1. */
async function setup(
  scheme: KeyScheme = 'ed25519',
  build?: (repo: RepoBuilder) => void | Promise<void>,
) {
  const repo = new RepoBuilder(scheme);
  repo.addTarget('app/v1.json', '{"v":1}\n');
  await build?.(repo);
  await repo.publish();
  const server = await new RepoServer(repo).start();
  servers.push(server);
  const metadataDir = tempDir();
  writeFileSync(join(metadataDir, 'root.json'), repo.initialRoot);
  const updater = (options: Partial<UpdaterOptions> = {}) =>
    new Updater({
      metadataDir,
      metadataBaseUrl: server.metadataUrl,
      targetBaseUrl: server.targetsUrl,
      targetDir: join(metadataDir, 'targets'),
      ...options,
    });
  return { repo, server, metadataDir, updater };
}

async function rejects(
  promise: Promise<unknown>,
  code: TufErrorCode,
  message?: RegExp,
): Promise<TufError> {
  const error = await rejectionOf(promise, TufError, code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

describe('Updater over HTTP: the normal path', () => {
  for (const scheme of [
    'ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'rsassa-pss-sha256',
  ] as KeyScheme[]) {
    it(`${scheme} keys: refresh, find, download the hash-prefixed artifact, then find it cached`, async () => {
      const { updater, server, metadataDir } = await setup(scheme);
      const client = updater();
      expect(await client.refresh()).toMatchObject({
        root: { version: 1 },
        timestamp: { version: 1 },
        snapshot: { version: 1 },
        targets: { version: 1 },
      });
      const info = (await client.getTargetInfo('app/v1.json'))!;
      expect(await client.findCachedTarget(info)).toBeUndefined();
      const path = await client.downloadTarget(info);
      expect(readFileSync(path, 'utf8')).toBe('{"v":1}\n');
      expect(await client.findCachedTarget(info)).toBe(path);
      expect(server.requests.map((r) => r.path)).toEqual([
        'metadata/2.root.json',
        'metadata/timestamp.json',
        'metadata/1.snapshot.json',
        'metadata/1.targets.json',
        `targets/app/${info.hashes.sha256}.v1.json`,
      ]);
      expect(readdirSync(metadataDir).sort()).toEqual([
        'root.json',
        'snapshot.json',
        'targets',
        'targets.json',
        'timestamp.json',
      ]);
    });
  }

  it('a refresh with nothing new costs two requests (root probe and timestamp)', async () => {
    const { updater, server } = await setup();
    await updater().refresh();
    server.requests.length = 0;
    const again = updater();
    await again.refresh();
    expect(server.requests.map((r) => r.path)).toEqual([
      'metadata/2.root.json',
      'metadata/timestamp.json',
    ]);
    expect(again.requestCount).toBe(2);
  });

  it('picks up a new release published after the first refresh', async () => {
    const { updater, repo } = await setup();
    await updater().refresh();
    repo.addTarget('app/v2.json', '{"v":2}\n');
    await repo.publish();
    const client = updater();
    expect((await client.refresh()).targets.version).toBe(2);
    expect(await client.getTargetInfo('app/v2.json')).toMatchObject({ length: 8 });
  });

  it('persists each role byte for byte as served', async () => {
    const { updater, repo, metadataDir } = await setup();
    await updater().refresh();
    for (const [role, file] of [
      ['timestamp', 'metadata/timestamp.json'],
      ['snapshot', 'metadata/1.snapshot.json'],
      ['targets', 'metadata/1.targets.json'],
    ]) {
      expect(
        readFileSync(join(metadataDir, `${role}.json`)).equals(repo.files.get(file!)!),
        role,
      ).toBe(true);
    }
  });

  it('fails when the trusted root is missing from metadataDir', async () => {
    const { server } = await setup();
    await rejects(
      new Updater({ metadataDir: tempDir(), metadataBaseUrl: server.metadataUrl }).refresh(),
      'NOT_FOUND',
      /trusted root .*root\.json cannot be read/,
    );
  });
});

describe('root rotation', () => {
  it('key rotation: root v2 signed by the old and the new root keys is accepted and persisted', async () => {
    const { updater, repo, metadataDir } = await setup();
    repo.setRoleKeys('root', [generateTestKey('ecdsa-sha2-nistp384')]);
    repo.setRoleKeys('targets', [generateTestKey('ecdsa-sha2-nistp256')]);
    await repo.publish();
    expect((await updater().refresh()).root.version).toBe(2);
    expect(
      readFileSync(join(metadataDir, 'root.json')).equals(repo.files.get('metadata/2.root.json')!),
    ).toBe(true);
  });

  it('rotates across several versions (1 -> 2 -> 3)', async () => {
    const { updater, repo } = await setup();
    repo.setRoleKeys('root', [generateTestKey('ed25519')]);
    await repo.publish();
    repo.setRoleKeys('root', [generateTestKey('ed25519')]);
    await repo.publish();
    expect((await updater().refresh()).root.version).toBe(3);
  });

  it('rejects a new root not signed by the threshold of the old root', async () => {
    const { updater, repo } = await setup();
    const newKey = generateTestKey('ed25519');
    repo.setRoleKeys('root', [newKey]);
    await repo.publish();
    const root2 = JSON.parse(repo.files.get('metadata/2.root.json')!.toString());
    repo.files.set('metadata/2.root.json', await repo.sign(root2.signed, [newKey]));
    await rejects(
      updater().refresh(),
      'SIGNATURE_THRESHOLD',
      /^root v2 \(2\.root\.json\), by the keys of trusted root v1: 0 of 1/,
    );
  });

  it('rejects a new root not signed by the threshold of its own keys', async () => {
    const { updater, repo } = await setup();
    const oldKeys = repo.role('root').signers;
    repo.setRoleKeys('root', [generateTestKey('ed25519'), generateTestKey('ed25519')], 2);
    await repo.publish();
    const root2 = JSON.parse(repo.files.get('metadata/2.root.json')!.toString());
    repo.files.set(
      'metadata/2.root.json',
      await repo.sign(root2.signed, [...oldKeys, repo.role('root').signers[0]!]),
    );
    await rejects(
      updater().refresh(),
      'SIGNATURE_THRESHOLD',
      /^root v2 \(2\.root\.json\), by its own keys: 1 of 2/,
    );
  });

  it('rejects N+1.root.json whose content is another version', async () => {
    const { updater, repo } = await setup();
    repo.setRoleKeys('root', [generateTestKey('ed25519')]);
    await repo.publish();
    repo.setRoleKeys('root', [generateTestKey('ed25519')]);
    await repo.publish();
    repo.files.set('metadata/2.root.json', repo.files.get('metadata/3.root.json')!);
    await rejects(updater().refresh(), 'SIGNATURE_THRESHOLD');
    const { updater: other, repo: repo2 } = await setup();
    const signers = repo2.role('root').signers;
    const root1 = JSON.parse(repo2.files.get('metadata/1.root.json')!.toString());
    repo2.files.set(
      'metadata/2.root.json',
      await repo2.sign({ ...root1.signed, version: 3 }, signers),
    );
    await rejects(
      other().refresh(),
      'ROLLBACK',
      /root v2 \(2\.root\.json\): version is 3, expected 2/,
    );
  });

  it('rejects an expired final root', async () => {
    const { updater, repo } = await setup();
    repo.setRoleKeys('root', [generateTestKey('ed25519')]);
    await repo.publish({ expires: { root: '2020-01-01T00:00:00Z' } });
    await rejects(updater().refresh(), 'EXPIRED', /^root v2 expired at 2020-01-01/);
  });

  it('fast-forward recovery: after the timestamp key is rotated, a lower timestamp version signed by the new key is accepted', async () => {
    const { updater, repo } = await setup();
    // The old timestamp key was compromised and used to publish a far-future version.
    const timestamp = repo.role('timestamp');
    timestamp.signed = { ...timestamp.signed, version: 1000 };
    await repo.publish();
    expect((await updater().refresh()).timestamp.version).toBe(1001);
    // The repository rotates the timestamp key and starts over at a low version.
    repo.setRoleKeys('timestamp', [generateTestKey('ed25519')]);
    timestamp.signed = { ...timestamp.signed, version: 0 };
    await repo.publish();
    expect((await updater().refresh()).timestamp.version).toBe(1);
  });

  it('fast-forward attack without rotation is a rollback', async () => {
    const { updater, repo } = await setup();
    const timestamp = repo.role('timestamp');
    timestamp.signed = { ...timestamp.signed, version: 1000 };
    await repo.publish();
    await updater().refresh();
    timestamp.signed = { ...timestamp.signed, version: 0 };
    await repo.publish();
    await rejects(updater().refresh(), 'ROLLBACK', /timestamp v1 is older than the trusted v1001/);
  });
});

describe('timestamp and snapshot attacks', () => {
  it('rollback: an older timestamp than the trusted one is rejected', async () => {
    const { updater, repo } = await setup();
    const old = repo.files.get('metadata/timestamp.json')!;
    await repo.publish();
    await updater().refresh();
    repo.files.set('metadata/timestamp.json', old);
    await rejects(updater().refresh(), 'ROLLBACK', /^timestamp v1 is older than the trusted v2/);
  });

  it('rollback: a timestamp listing an older snapshot version is rejected', async () => {
    const { updater, repo } = await setup();
    await repo.publish();
    await updater().refresh();
    const timestamp = repo.role('timestamp');
    timestamp.signed = {
      ...timestamp.signed,
      version: 5,
      meta: { 'snapshot.json': { version: 1 } },
    };
    repo.files.set('metadata/timestamp.json', await repo.sign(timestamp.signed, timestamp.signers));
    await rejects(updater().refresh(), 'ROLLBACK', /lists snapshot v1, older than the trusted v2/);
  });

  it('an equal timestamp version keeps the trusted timestamp', async () => {
    const { updater, repo, metadataDir } = await setup();
    await updater().refresh();
    const trusted = readFileSync(join(metadataDir, 'timestamp.json'));
    const timestamp = repo.role('timestamp');
    repo.files.set(
      'metadata/timestamp.json',
      await repo.sign({ ...timestamp.signed, expires: '2039-01-01T00:00:00Z' }, timestamp.signers),
    );
    expect((await updater().refresh()).timestamp.expires.toISOString()).toBe(
      '2040-01-01T00:00:00.000Z',
    );
    expect(readFileSync(join(metadataDir, 'timestamp.json')).equals(trusted)).toBe(true);
  });

  it('freeze: an expired timestamp is rejected', async () => {
    const { updater } = await setup('ed25519');
    await rejects(
      updater({ now: new Date('2040-01-01T00:00:00Z') }).refresh(),
      'EXPIRED',
      /^root v1 expired/,
    );
    const { updater: u2, repo } = await setup();
    await repo.publish({ expires: { timestamp: '2030-01-01T00:00:00Z' } });
    await rejects(
      u2({ now: () => new Date('2030-01-01T00:00:00Z') }).refresh(),
      'EXPIRED',
      /^timestamp v2 expired at 2030-01-01T00:00:00.000Z/,
    );
    expect((await u2({ now: new Date('2029-12-31T23:59:59Z') }).refresh()).timestamp.version).toBe(
      2,
    );
  });

  it('freeze: an expired snapshot is rejected', async () => {
    const { updater, repo } = await setup();
    await repo.publish({ expires: { snapshot: '2030-01-01T00:00:00Z' } });
    await rejects(
      updater({ now: new Date('2031-01-01T00:00:00Z') }).refresh(),
      'EXPIRED',
      /^snapshot v2 expired/,
    );
  });

  it('mix-and-match: a snapshot whose version is not the one the timestamp lists is rejected', async () => {
    const { updater, repo } = await setup();
    const snapshot1 = repo.files.get('metadata/1.snapshot.json')!;
    await repo.publish();
    repo.files.set('metadata/2.snapshot.json', snapshot1);
    await rejects(
      updater().refresh(),
      'ROLLBACK',
      /^snapshot v2 \(2\.snapshot\.json\): version 1, but the timestamp lists v2/,
    );
  });

  it('rollback: a snapshot listing an older targets version than the trusted snapshot is rejected', async () => {
    const { updater, repo } = await setup();
    repo.addTarget('app/v2.json', 'two');
    await repo.publish();
    await updater().refresh();
    const snapshot = repo.role('snapshot');
    const timestamp = repo.role('timestamp');
    snapshot.signed = { ...snapshot.signed, version: 3, meta: { 'targets.json': { version: 1 } } };
    repo.files.set('metadata/3.snapshot.json', await repo.sign(snapshot.signed, snapshot.signers));
    timestamp.signed = {
      ...timestamp.signed,
      version: 3,
      meta: { 'snapshot.json': { version: 3 } },
    };
    repo.files.set('metadata/timestamp.json', await repo.sign(timestamp.signed, timestamp.signers));
    await rejects(
      updater().refresh(),
      'ROLLBACK',
      /^snapshot v3 \(3\.snapshot\.json\) lists targets\.json v1, older than the trusted v2/,
    );
  });

  it('a snapshot that drops a role the trusted snapshot listed is rejected', async () => {
    const { updater, repo } = await setup();
    await updater().refresh();
    const snapshot = repo.role('snapshot');
    const timestamp = repo.role('timestamp');
    snapshot.signed = { ...snapshot.signed, version: 2, meta: {} };
    repo.files.set('metadata/2.snapshot.json', await repo.sign(snapshot.signed, snapshot.signers));
    timestamp.signed = {
      ...timestamp.signed,
      version: 2,
      meta: { 'snapshot.json': { version: 2 } },
    };
    repo.files.set('metadata/timestamp.json', await repo.sign(timestamp.signed, timestamp.signers));
    await rejects(updater().refresh(), 'ROLLBACK', /no longer lists targets\.json/);
  });

  it('checks the snapshot length and hashes when the timestamp lists them', async () => {
    const { updater, repo } = await setup();
    const timestamp = repo.role('timestamp');
    const snapshotBytes = repo.files.get('metadata/1.snapshot.json')!;
    timestamp.signed = {
      ...timestamp.signed,
      version: 2,
      meta: {
        'snapshot.json': {
          version: 1,
          length: snapshotBytes.length,
          hashes: { sha256: '00'.repeat(32) },
        },
      },
    };
    repo.files.set('metadata/timestamp.json', await repo.sign(timestamp.signed, timestamp.signers));
    await rejects(
      updater().refresh(),
      'HASH_MISMATCH',
      /^snapshot v1 \(1\.snapshot\.json\): sha256 [0-9a-f]{64}, expected 0000/,
    );
    timestamp.signed = {
      ...timestamp.signed,
      version: 3,
      meta: { 'snapshot.json': { version: 1, length: snapshotBytes.length - 1 } },
    };
    repo.files.set('metadata/timestamp.json', await repo.sign(timestamp.signed, timestamp.signers));
    await rejects(updater().refresh(), 'LENGTH_MISMATCH');
  });

  it('a timestamp signed by the wrong key is rejected, naming the role', async () => {
    const { updater, repo } = await setup();
    const timestamp = repo.role('timestamp');
    repo.files.set(
      'metadata/timestamp.json',
      await repo.sign(timestamp.signed, [generateTestKey('ed25519')]),
    );
    await rejects(
      updater().refresh(),
      'SIGNATURE_THRESHOLD',
      /^timestamp \(timestamp\.json\): 0 of 1 required signatures verify/,
    );
  });

  it('a timestamp larger than the 16 KiB limit is refused while downloading', async () => {
    const { updater, repo } = await setup();
    repo.files.set('metadata/timestamp.json', Buffer.alloc(20_000, 0x20));
    await rejects(updater().refresh(), 'LENGTH_MISMATCH', /exceed the limit of 16384/);
  });
});

describe('targets: threshold, expiry, hash and length', () => {
  it('threshold: targets needs 2 of 2 signatures; one is not enough', async () => {
    const [a, b] = [generateTestKey('ecdsa-sha2-nistp256'), generateTestKey('ecdsa-sha2-nistp384')];
    const { updater, repo } = await setup('ed25519', (r) => r.setRoleKeys('targets', [a, b], 2));
    expect((await updater().refresh()).targets.version).toBe(1);
    const targets = repo.role('targets');
    repo.addTarget('app/v2.json', 'two');
    targets.signers = [a];
    await repo.publish();
    await rejects(
      updater().refresh(),
      'SIGNATURE_THRESHOLD',
      /^targets v2 \(2\.targets\.json\): 1 of 2 required signatures verify/,
    );
  });

  it('freeze: expired targets metadata is rejected', async () => {
    const { updater, repo } = await setup();
    repo.addTarget('app/v2.json', 'two');
    await repo.publish({ expires: { targets: '2030-01-01T00:00:00Z' } });
    await rejects(
      updater({ now: new Date('2030-06-01T00:00:00Z') }).refresh(),
      'EXPIRED',
      /^targets v2 expired/,
    );
  });

  it('mix-and-match: targets whose version is not the one the snapshot lists is rejected', async () => {
    const { updater, repo } = await setup();
    const targets1 = repo.files.get('metadata/1.targets.json')!;
    repo.addTarget('app/v2.json', 'two');
    await repo.publish();
    repo.files.set('metadata/2.targets.json', targets1);
    await rejects(
      updater().refresh(),
      'ROLLBACK',
      /^targets v2 \(2\.targets\.json\): version 1, but snapshot v2 lists v2/,
    );
  });

  it('an artifact with the wrong bytes fails the hash check; the wrong length fails the length check', async () => {
    const { updater, repo } = await setup();
    const client = updater();
    const info = (await client.getTargetInfo('app/v1.json'))!;
    const name = `targets/app/${info.hashes.sha256}.v1.json`;
    repo.files.set(name, Buffer.from('{"v":2}\n'));
    await rejects(client.downloadTarget(info), 'HASH_MISMATCH', /^target app\/v1\.json: sha256/);
    repo.files.set(name, Buffer.from('{"v":1}'));
    await rejects(
      client.downloadTarget(info),
      'LENGTH_MISMATCH',
      /^target app\/v1\.json: length 7, expected 8/,
    );
    repo.files.set(name, Buffer.from('{"v":1}\n and more'));
    await rejects(client.downloadTarget(info), 'LENGTH_MISMATCH', /exceed the limit of 8/);
  });

  it('a cached artifact with other bytes is not reported as cached', async () => {
    const { updater } = await setup();
    const client = updater();
    const info = (await client.getTargetInfo('app/v1.json'))!;
    const path = await client.downloadTarget(info);
    writeFileSync(path, '{"v":9}\n');
    expect(await client.findCachedTarget(info)).toBeUndefined();
  });
});

describe('delegations', () => {
  it('finds a target in a delegated role, pre-order, and stops at a terminating delegation', async () => {
    const { updater, server } = await setup('ed25519', (repo) => {
      repo.delegate('targets', 'releases', {
        paths: ['releases/*'],
        terminating: true,
        scheme: 'ecdsa-sha2-nistp256',
      });
      repo.delegate('targets', 'fallback', { paths: ['releases/*', 'other/*'] });
      repo.delegate('releases', 'nested', {
        paths: ['releases/*.txt'],
        scheme: 'ecdsa-sha2-nistp384',
      });
      repo.addTarget('releases/a.json', 'a', 'releases');
      repo.addTarget('releases/b.txt', 'b', 'nested');
      repo.addTarget('releases/c.json', 'c-from-fallback', 'fallback');
      repo.addTarget('other/d.json', 'd', 'fallback');
    });
    const client = updater();
    await client.refresh();
    expect(await client.getTargetInfo('releases/a.json')).toMatchObject({ length: 1 });
    expect(await client.getTargetInfo('releases/b.txt')).toMatchObject({ length: 1 });
    // releases is terminating: fallback is never consulted for releases/*.
    expect(await client.getTargetInfo('releases/c.json')).toBeUndefined();
    expect(server.requested('metadata/1.fallback.json')).toBe(0);
    expect(await client.getTargetInfo('other/d.json')).toMatchObject({ length: 1 });
    expect(server.requested('metadata/1.fallback.json')).toBe(1);
    expect(
      readFileSync(
        await client.downloadTarget((await client.getTargetInfo('releases/b.txt'))!),
        'utf8',
      ),
    ).toBe('b');
  });

  it('path patterns match segment by segment: releases/* does not cover releases/x/y.json', async () => {
    const { updater } = await setup('ed25519', (repo) => {
      repo.delegate('targets', 'releases', { paths: ['releases/*'] });
      repo.addTarget('releases/x/y.json', 'deep', 'releases');
    });
    expect(await updater().getTargetInfo('releases/x/y.json')).toBeUndefined();
  });

  it('path_hash_prefixes delegations', async () => {
    const { createHash } = await import('node:crypto');
    const prefix = createHash('sha256').update('bin/tool').digest('hex').slice(0, 2);
    const { updater } = await setup('ed25519', (repo) => {
      repo.delegate('targets', 'bins', { pathHashPrefixes: [prefix] });
      repo.addTarget('bin/tool', 'tool', 'bins');
    });
    expect(await updater().getTargetInfo('bin/tool')).toMatchObject({ length: 4 });
  });

  it('succinct hash-bin delegations (TAP 15): the target is found in its bin, other bins are never fetched', async () => {
    const { createHash } = await import('node:crypto');
    // bit_length 3: the bin is the top 3 bits of sha256(path), named with one hex digit.
    const binOf = (path: string) =>
      `bins-${(createHash('sha256').update(path).digest()[0]! >> 5).toString(16)}`;
    const { updater, server } = await setup('ed25519', (repo) => {
      expect(repo.delegateSuccinct('targets', 'bins', 3)).toHaveLength(8);
      for (const path of ['pkg/a.tgz', 'pkg/b.tgz']) repo.addTarget(path, path, binOf(path));
      // Listed in the wrong bin: a client must not find it there.
      const wrongBin = ['0', '1']
        .map((d) => `bins-${d}`)
        .find((bin) => bin !== binOf('pkg/c.tgz'))!;
      repo.addTarget('pkg/c.tgz', 'c', wrongBin);
    });
    const client = updater();
    expect(await client.getTargetInfo('pkg/a.tgz')).toMatchObject({ length: 9 });
    expect(await client.getTargetInfo('pkg/c.tgz')).toBeUndefined();
    const fetchedBins = server.requests
      .filter((r) => /^metadata\/\d+\.bins-/.test(r.path))
      .map((r) => r.path);
    expect(fetchedBins.sort()).toEqual(
      [...new Set([binOf('pkg/a.tgz'), binOf('pkg/c.tgz')])]
        .map((bin) => `metadata/1.${bin}.json`)
        .sort(),
    );
  });

  it('a delegated role signed by a key its parent did not delegate to is rejected, naming the role', async () => {
    const { updater, repo } = await setup('ed25519', (r) => {
      r.delegate('targets', 'releases', { paths: ['releases/*'] });
      r.addTarget('releases/a.json', 'a', 'releases');
    });
    repo.role('releases').signers = [generateTestKey('ed25519')];
    repo.addTarget('releases/b.json', 'b', 'releases');
    await repo.publish();
    const client = updater();
    await client.refresh();
    await rejects(
      client.getTargetInfo('releases/a.json'),
      'SIGNATURE_THRESHOLD',
      /^releases v2 \(2\.releases\.json\), delegated by targets: 0 of 1/,
    );
  });

  it('a delegated role missing from the snapshot is an error', async () => {
    const { updater, repo } = await setup('ed25519', (r) => {
      r.delegate('targets', 'releases', { paths: ['releases/*'] });
    });
    const snapshot = repo.role('snapshot');
    const timestamp = repo.role('timestamp');
    snapshot.signed = { ...snapshot.signed, version: 2, meta: { 'targets.json': { version: 1 } } };
    repo.files.set('metadata/2.snapshot.json', await repo.sign(snapshot.signed, snapshot.signers));
    timestamp.signed = {
      ...timestamp.signed,
      version: 2,
      meta: { 'snapshot.json': { version: 2 } },
    };
    repo.files.set('metadata/timestamp.json', await repo.sign(timestamp.signed, timestamp.signers));
    await rejects(
      updater().getTargetInfo('releases/a.json'),
      'METADATA_INVALID',
      /snapshot v2 does not list releases\.json/,
    );
  });
});

describe('network behaviour', () => {
  it('fetches over node:http by default, never through the global fetch (its first call loads undici)', async () => {
    const { updater } = await setup();
    const globalFetch = globalThis.fetch;
    let globalCalls = 0;
    globalThis.fetch = (...args) => {
      globalCalls++;
      return globalFetch(...args);
    };
    try {
      const client = updater();
      await client.refresh();
      const info = await client.getTargetInfo('app/v1.json');
      expect(readFileSync(await client.downloadTarget(info!), 'utf8')).toBe('{"v":1}\n');
      expect(globalCalls).toBe(0);
      expect(client.requestCount).toBeGreaterThan(0);
    } finally {
      globalThis.fetch = globalFetch;
    }
  });

  it('retries 503 and 429 with backoff and counts every request', async () => {
    const { updater, server } = await setup();
    server.failures.set('metadata/timestamp.json', [503, 429]);
    const client = updater();
    await client.refresh();
    expect(server.requested('metadata/timestamp.json')).toBe(3);
    expect(client.requestCount).toBe(6);
  });

  it('gives up after three 500s with a FETCH error naming the URL', async () => {
    const { updater, server } = await setup();
    server.failures.set('metadata/timestamp.json', [500, 500, 500]);
    await rejects(updater().refresh(), 'FETCH', /metadata\/timestamp\.json: HTTP 500/);
    expect(server.requested('metadata/timestamp.json')).toBe(3);
  });

  it('does not retry a 404', async () => {
    const { updater, repo, server } = await setup();
    repo.files.delete('metadata/timestamp.json');
    await rejects(updater().refresh(), 'NOT_FOUND', /timestamp\.json: HTTP 404/);
    expect(server.requested('metadata/timestamp.json')).toBe(1);
  });

  it('uses an injected fetch, and caps a body sent without Content-Length while streaming', async () => {
    const { updater, server } = await setup();
    const seen: string[] = [];
    const streamingFetch = async (url: string, init?: RequestInit) => {
      seen.push(url);
      const response = await fetch(url, init);
      if (!url.endsWith('/timestamp.json')) return response;
      await response.body?.cancel();
      // 20 chunks of 1 KiB, no length header: only counting while reading can stop it.
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ === 20) controller.close();
          else controller.enqueue(new Uint8Array(1024).fill(0x20));
        },
      });
      return new Response(body, { status: 200 });
    };
    await rejects(
      updater({ fetch: streamingFetch }).refresh(),
      'LENGTH_MISMATCH',
      /timestamp\.json: more than the limit of 16384 bytes/,
    );
    expect(seen).toEqual([
      `${server.metadataUrl}2.root.json`,
      `${server.metadataUrl}timestamp.json`,
    ]);
  });

  it('times out a server that never answers', async () => {
    const { createServer } = await import('node:http');
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as { port: number }).port;
    const metadataDir = tempDir();
    const { repo } = await setup();
    writeFileSync(join(metadataDir, 'root.json'), repo.initialRoot);
    try {
      const client = new Updater({
        metadataDir,
        metadataBaseUrl: `http://127.0.0.1:${port}/`,
        timeoutMs: 200,
      });
      await rejects(client.refresh(), 'FETCH', /2\.root\.json: timed out after 3 attempts/);
      expect(client.requestCount).toBe(3);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});

describe('TUF-on-CI git checkout source', () => {
  it('verifies a generated checkout (root_history, unversioned names, targets/<name>) with a rotation', async () => {
    const repo = new RepoBuilder('ecdsa-sha2-nistp256');
    repo.addTarget('app/v1.json', 'one');
    await repo.publish();
    repo.setRoleKeys('root', [generateTestKey('ecdsa-sha2-nistp384')]);
    repo.addTarget('app/v2.json', 'two');
    await repo.publish();
    const checkout = tempDir();
    repo.writeCheckout(checkout);
    const metadataDir = tempDir();
    writeFileSync(join(metadataDir, 'root.json'), repo.initialRoot);
    const client = new Updater({
      metadataDir,
      repositoryDir: checkout,
      targetDir: join(metadataDir, 't'),
    });
    expect(await client.refresh()).toMatchObject({ root: { version: 2 }, targets: { version: 2 } });
    expect(
      readFileSync(
        await client.downloadTarget((await client.getTargetInfo('app/v2.json'))!),
        'utf8',
      ),
    ).toBe('two');
  });

  it('a checkout whose snapshot.json is older than the timestamp lists fails (mix-and-match)', async () => {
    const repo = new RepoBuilder();
    repo.addTarget('a', 'a');
    await repo.publish();
    const oldSnapshot = repo.files.get('metadata/1.snapshot.json')!;
    await repo.publish();
    const checkout = tempDir();
    repo.writeCheckout(checkout);
    writeFileSync(join(checkout, 'metadata', 'snapshot.json'), oldSnapshot);
    const metadataDir = tempDir();
    writeFileSync(join(metadataDir, 'root.json'), repo.initialRoot);
    await rejects(
      new Updater({ metadataDir, repositoryDir: checkout }).refresh(),
      'ROLLBACK',
      /version 1, but the timestamp lists v2/,
    );
  });

  it('refuses target paths that climb out of targets/', async () => {
    const repo = new RepoBuilder();
    await repo.publish();
    const checkout = tempDir();
    repo.writeCheckout(checkout);
    const metadataDir = tempDir();
    writeFileSync(join(metadataDir, 'root.json'), repo.initialRoot);
    const client = new Updater({ metadataDir, repositoryDir: checkout, targetDir: metadataDir });
    await client.refresh();
    await rejects(
      client.downloadTarget({ path: '../metadata/root.json', length: 1, hashes: { sha256: '00' } }),
      'INVALID_INPUT',
      /"\.\." segment/,
    );
  });
});

describe('formats, limits and names', () => {
  it('a repository without consistent snapshots: unversioned metadata names and plain artifact paths', async () => {
    const { updater, server } = await setup('ed25519', (repo) => {
      repo.consistentSnapshot = false;
    });
    const client = updater();
    await client.downloadTarget((await client.getTargetInfo('app/v1.json'))!);
    expect(server.requests.map((r) => r.path)).toEqual([
      'metadata/2.root.json',
      'metadata/timestamp.json',
      'metadata/snapshot.json',
      'metadata/targets.json',
      'targets/app/v1.json',
    ]);
  });

  it('stops root rotation at limits.maxRootRotations', async () => {
    const { updater, repo } = await setup();
    for (let i = 0; i < 3; i++) {
      repo.setRoleKeys('root', [generateTestKey('ed25519')]);
      await repo.publish();
    }
    expect((await updater({ limits: { maxRootRotations: 2 } }).refresh()).root.version).toBe(3);
    expect((await updater().refresh()).root.version).toBe(4);
  });

  it('persists a delegated role under its quoted name', async () => {
    const { updater, metadataDir, server } = await setup('ed25519', (repo) => {
      repo.delegate('targets', 'team/a b', { paths: ['team/*'] });
      repo.addTarget('team/x', 'x', 'team/a b');
    });
    expect(await updater().getTargetInfo('team/x')).toMatchObject({ length: 1 });
    expect(server.requested('metadata/1.team%2Fa%20b.json')).toBe(1);
    expect(readdirSync(metadataDir)).toContain('team%2Fa%20b.json');
  });

  it('never turns a target named "." or ".." into a path outside targetDir', async () => {
    const { updater } = await setup();
    const client = updater();
    await client.refresh();
    for (const path of ['..', '.', '']) {
      await rejects(
        client.downloadTarget({ path, length: 1, hashes: { sha256: '00' } }),
        'INVALID_INPUT',
        /cannot be a file name/,
      );
    }
  });

  it('fails closed on a target hash algorithm it cannot compute', async () => {
    const { updater } = await setup();
    const client = updater();
    const info = (await client.getTargetInfo('app/v1.json'))!;
    await rejects(
      client.downloadTarget({ ...info, hashes: { ...info.hashes, blake2b: 'ab' } }),
      'HASH_MISMATCH',
      /unsupported hash algorithm "blake2b"/,
    );
  });

  it('rejects malformed metadata naming the file and the field', async () => {
    const { updater, repo } = await setup();
    const timestamp = repo.role('timestamp');
    repo.files.set('metadata/timestamp.json', Buffer.from('{"signed": '));
    await rejects(
      updater().refresh(),
      'METADATA_INVALID',
      /^timestamp \(timestamp\.json\): not valid JSON/,
    );
    repo.files.set(
      'metadata/timestamp.json',
      await repo.sign(
        { ...timestamp.signed, version: 2, expires: '2040-01-01' },
        timestamp.signers,
      ),
    );
    await rejects(
      updater().refresh(),
      'METADATA_INVALID',
      /^timestamp \(timestamp\.json\): signed\.expires must be a UTC time/,
    );
    repo.files.set(
      'metadata/timestamp.json',
      await repo.sign({ ...timestamp.signed, _type: 'snapshot' }, timestamp.signers),
    );
    await rejects(
      updater().refresh(),
      'METADATA_INVALID',
      /signed\._type must be "timestamp", found "snapshot"/,
    );
  });

  it('rejects delegations with both roles and succinct_roles, or a bit_length above 32', async () => {
    const { updater, repo } = await setup();
    const targets = repo.role('targets');
    const succinct = { keyids: [], threshold: 1, bit_length: 4, name_prefix: 'bins' };
    targets.signed.delegations = { keys: {}, roles: [], succinct_roles: succinct };
    targets.dirty = true;
    await repo.publish();
    await rejects(
      updater().refresh(),
      'METADATA_INVALID',
      /^targets v2 \(2\.targets\.json\): signed\.delegations must be exactly one of roles and succinct_roles/,
    );
    targets.signed.delegations = { keys: {}, succinct_roles: { ...succinct, bit_length: 33 } };
    targets.dirty = true;
    await repo.publish();
    await rejects(
      updater().refresh(),
      'METADATA_INVALID',
      /succinct_roles\.bit_length must be an integer from 1 to 32, found 33/,
    );
  });

  it('refuses a trusted root.json that does not meet its own threshold', async () => {
    const { updater, repo, metadataDir } = await setup();
    const root = JSON.parse(repo.initialRoot.toString());
    // flip the first hex digit: a fixed replacement leaves a signature that already starts with it intact
    const sig: string = root.signatures[0].sig;
    root.signatures[0].sig = `${sig[0] === '0' ? '1' : '0'}${sig.slice(1)}`;
    writeFileSync(join(metadataDir, 'root.json'), JSON.stringify(root));
    await rejects(
      updater().refresh(),
      'SIGNATURE_THRESHOLD',
      /^trusted root v1 \(.*root\.json\): 0 of 1/,
    );
  });

  it('reads the clock when refresh starts', async () => {
    const { updater, repo } = await setup();
    await repo.publish({ expires: { timestamp: '2030-01-01T00:00:00Z' } });
    let now = new Date('2029-01-01T00:00:00Z');
    const client = updater({ now: () => now });
    expect((await client.refresh()).timestamp.version).toBe(2);
    now = new Date('2031-01-01T00:00:00Z');
    await rejects(client.refresh(), 'EXPIRED', /^timestamp v2 expired/);
  });
});

describe('conformance rules: repeated keyids in signatures', () => {
  it('a timestamp whose signatures repeat a keyid is invalid as a whole, though distinct keys meet the threshold; nothing is persisted', async () => {
    const [a, b] = [generateTestKey('ed25519'), generateTestKey('ecdsa-sha2-nistp256')];
    const { updater, repo, metadataDir } = await setup('ed25519', (r) =>
      r.setRoleKeys('timestamp', [a, b], 1),
    );
    await updater().refresh();
    const trusted = readFileSync(join(metadataDir, 'timestamp.json'));
    const timestamp = repo.role('timestamp');
    timestamp.signed = { ...timestamp.signed, version: 2 };
    repo.files.set('metadata/timestamp.json', await repo.sign(timestamp.signed, [a, b, a]));
    await rejects(
      updater().refresh(),
      'METADATA_INVALID',
      new RegExp(
        `^timestamp \\(timestamp\\.json\\): signatures\\[2\\] repeats keyid ${a.keyid} of signatures\\[0\\]`,
      ),
    );
    expect(readFileSync(join(metadataDir, 'timestamp.json')).equals(trusted)).toBe(true);
  });

  it('a new root whose signatures repeat a keyid is refused and the trusted root stays', async () => {
    const { updater, repo, metadataDir } = await setup();
    const oldSigners = repo.role('root').signers;
    const next = generateTestKey('ed25519');
    repo.setRoleKeys('root', [next]);
    await repo.publish();
    const root2 = JSON.parse(repo.files.get('metadata/2.root.json')!.toString());
    repo.files.set(
      'metadata/2.root.json',
      await repo.sign(root2.signed, [...oldSigners, next, ...oldSigners]),
    );
    await rejects(
      updater().refresh(),
      'METADATA_INVALID',
      /^root v2 \(2\.root\.json\): signatures\[2\] repeats keyid/,
    );
    expect(readFileSync(join(metadataDir, 'root.json')).equals(repo.initialRoot)).toBe(true);
  });

  it('a delegated role whose signatures repeat a keyid is refused and not persisted', async () => {
    const { updater, repo, metadataDir } = await setup('ed25519', (r) => {
      r.delegate('targets', 'releases', { paths: ['releases/*'] });
      r.addTarget('releases/a.json', 'a', 'releases');
    });
    const releases = repo.role('releases');
    repo.files.set(
      'metadata/1.releases.json',
      await repo.sign(releases.signed, [...releases.signers, ...releases.signers]),
    );
    await rejects(
      updater().getTargetInfo('releases/a.json'),
      'METADATA_INVALID',
      /^releases v1 \(1\.releases\.json\), delegated by targets: signatures\[1\] repeats keyid/,
    );
    expect(readdirSync(metadataDir)).not.toContain('releases.json');
  });
});

describe('conformance rules: a delegated role is verified against the delegator on the path searched', () => {
  /**
   * targets -> A (a/*) -> C (a/*), signed for A by kA; targets -> B (b/*) -> C (b/*), which B
   * delegates to kB. C is one file listing a/x and b/y.
   */
  async function diamond(cSigners: 'kA' | 'kA and kB') {
    const [kA, kB] = [generateTestKey('ed25519'), generateTestKey('ecdsa-sha2-nistp256')];
    const context = await setup('ed25519', (repo) => {
      repo.delegate('targets', 'A', { paths: ['a/*'] });
      repo.delegate('targets', 'B', { paths: ['b/*'] });
      repo.delegate('A', 'C', { paths: ['a/*'], signers: [kA] });
      repo.delegate('B', 'C', { paths: ['b/*'], signers: [kB] });
      repo.role('C').signers = cSigners === 'kA' ? [kA] : [kA, kB];
      repo.addTarget('a/x', 'x', 'C');
      repo.addTarget('b/y', 'y', 'C');
    });
    return context;
  }

  it('C trusted through A is verified again when reached through B, and refused there', async () => {
    const { updater } = await diamond('kA');
    const client = updater();
    expect(await client.getTargetInfo('a/x')).toMatchObject({ length: 1 });
    await rejects(
      client.getTargetInfo('b/y'),
      'SIGNATURE_THRESHOLD',
      /^C v1 \(1\.C\.json\), delegated by B: 0 of 1 required signatures verify/,
    );
    // The verdict for A's path still holds.
    expect(await client.getTargetInfo('a/x')).toMatchObject({ length: 1 });
  });

  it('the same holds in a later run that finds C in the metadata dir, and in either search order', async () => {
    const { updater } = await diamond('kA');
    await updater().getTargetInfo('a/x');
    await rejects(updater().getTargetInfo('b/y'), 'SIGNATURE_THRESHOLD', /delegated by B/);
    const { updater: fresh } = await diamond('kA');
    const client = fresh();
    await rejects(client.getTargetInfo('b/y'), 'SIGNATURE_THRESHOLD', /delegated by B/);
    expect(await client.getTargetInfo('a/x')).toMatchObject({ length: 1 });
  });

  it('C signed for both delegations is found along either path, fetched once', async () => {
    const { updater, server } = await diamond('kA and kB');
    const client = updater();
    expect(await client.getTargetInfo('a/x')).toMatchObject({ length: 1 });
    expect(await client.getTargetInfo('b/y')).toMatchObject({ length: 1 });
    expect(server.requested('metadata/1.C.json')).toBe(1);
  });

  it('a delegation with neither paths nor path_hash_prefixes is invalid', async () => {
    const { updater, repo } = await setup('ed25519', (r) => {
      r.delegate('targets', 'releases', { paths: ['releases/*'] });
    });
    const targets = repo.role('targets');
    const delegations = targets.signed.delegations as { roles: Array<Record<string, unknown>> };
    delete delegations.roles[0]!.paths;
    targets.dirty = true;
    await repo.publish();
    await rejects(
      updater().refresh(),
      'METADATA_INVALID',
      /signed\.delegations\.roles\[0\] must be exactly one of paths and path_hash_prefixes/,
    );
  });
});
