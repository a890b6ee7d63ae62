import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rejectionOf,
  fixturePath,
  fixturesSkipReason,
  haveFixtures,
  suiteTempDirs,
} from '@oci-sd/test-support';
import { TufError, Updater } from '../src/index';

const AS_OF = new Date('2026-04-20T12:00:00Z');
const V150 = 'oci-prometheus-sd-proxy/releases/v1.5.0.json';
const V150_DIGEST = 'sha256:011bd900864e62770c54e56248b2af853482e9ae9f5c572f84c20c8771f5c291';
const repo = (...parts: string[]) => fixturePath('tuf', 'amaanx86', ...parts);

const tempDir = suiteTempDirs('tuf-amaanx86-');

/** A metadata dir that trusts root v1 of the fixture repository. */
function pinnedRoot(): string {
  const dir = tempDir();
  cpSync(repo('metadata', 'root_history', '1.root.json'), join(dir, 'root.json'));
  return dir;
}

describe.skipIf(!haveFixtures)(
  `the amaanx86 TUF-on-CI repository ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    it('verifies the git checkout as of 2026-04-20T12:00Z down to the v1.5.0 manifest and its digest', async () => {
      const metadataDir = pinnedRoot();
      const updater = new Updater({
        metadataDir,
        repositoryDir: repo(),
        targetDir: join(metadataDir, 'targets'),
        now: AS_OF,
      });
      const state = await updater.refresh();
      expect(state.timestamp.version).toBe(10);
      expect(state.snapshot.version).toBe(4);
      expect(state.targets.version).toBe(4);
      const info = await updater.getTargetInfo(V150);
      expect(info).toEqual({
        path: V150,
        length: 1569,
        hashes: {
          sha256: createHash('sha256')
            .update(readFileSync(repo('targets', V150)))
            .digest('hex'),
        },
      });
      const path = await updater.downloadTarget(info!);
      expect(JSON.parse(readFileSync(path, 'utf8')).digest).toBe(V150_DIGEST);
      expect(await updater.findCachedTarget(info!)).toBe(path);
      expect(
        await updater.getTargetInfo('oci-prometheus-sd-proxy/releases/v9.9.9.json'),
      ).toBeUndefined();
    });

    it('persists the trusted metadata byte for byte as <role>.json', async () => {
      const metadataDir = pinnedRoot();
      await new Updater({ metadataDir, repositoryDir: repo(), now: AS_OF }).refresh();
      expect(readdirSync(metadataDir).sort()).toEqual([
        'root.json',
        'snapshot.json',
        'targets.json',
        'timestamp.json',
      ]);
      for (const role of ['timestamp', 'snapshot', 'targets']) {
        expect(
          readFileSync(join(metadataDir, `${role}.json`)).equals(
            readFileSync(repo('metadata', `${role}.json`)),
          ),
          role,
        ).toBe(true);
      }
    });

    it('a second refresh reuses the persisted snapshot and targets', async () => {
      const metadataDir = pinnedRoot();
      await new Updater({ metadataDir, repositoryDir: repo(), now: AS_OF }).refresh();
      const again = new Updater({ metadataDir, repositoryDir: repo(), now: AS_OF });
      await again.refresh();
      // root v2 probe + timestamp; snapshot and targets come from metadataDir.
      expect(again.requestCount).toBe(2);
    });

    it('fails as expired after the timestamp expiry (freeze), naming the timestamp', async () => {
      const error = await rejectionOf(
        new Updater({
          metadataDir: pinnedRoot(),
          repositoryDir: repo(),
          now: new Date('2026-04-20T18:07:45Z'),
        }).refresh(),
        TufError,
      );
      expect(error.code).toBe('EXPIRED');
      expect(error.message).toMatch(/^timestamp v10 expired at 2026-04-20T18:07:45.000Z/);
    });

    it("rollback on real data: after trusting timestamp v14, the repository's timestamp v10 is refused", async () => {
      const metadataDir = pinnedRoot();
      cpSync(repo('versions', 'timestamp.v14.json'), join(metadataDir, 'timestamp.json'));
      const error = await rejectionOf(
        new Updater({ metadataDir, repositoryDir: repo(), now: AS_OF }).refresh(),
        TufError,
      );
      expect(error.code).toBe('ROLLBACK');
      expect(error.message).toBe('timestamp v10 is older than the trusted v14');
    });

    it('every release listed by targets v1, v4, v6 and v10 matches its manifest (length and sha256)', async () => {
      const updater = new Updater({ metadataDir: pinnedRoot(), repositoryDir: repo() });
      const listings = [
        'versions/targets.v1.json',
        'metadata/targets.json',
        'versions/targets.v6.json',
        'versions/targets.v10.json',
      ];
      let checked = 0;
      for (const listing of listings) {
        const targets = JSON.parse(readFileSync(repo(listing), 'utf8')).signed.targets as Record<
          string,
          { length: number; hashes: Record<string, string> }
        >;
        for (const [name, entry] of Object.entries(targets)) {
          const current = repo('targets', name);
          const matches =
            (await updater.findCachedTarget({ path: name, ...entry }, current)) ??
            (await updater.findCachedTarget(
              { path: name, ...entry },
              repo('versions', 'release-v1.4.1.older.json'),
            ));
          expect(matches, `${listing}: ${name}`).toBeDefined();
          checked++;
        }
      }
      expect(checked).toBe(0 + 3 + 5 + 9);
    });

    describe('one flipped byte anywhere fails, naming the role', () => {
      const cases: Array<[string, string, RegExp]> = [
        [
          'metadata/timestamp.json',
          '"version": 10',
          /^timestamp \(timestamp\.json\): 0 of 1 required signatures verify; .*message digest/,
        ],
        [
          'metadata/snapshot.json',
          '"version": 4',
          /^snapshot v4 \(4\.snapshot\.json\): 0 of 1 required signatures verify/,
        ],
        [
          'metadata/targets.json',
          '"length": 1569',
          /^targets v4 \(4\.targets\.json\): 0 of 1 required signatures verify/,
        ],
        [
          'metadata/root_history/1.root.json',
          '"threshold": 1,\n    "x-tuf-on-ci-expiry-period": 2',
          /^trusted root v1 .*: 0 of 1 required signatures verify/,
        ],
        [
          `targets/${V150}`,
          '"version": "1.5.0"',
          /^target oci-prometheus-sd-proxy\/releases\/v1\.5\.0\.json: sha256 [0-9a-f]{64}, expected b67cad65/,
        ],
      ];
      for (const [file, needle, message] of cases) {
        it(file, async () => {
          const copy = tempDir();
          cpSync(repo(), copy, { recursive: true });
          const original = readFileSync(join(copy, file), 'utf8');
          expect(original).toContain(needle);
          // One byte: a digit or letter inside the signed content changes by one code point.
          const index = original.indexOf(needle) + needle.length - 1;
          const flipped =
            original.slice(0, index) +
            String.fromCharCode(original.charCodeAt(index) ^ 1) +
            original.slice(index + 1);
          expect(flipped.length).toBe(original.length);
          writeFileSync(join(copy, file), flipped);
          const metadataDir = tempDir();
          cpSync(
            join(copy, 'metadata', 'root_history', '1.root.json'),
            join(metadataDir, 'root.json'),
          );
          const updater = new Updater({
            metadataDir,
            repositoryDir: copy,
            targetDir: join(metadataDir, 't'),
            now: AS_OF,
          });
          const error = await rejectionOf(
            (async () => {
              await updater.refresh();
              await updater.downloadTarget((await updater.getTargetInfo(V150))!);
            })(),
            TufError,
          );
          expect(error.message).toMatch(message);
        });
      }
    });

    describe('the same repository published as a consistent-snapshot site over HTTP', () => {
      let server: Server;
      let base = '';
      const requests: string[] = [];

      beforeAll(async () => {
        const site = new Map<string, Buffer>();
        site.set(
          '/metadata/1.root.json',
          readFileSync(repo('metadata', 'root_history', '1.root.json')),
        );
        site.set('/metadata/timestamp.json', readFileSync(repo('metadata', 'timestamp.json')));
        site.set('/metadata/4.snapshot.json', readFileSync(repo('metadata', 'snapshot.json')));
        site.set('/metadata/4.targets.json', readFileSync(repo('metadata', 'targets.json')));
        for (const name of readdirSync(repo('targets', 'oci-prometheus-sd-proxy', 'releases'))) {
          const bytes = readFileSync(repo('targets', 'oci-prometheus-sd-proxy', 'releases', name));
          site.set(
            `/targets/oci-prometheus-sd-proxy/releases/${createHash('sha256').update(bytes).digest('hex')}.${name}`,
            bytes,
          );
        }
        server = createServer((request, response) => {
          requests.push(request.url ?? '');
          const bytes = site.get(request.url ?? '');
          if (bytes) response.writeHead(200).end(bytes);
          else response.writeHead(404).end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });

      afterAll(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });

      it('verifies down to v1.5.0, fetching versioned metadata and the hash-prefixed manifest', async () => {
        const metadataDir = pinnedRoot();
        mkdirSync(join(metadataDir, 't'));
        const updater = new Updater({
          metadataDir,
          metadataBaseUrl: `${base}/metadata`,
          targetBaseUrl: `${base}/targets`,
          targetDir: join(metadataDir, 't'),
          now: AS_OF,
        });
        const path = await updater.downloadTarget((await updater.getTargetInfo(V150))!);
        expect(JSON.parse(readFileSync(path, 'utf8')).digest).toBe(V150_DIGEST);
        expect(requests).toEqual([
          '/metadata/2.root.json',
          '/metadata/timestamp.json',
          '/metadata/4.snapshot.json',
          '/metadata/4.targets.json',
          '/targets/oci-prometheus-sd-proxy/releases/b67cad65d37bf3df78dfef559ec49613a9d9b3dc2ad9855e252d28927630ac94.v1.5.0.json',
        ]);
        expect(updater.requestCount).toBe(5);
      });
    });
  },
);
