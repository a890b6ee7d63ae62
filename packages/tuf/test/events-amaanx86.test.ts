import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fixturePath,
  fixturesSkipReason,
  gitSync,
  haveFixtures,
  useTestGitSettings,
} from '@oci-sd/test-support';
import {
  addReleaseTarget,
  formatMetadata,
  parseReleaseManifest,
  signingEventStatus,
  type SignedMetadata,
} from '../src/index';

// The events code under test starts git itself, with the inherited environment.
useTestGitSettings();

const fixture = (...parts: string[]) => fixturePath('tuf', 'amaanx86', ...parts);
const RELEASES = 'oci-prometheus-sd-proxy/releases';
const AS_OF = new Date('2026-04-20T12:00:00Z');

/** The seed's TUF repository on main at targets v4, with the real release manifests it lists. */
function seedRepository(dir: string): void {
  mkdirSync(join(dir, 'metadata', 'root_history'), { recursive: true });
  mkdirSync(join(dir, 'targets', RELEASES), { recursive: true });
  cpSync(fixture('metadata'), join(dir, 'metadata'), { recursive: true });
  cpSync(fixture('metadata/root_history/1.root.json'), join(dir, 'metadata/root.json'));
  for (const name of ['v1.4.2-rc.json', 'v1.4.2.json', 'v1.5.0.json'])
    cpSync(fixture('targets', RELEASES, name), join(dir, 'targets', RELEASES, name));
  gitSync(dir, 'init', '--quiet', '--initial-branch=main');
  gitSync(dir, 'add', '--all');
  gitSync(dir, 'commit', '--quiet', '-m', 'amaanx86 TUF repository at targets v4');
}

describe.skipIf(!haveFixtures)(
  `signing events on the seed's real TUF repository (${haveFixtures ? 'fixtures' : fixturesSkipReason})`,
  () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'oci-sd-amaanx86-'));
      seedRepository(dir);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    function openRealEvent(): void {
      gitSync(dir, 'switch', '--quiet', '--create', 'sign/release-1-5-2-real');
      cpSync(fixture('versions/targets.v6.json'), join(dir, 'metadata/targets.json'));
      for (const name of ['v1.5.1.json', 'v1.5.2.json'])
        cpSync(fixture('targets', RELEASES, name), join(dir, 'targets', RELEASES, name));
      gitSync(dir, 'add', '--all');
      gitSync(dir, 'commit', '--quiet', '-m', 'targets v6 signed by @amaanx86');
    }

    it('counts the real sigstore-oidc signature of targets v6, verified against the public-good root', async () => {
      openRealEvent();
      const status = await signingEventStatus(dir, { now: AS_OF });
      expect(status.complete).toBe(true);
      expect(status.roles).toHaveLength(1);
      expect(status.roles[0]).toMatchObject({
        role: 'targets',
        version: 6,
        baseVersion: 4,
        signers: ['@amaanx86'],
        signed: ['@amaanx86'],
        missing: [],
        errors: [],
      });
      expect(status.roles[0]!.targetChanges).toEqual([
        { path: `${RELEASES}/v1.5.1.json`, change: 'ADDED' },
        { path: `${RELEASES}/v1.5.2.json`, change: 'ADDED' },
      ]);
    });

    it('does not count the real signature once one byte of its bundle signature changes', async () => {
      openRealEvent();
      const targets = JSON.parse(
        readFileSync(join(dir, 'metadata/targets.json'), 'utf8'),
      ) as SignedMetadata;
      const bundle = targets.signatures[0]!.bundle as { messageSignature: { signature: string } };
      const raw = Buffer.from(bundle.messageSignature.signature, 'base64');
      raw[raw.length - 5]! ^= 0x01;
      bundle.messageSignature.signature = raw.toString('base64');
      writeFileSync(join(dir, 'metadata/targets.json'), formatMetadata(targets));
      const status = await signingEventStatus(dir, { now: AS_OF });
      expect(status.complete).toBe(false);
      expect(status.roles[0]!.signed).toEqual([]);
      expect(status.roles[0]!.errors[0]).toMatch(/^signature from @amaanx86 does not verify: /);
    });

    it('add-release rebuilds the real targets map of v6 from the v1.5.1 and v1.5.2 manifests, format kept', async () => {
      for (const tag of ['v1.5.1', 'v1.5.2']) {
        const real = parseReleaseManifest(
          readFileSync(fixture('targets', RELEASES, `${tag}.json`)),
          tag,
        );
        await addReleaseTarget(dir, {
          branch: 'sign/release-1-5-2-real',
          manifest: {
            project: real.project,
            repository: 'amaanx86/oci-prometheus-sd-proxy',
            tag: real.tag,
            image: real.image,
            digest: real.digest,
            runId: real.workflow_run_url.split('/').pop()!,
            createdAt: real.created_at,
          },
          now: AS_OF,
        });
      }
      const text = readFileSync(join(dir, 'metadata/targets.json'), 'utf8');
      const ours = JSON.parse(text) as SignedMetadata;
      const real = JSON.parse(
        readFileSync(fixture('versions/targets.v6.json'), 'utf8'),
      ) as SignedMetadata;
      expect(ours.signed.targets).toEqual(real.signed.targets);
      expect(ours.signed.version).toBe(5);
      expect(ours.signed.expires).toBe(real.signed.expires);
      expect(ours.signatures).toEqual([
        { keyid: 'aa731b3cc24464a6bf5e42d9b54998a2b6fa97a5a7c8f4ff3492bcaea4b37efb', sig: '' },
      ]);
      expect(text).toBe(formatMetadata(ours));
    });
  },
);
