import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixturePath,
  fixturesSkipReason,
  haveFixtures,
  hostileRuns,
  mutationOf,
} from '@oci-sd/test-support';
import { parseReleaseManifest, TufError, Updater } from '../src/index';

// Property tests (issue 12, "Hostile input never aborts a verification"): TUF metadata is what a repository,
// a mirror or anyone between them serves. Arbitrary JSON at every path of the real TUF-on-CI metadata must
// end in a verified state or a TufError, never in another exception.

const AS_OF = new Date('2026-04-20T12:00:00Z');
const V150 = 'oci-prometheus-sd-proxy/releases/v1.5.0.json';
const repo = (...parts: string[]) => fixturePath('tuf', 'amaanx86', ...parts);

describe.skipIf(!haveFixtures)(
  `hostile TUF metadata (property tests on the amaanx86 TUF-on-CI repository) ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    let checkout: string;
    let rootV1: string;
    const temps: string[] = [];
    const tempDir = () => {
      const dir = mkdtempSync(join(tmpdir(), 'tuf-hostile-'));
      temps.push(dir);
      return dir;
    };

    beforeAll(() => {
      rootV1 = readFileSync(repo('metadata', 'root_history', '1.root.json'), 'utf8');
      checkout = tempDir();
      cpSync(repo(), checkout, { recursive: true });
    });

    afterAll(() => {
      for (const dir of temps) rmSync(dir, { recursive: true, force: true });
    });

    /** A full update from root v1 down to the v1.5.0 target: its version, or the TufError that refused it. */
    async function update(pinnedRoot: string): Promise<number | TufError> {
      const metadataDir = tempDir();
      writeFileSync(join(metadataDir, 'root.json'), pinnedRoot);
      const updater = new Updater({
        metadataDir,
        repositoryDir: checkout,
        targetDir: join(metadataDir, 'targets'),
        now: AS_OF,
      });
      try {
        const state = await updater.refresh();
        await updater.getTargetInfo(V150);
        return state.targets.version;
      } catch (error) {
        // Anything but the package's own error class is a crash on hostile input.
        expect(error).toBeInstanceOf(TufError);
        return error as TufError;
      } finally {
        rmSync(metadataDir, { recursive: true, force: true });
      }
    }

    it('the unmutated repository verifies (the control)', async () => {
      expect(await update(rootV1)).toBe(4);
    });

    // Runs per file: each is a full update with Sigstore signature checks (~0.3 s for snapshot and targets,
    // whose parents verify first), tuned so that all property tests together stay under a minute in CI.
    it.each([
      ['timestamp.json', 20],
      ['snapshot.json', 12],
      ['targets.json', 12],
    ] as const)(
      'metadata/%s with any JSON at any path: verified or a TufError',
      async (file, runs) => {
        const path = join(checkout, 'metadata', file);
        const original = readFileSync(path, 'utf8');
        try {
          await fc.assert(
            fc.asyncProperty(mutationOf(JSON.parse(original)), async (mutation) => {
              writeFileSync(path, mutation.json);
              const outcome = await update(rootV1);
              if (outcome instanceof TufError) expect(outcome.message).not.toBe('');
            }),
            { numRuns: hostileRuns(runs) },
          );
        } finally {
          writeFileSync(path, original);
        }
      },
    );

    it('a pinned root with any JSON at any path: verified or a TufError', async () => {
      await fc.assert(
        fc.asyncProperty(mutationOf(JSON.parse(rootV1)), async (mutation) => {
          await update(mutation.json);
        }),
        { numRuns: hostileRuns(20) },
      );
    });

    it('a release manifest target with any JSON at any path: parsed or a TufError naming the field', () => {
      const manifest = readFileSync(repo('targets', V150), 'utf8');
      fc.assert(
        fc.property(mutationOf(JSON.parse(manifest)), (mutation) => {
          try {
            parseReleaseManifest(mutation.json, V150);
          } catch (error) {
            expect(error).toBeInstanceOf(TufError);
            expect((error as TufError).message).toMatch(new RegExp(`^${V150}: `));
          }
        }),
        { numRuns: hostileRuns(300) },
      );
    });
  },
);
