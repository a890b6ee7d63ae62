import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Digest } from '../src/digest';
import { pushImage } from '../src/image';
import { OciLayoutSource } from '../src/layout';
import { MEDIA_TYPES } from '../src/media-types';

describe('OciLayoutSource writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oci-sd-layout-write-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every tag when many are written at once, and leaves no temp files', async () => {
    const layout = new OciLayoutSource(dir);
    const pushed = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        pushImage(layout, {
          tag: `t${i}`,
          platforms: [{ os: 'linux', architecture: 'amd64', files: { n: String(i) } }],
        }),
      ),
    );
    for (const [i, image] of pushed.entries())
      expect((await layout.resolve(`t${i}`)).digest).toBe(image.digest);
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const leftovers = [
      ...(await readdir(dir)),
      ...(await readdir(join(dir, 'blobs', 'sha256'))),
    ].filter((name) => name.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('moves a tag to the new manifest and keeps the old one by digest', async () => {
    const layout = new OciLayoutSource(dir);
    const first = await pushImage(layout, {
      tag: 'latest',
      platforms: [{ os: 'linux', architecture: 'amd64', files: { v: '1' } }],
    });
    const second = await pushImage(layout, {
      tag: 'latest',
      platforms: [{ os: 'linux', architecture: 'amd64', files: { v: '2' } }],
    });
    expect((await layout.resolve('latest')).digest).toBe(second.digest);
    expect((await layout.resolve(first.digest)).digest).toBe(first.digest);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(1);
  });

  it('rewrites a blob whose stored bytes were damaged', async () => {
    const layout = new OciLayoutSource(dir);
    const bytes = Buffer.from('{"k":"v"}');
    const { digest } = await layout.pushBlob(bytes);
    const path = join(dir, 'blobs', 'sha256', digest.slice(7));
    await writeFile(path, Buffer.from('{"k":"x"}'));
    await expect(layout.blob(digest)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await layout.pushBlob(bytes);
    expect(await layout.blob(digest)).toEqual(bytes);
  });

  it('reads tags written as full references by other tools', async () => {
    const layout = new OciLayoutSource(dir);
    const image = await pushImage(layout, {
      platforms: [{ os: 'linux', architecture: 'amd64', files: { f: 'full' } }],
    });
    await writeFile(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: MEDIA_TYPES.ociIndex,
            digest: image.digest,
            size: image.size,
            annotations: { 'org.opencontainers.image.ref.name': 'ghcr.io/acme/app:v3' },
          },
        ],
      }),
    );
    const resolved = await layout.resolve('v3');
    expect(resolved.digest).toBe(image.digest);
    expect(sha256Digest(resolved.bytes)).toBe(image.digest);
    expect(await layout.manifestByTag('app:v3')).toBeUndefined();
  });
});
