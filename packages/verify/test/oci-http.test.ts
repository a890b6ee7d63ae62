import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient, RequestCounter, parseChallenge } from '../src/oci/http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let stopServer: (() => Promise<void>) | undefined;

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stopServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await stopServer?.();
  stopServer = undefined;
});

describe('parseChallenge', () => {
  it('reads quoted parameters with commas and colons, bare values and the scheme', () => {
    expect(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm=Registry')).toEqual({ scheme: 'basic', params: { realm: 'Registry' } });
    expect(parseChallenge('')).toEqual({ scheme: '', params: {} });
  });
});

describe('RegistryClient', () => {
  it('answers a Basic challenge with the given credentials', async () => {
    const seen: (string | undefined)[] = [];
    const url = await serve((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' });
        return res.end();
      }
      res.writeHead(200);
      res.end('ok');
    });
    const client = new RegistryClient(url, 'a/b', { credentials: { username: 'u', password: 'p' } });
    expect((await client.request('tags/list')).body.toString()).toBe('ok');
    expect((await client.request('tags/list')).status).toBe(200);
    expect(seen).toEqual([undefined, `Basic ${Buffer.from('u:p').toString('base64')}`, `Basic ${Buffer.from('u:p').toString('base64')}`]);
  });

  it('reports a Basic challenge without credentials as REGISTRY', async () => {
    const url = await serve((req, res) => {
      res.writeHead(401, { 'www-authenticate': req.url?.startsWith('/token') ? '' : 'Basic realm="r"' });
      res.end();
    });
    await expect(new RegistryClient(url, 'a/b').request('tags/list')).rejects.toMatchObject({ code: 'REGISTRY', message: expect.stringContaining('requires basic authentication') });
  });

  it('returns the 401 when a fresh token is refused too (no endless token loop)', async () => {
    let tokens = 0;
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/token')) {
        tokens += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"token":"t"}');
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${url}/token",service="s"` });
      res.end();
    });
    const response = await new RegistryClient(url, 'a/b').request('manifests/v1');
    expect(response.status).toBe(401);
    expect(tokens).toBe(1);
  });

  it('refuses a token realm that is not https (off loopback)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://token.example.com/token",service="s"' });
      res.end();
    });
    await expect(new RegistryClient(url, 'a/b', { credentials: { username: 'u', password: 'secret' } }).request('manifests/v1')).rejects.toMatchObject({
      code: 'REGISTRY',
      expected: 'https://...',
      found: 'http://token.example.com',
    });
  });

  it('rejects a token response without a token', async () => {
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/token')) {
        res.writeHead(200);
        return res.end('{"expires_in":300}');
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${url}/token"` });
      res.end();
    });
    await expect(new RegistryClient(url, 'a/b').request('manifests/v1')).rejects.toMatchObject({ code: 'REGISTRY', message: expect.stringContaining('no "token" or "access_token"') });
  });

  it('follows a blob redirect to another origin without sending the registry credentials there', async () => {
    let seenAtStorage: string | undefined = 'unset';
    const storage = createServer((req, res) => {
      seenAtStorage = req.headers.authorization;
      res.writeHead(200);
      res.end('blob bytes');
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    try {
      const storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}/signed?sig=abc`;
      const url = await serve((req, res) => {
        expect(req.headers.authorization).toBe('Bearer registry-token');
        res.writeHead(307, { location: storageUrl });
        res.end();
      });
      const response = await new RegistryClient(url, 'a/b', { credentials: { token: 'registry-token' } }).request('blobs/sha256:x');
      expect(response.body.toString()).toBe('blob bytes');
      expect(seenAtStorage).toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => storage.close(() => resolve()));
    }
  });

  it('sends no credentials to an absolute URL on another origin (an upload location on object storage)', async () => {
    const seen: (string | undefined)[] = [];
    const other = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(201);
      res.end();
    });
    const client = new RegistryClient('http://127.0.0.1:1', 'a/b', { credentials: { token: 'registry-token' } });
    expect((await client.request(`${other}/upload?digest=x`, { method: 'PUT', body: Buffer.from('x') })).status).toBe(201);
    expect(seen).toEqual([undefined]);
  });

  it('stops reading a body over the limit', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(64 * 1024));
      res.end(Buffer.alloc(64 * 1024));
    });
    await expect(new RegistryClient(url, 'a/b').request('blobs/x', { maxBodyBytes: 1000 })).rejects.toMatchObject({ code: 'REGISTRY', message: expect.stringContaining('limit') });
  });

  it('waits as Retry-After says (capped) and counts sequential attempts as round trips', async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n += 1;
      res.writeHead(n < 3 ? 429 : 200, n < 3 ? { 'retry-after': '0' } : {});
      res.end(n < 3 ? '' : 'done');
    });
    const counter = new RequestCounter();
    const client = new RegistryClient(url, 'a/b', { counter, backoffMs: 60_000 });
    // A 60 s backoff would time the test out: Retry-After: 0 must win.
    expect((await client.request('manifests/v1')).body.toString()).toBe('done');
    expect({ requests: counter.requests, roundTrips: counter.roundTrips }).toEqual({ requests: 3, roundTrips: 3 });
  });
});

describe('RequestCounter', () => {
  it('counts parallel requests as one round trip and chained ones as several', () => {
    const counter = new RequestCounter();
    const a = counter.start();
    const b = counter.start();
    a();
    b();
    expect(counter.roundTrips).toBe(1);
    counter.start()();
    expect({ requests: counter.requests, roundTrips: counter.roundTrips }).toEqual({ requests: 3, roundTrips: 2 });
    counter.reset();
    expect({ requests: counter.requests, roundTrips: counter.roundTrips }).toEqual({ requests: 0, roundTrips: 0 });
  });
});
