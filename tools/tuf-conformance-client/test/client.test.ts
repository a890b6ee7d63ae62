import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformanceClient } from '../src/cli';
import { RepoBuilder, RepoServer, suiteTempDirs } from '@oci-sd/test-support';

const WRAPPER = fileURLToPath(new URL('../client', import.meta.url));
let repo: RepoBuilder;
let server: RepoServer;
let rootFile: string;

const tempDir = suiteTempDirs('tuf-conformance-');

beforeAll(async () => {
  repo = new RepoBuilder('ecdsa-sha2-nistp256');
  repo.addTarget('file1.txt', 'one');
  repo.addTarget('dir/file2.txt', 'two');
  await repo.publish();
  server = await new RepoServer(repo).start();
  rootFile = join(tempDir(), '1.root.json');
  writeFileSync(rootFile, repo.initialRoot);
});
afterAll(async () => {
  await server?.stop();
});

describe('tools/tuf-conformance-client protocol', () => {
  it('init copies the trusted root; refresh verifies and persists the top-level metadata', async () => {
    const metadataDir = join(tempDir(), 'metadata');
    expect(await runConformanceClient(['--metadata-dir', metadataDir, 'init', rootFile])).toBe(0);
    expect(readFileSync(join(metadataDir, 'root.json')).equals(repo.initialRoot)).toBe(true);
    expect(
      await runConformanceClient([
        '--metadata-url',
        server.metadataUrl,
        '--metadata-dir',
        metadataDir,
        'refresh',
      ]),
    ).toBe(0);
    expect(readdirSync(metadataDir).sort()).toEqual([
      'root.json',
      'snapshot.json',
      'targets.json',
      'timestamp.json',
    ]);
  });

  it('download fetches the targets in order into the target dir and reuses cached artifacts', async () => {
    const metadataDir = tempDir();
    const targetDir = tempDir();
    await runConformanceClient(['--metadata-dir', metadataDir, 'init', rootFile]);
    const download = [
      '--metadata-url',
      server.metadataUrl,
      '--metadata-dir',
      metadataDir,
      '--target-name',
      'file1.txt',
      '--target-name',
      'dir/file2.txt',
      '--target-dir',
      targetDir,
      '--target-base-url',
      server.targetsUrl,
      'download',
    ];
    expect(await runConformanceClient(download)).toBe(0);
    expect(readFileSync(join(targetDir, 'file1.txt'), 'utf8')).toBe('one');
    expect(readFileSync(join(targetDir, 'dir%2Ffile2.txt'), 'utf8')).toBe('two');
    const artifactRequests = () =>
      server.requests.filter((r) => r.path.startsWith('targets/')).length;
    const before = artifactRequests();
    expect(await runConformanceClient(download)).toBe(0);
    expect(artifactRequests()).toBe(before);
  });

  it('stops at the first target that fails and exits 1', async () => {
    const metadataDir = tempDir();
    const targetDir = tempDir();
    await runConformanceClient(['--metadata-dir', metadataDir, 'init', rootFile]);
    const code = await runConformanceClient([
      '--metadata-url',
      server.metadataUrl,
      '--metadata-dir',
      metadataDir,
      '--target-name',
      'missing.txt',
      '--target-name',
      'file1.txt',
      '--target-dir',
      targetDir,
      '--target-base-url',
      server.targetsUrl,
      'download',
    ]);
    expect(code).toBe(1);
    expect(existsSync(join(targetDir, 'file1.txt'))).toBe(false);
  });

  it('exits 1 on bad usage and on verification failures', async () => {
    expect(await runConformanceClient(['refresh'])).toBe(1);
    expect(await runConformanceClient(['--metadata-dir', tempDir(), 'dance'])).toBe(1);
    // No trusted root in the metadata dir.
    expect(
      await runConformanceClient([
        '--metadata-url',
        server.metadataUrl,
        '--metadata-dir',
        tempDir(),
        'refresh',
      ]),
    ).toBe(1);
  });

  it(
    'the shell wrapper runs the same client (exit 0, then 1 on a tampered timestamp)',
    { timeout: 120_000 },
    async () => {
      const run = (args: string[]) =>
        promisify(execFile)(WRAPPER, args, { env: process.env }).then(
          () => 0,
          (error: { code?: number }) => error.code ?? -1,
        );
      const metadataDir = tempDir();
      expect(await run(['--metadata-dir', metadataDir, 'init', rootFile])).toBe(0);
      expect(
        await run(['--metadata-url', server.metadataUrl, '--metadata-dir', metadataDir, 'refresh']),
      ).toBe(0);
      const timestamp = repo.files.get('metadata/timestamp.json')!;
      try {
        repo.files.set(
          'metadata/timestamp.json',
          Buffer.from(timestamp.toString().replace('"version": 1', '"version": 7')),
        );
        expect(
          await run([
            '--metadata-url',
            server.metadataUrl,
            '--metadata-dir',
            metadataDir,
            'refresh',
          ]),
        ).toBe(1);
      } finally {
        repo.files.set('metadata/timestamp.json', timestamp);
      }
    },
  );
});
