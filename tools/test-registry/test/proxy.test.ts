import { describe, expect, it } from 'vitest';
import { registryAvailable, startRegistry, startRegistryProxy } from '../src/index';

describe.skipIf(!registryAvailable())('startRegistryProxy', () => {
  it('forwards, injects faults by request, and runs a bearer token flow', async () => {
    const registry = await startRegistry();
    const proxy = await startRegistryProxy(registry.url, {
      fault: ({ n }) => (n === 1 ? { kind: 'status', status: 503 } : undefined),
      auth: { service: 'svc' },
    });
    try {
      const challenge = await fetch(`${proxy.url}/v2/a/b/tags/list`);
      expect(challenge.status).toBe(401);
      const header = challenge.headers.get('www-authenticate')!;
      expect(header).toBe(
        `Bearer realm="${proxy.url}/token",service="svc",scope="repository:a/b:pull"`,
      );
      const token = await fetch(`${proxy.url}/token?service=svc&scope=repository:a/b:pull`);
      expect(token.status).toBe(200);
      const { token: value, access_token: accessToken } = (await token.json()) as {
        token?: string;
        access_token?: string;
      };
      const authorization = `Bearer ${value ?? accessToken}`;
      const faulted = await fetch(`${proxy.url}/v2/a/b/tags/list`, { headers: { authorization } });
      expect(faulted.status).toBe(503);
      const forwarded = await fetch(`${proxy.url}/v2/a/b/tags/list`, {
        headers: { authorization },
      });
      expect(forwarded.status).toBe(404);
      expect(proxy.log.map((r) => r.path)).toEqual([
        '/v2/a/b/tags/list',
        '/token?service=svc&scope=repository:a/b:pull',
        '/v2/a/b/tags/list',
        '/v2/a/b/tags/list',
      ]);
      const denied = await fetch(`${proxy.url}/token?service=svc&scope=repository:a/b:pull,push`);
      expect(denied.status).toBe(403);
    } finally {
      await proxy.stop();
      await registry.stop();
    }
  });
});
