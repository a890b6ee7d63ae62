import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registryAvailable, startRegistry } from '../src/index';

describe.skipIf(!registryAvailable())('startRegistry', () => {
  it('serves the distribution API on loopback and cleans up on stop', async () => {
    const registry = await startRegistry();
    try {
      const blob = Buffer.from('hello');
      const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
      const start = await fetch(`${registry.url}/v2/t/blobs/uploads/`, { method: 'POST' });
      expect(start.status).toBe(202);
      const location = new URL(start.headers.get('location')!, registry.url);
      location.searchParams.set('digest', digest);
      const put = await fetch(location, {
        method: 'PUT',
        body: blob,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(put.status).toBe(201);
      const got = await fetch(`${registry.url}/v2/t/blobs/${digest}`);
      expect(Buffer.from(await got.arrayBuffer()).toString()).toBe('hello');
    } finally {
      await registry.stop();
    }
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });

  it('stop() is idempotent: a second and a concurrent call resolve once the registry is gone', async () => {
    const registry = await startRegistry();
    const [first, concurrent] = [registry.stop(), registry.stop()];
    await Promise.all([first, concurrent]);
    // after the registry died of SIGTERM (exitCode stays null, signalCode is set)
    await registry.stop();
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });
});
