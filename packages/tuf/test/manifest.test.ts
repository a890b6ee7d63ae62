import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { TufError, formatMetadata, parseReleaseManifest, releaseManifest } from '../src/index';
import { SEED_V150 } from './support/helpers';

const releasesDir = fixturePath(
  'tuf',
  'amaanx86',
  'targets',
  'oci-prometheus-sd-proxy',
  'releases',
);

const input = SEED_V150;

describe.skipIf(!haveFixtures)(
  `release manifest against the real ones (${haveFixtures ? 'fixtures' : fixturesSkipReason})`,
  () => {
    // v1.4.1 predates the identity-pinning cosign commands; every later manifest has today's shape.
    const current = haveFixtures
      ? readdirSync(releasesDir).filter((name) => name !== 'v1.4.1.json')
      : [];

    it.each(current)('rebuilds %s byte for byte from its fields', (file) => {
      const bytes = readFileSync(`${releasesDir}/${file}`, 'utf8');
      const real = parseReleaseManifest(bytes, file);
      const built = releaseManifest({
        project: real.project,
        repository: new URL(real.release_url).pathname.split('/').slice(1, 3).join('/'),
        tag: real.tag,
        image: real.image,
        digest: real.digest,
        runId: real.workflow_run_url.split('/').pop()!,
        createdAt: real.created_at,
      });
      expect(built.content).toBe(bytes);
      expect(built.targetName).toBe(`oci-prometheus-sd-proxy/releases/${file}`);
      expect(built.path).toBe(`targets/oci-prometheus-sd-proxy/releases/${file}`);
    });

    it('covers the rc (1587 bytes) and final (1569 bytes) shapes', () => {
      expect(current).toContain('v1.5.2-rc.json');
      expect(Buffer.byteLength(releaseManifest(input).content)).toBe(1569);
      expect(Buffer.byteLength(releaseManifest({ ...input, tag: 'v1.5.2-rc' }).content)).toBe(1587);
    });

    it('parses the older v1.4.1 shape too', () => {
      const older = parseReleaseManifest(readFileSync(`${releasesDir}/v1.4.1.json`), 'v1.4.1.json');
      expect(older.cosign_verify_cmd).toBe(`cosign verify ${older.image_ref_digest}`);
    });

    it('writes metadata exactly as TUF-on-CI does (1-space indent, sorted keys, \\u escapes, no newline)', () => {
      for (const file of [
        'metadata/root_history/1.root.json',
        'metadata/targets.json',
        'metadata/snapshot.json',
        'metadata/timestamp.json',
        'versions/timestamp.v163.json',
        'versions/targets.v10.json',
      ]) {
        const bytes = readFileSync(fixturePath('tuf', 'amaanx86', file), 'utf8');
        expect(formatMetadata(JSON.parse(bytes)), file).toBe(bytes);
      }
    });
  },
);

describe('release manifest input checks', () => {
  it('derives version from the tag and keeps an explicit one', () => {
    expect(releaseManifest(input).manifest.version).toBe('1.5.0');
    expect(releaseManifest({ ...input, version: '1.5.0+meta' }).manifest.version).toBe(
      '1.5.0+meta',
    );
  });

  it('writes created_at as UTC seconds from a Date', () => {
    expect(
      releaseManifest({ ...input, createdAt: new Date('2026-04-18T17:26:44.789Z') }).manifest
        .created_at,
    ).toBe('2026-04-18T17:26:44Z');
  });

  it.each([
    ['digest', { digest: 'sha256:011BD9' }],
    ['digest', { digest: 'sha512:' + 'a'.repeat(64) }],
    ['repository', { repository: 'no-owner' }],
    ['project', { project: 'a/b' }],
    ['image', { image: 'ghcr.io/x/y@sha256:abc' }],
    ['runId', { runId: 'abc' }],
    ['createdAt', { createdAt: 'yesterday' }],
  ] as const)('rejects a bad %s', (field, change) => {
    const attempt = () => releaseManifest({ ...input, ...change });
    expect(attempt).toThrow(TufError);
    expect(attempt).toThrow(field);
    try {
      attempt();
    } catch (error) {
      expect((error as TufError).code).toBe('INVALID_INPUT');
    }
  });

  it('rejects a manifest whose image_ref_digest does not match its digest', () => {
    const text = releaseManifest(input).content.replace(
      '"image_ref_digest": "ghcr.io/amaanx86/oci-prometheus-sd-proxy@sha256:011b',
      '"image_ref_digest": "ghcr.io/amaanx86/oci-prometheus-sd-proxy@sha256:111b',
    );
    expect(() => parseReleaseManifest(text, 'x.json')).toThrow(/x\.json: image_ref_digest must be/);
  });

  it('rejects a manifest missing a field, naming it', () => {
    const value = JSON.parse(releaseManifest(input).content) as Record<string, unknown>;
    delete value.created_at;
    expect(() => parseReleaseManifest(JSON.stringify(value), 'm.json')).toThrow(
      'm.json: field created_at must be a string',
    );
    expect(() => parseReleaseManifest('{', 'm.json')).toThrow(/m\.json: not JSON/);
  });
});
