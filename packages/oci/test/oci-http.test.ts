import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OciError } from '../src/errors';
import { RegistryClient, RequestCounter, parseChallenge } from '../src/http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const running = new Set<Server>();

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.add(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function stop(server: Server): Promise<void> {
  running.delete(server);
  // Stalled responses keep their sockets open: close them, or close() waits forever.
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A loopback port nothing listens on: bound, then released. */
async function refusedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await stop(server);
  return `http://127.0.0.1:${port}`;
}

/** Collects a request body, then calls `then` with it. */
function readRequest(req: IncomingMessage, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => then(Buffer.concat(chunks)));
}

afterEach(async () => {
  await Promise.all([...running].map(stop));
});

describe('parseChallenge', () => {
  it('reads quoted parameters with commas and colons, bare values and the scheme', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://ghcr.io/token',
        service: 'ghcr.io',
        scope: 'repository:a/b:pull,push',
      },
    });
    expect(parseChallenge('Basic realm=Registry')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry' },
    });
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
    const client = new RegistryClient(url, 'a/b', {
      credentials: { username: 'u', password: 'p' },
    });
    expect((await client.request('tags/list')).body.toString()).toBe('ok');
    expect((await client.request('tags/list')).status).toBe(200);
    expect(seen).toEqual([
      undefined,
      `Basic ${Buffer.from('u:p').toString('base64')}`,
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    ]);
  });

  it('reports a Basic challenge without credentials as REGISTRY', async () => {
    const url = await serve((req, res) => {
      res.writeHead(401, {
        'www-authenticate': req.url?.startsWith('/token') ? '' : 'Basic realm="r"',
      });
      res.end();
    });
    await expect(new RegistryClient(url, 'a/b').request('tags/list')).rejects.toMatchObject({
      code: 'REGISTRY',
      message: expect.stringContaining('requires basic authentication'),
    });
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
      res.writeHead(401, {
        'www-authenticate': 'Bearer realm="http://token.example.com/token",service="s"',
      });
      res.end();
    });
    await expect(
      new RegistryClient(url, 'a/b', {
        credentials: { username: 'u', password: 'secret' },
      }).request('manifests/v1'),
    ).rejects.toMatchObject({
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
    await expect(new RegistryClient(url, 'a/b').request('manifests/v1')).rejects.toMatchObject({
      code: 'REGISTRY',
      message: expect.stringContaining('no "token" or "access_token"'),
    });
  });

  it('sends no credentials to an absolute URL on another origin (an upload location on object storage)', async () => {
    const seen: (string | undefined)[] = [];
    const other = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(201);
      res.end();
    });
    const client = new RegistryClient('http://127.0.0.1:1', 'a/b', {
      credentials: { token: 'registry-token' },
    });
    expect(
      (await client.request(`${other}/upload?digest=x`, { method: 'PUT', body: Buffer.from('x') }))
        .status,
    ).toBe(201);
    expect(seen).toEqual([undefined]);
  });

  it('stops reading a body over the limit', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(64 * 1024));
      res.end(Buffer.alloc(64 * 1024));
    });
    await expect(
      new RegistryClient(url, 'a/b').request('blobs/x', { maxBodyBytes: 1000 }),
    ).rejects.toMatchObject({ code: 'REGISTRY', message: expect.stringContaining('limit') });
  });

  it('times out a stalled body as REGISTRY, naming the URL without credentials', async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-length': '100' });
      res.write('ten bytes.'); // and never the other 90
    });
    const withUserinfo = url.replace('http://', 'http://user:hunter2@');
    const client = new RegistryClient(withUserinfo, 'a/b', {
      credentials: { token: 'secret-token' },
      timeoutMs: 300,
      retries: 1,
      backoffMs: 1,
    });
    const error = await client.request('blobs/sha256:x').then(
      () => undefined,
      (reason: unknown) => reason as OciError,
    );
    expect(error).toBeInstanceOf(OciError);
    expect(error).toMatchObject({
      code: 'REGISTRY',
      found: 'timed out',
      message: `GET ${url}/v2/a/b/blobs/sha256:x: timed out after 2 attempts`,
    });
    expect(
      JSON.stringify({ message: error!.message, expected: error!.expected, found: error!.found }),
    ).not.toMatch(/hunter2|secret-token/);
    expect({ requests, counted: client.counter.requests }).toEqual({ requests: 2, counted: 2 });
  });

  it('retries a connection dropped mid-body and returns the whole body of the next attempt', async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-length': '12' });
      if (requests === 1) {
        res.write('half');
        res.socket?.destroy();
        return;
      }
      res.end('whole answer');
    });
    const client = new RegistryClient(url, 'a/b', { backoffMs: 1 });
    expect((await client.request('blobs/sha256:x')).body.toString()).toBe('whole answer');
    expect({
      requests,
      counted: client.counter.requests,
      roundTrips: client.counter.roundTrips,
    }).toEqual({ requests: 2, counted: 2, roundTrips: 2 });
  });

  it('follows a 303 after a POST with a GET that carries no body and no body headers', async () => {
    const seen: {
      method: string | undefined;
      url: string | undefined;
      contentType: string | undefined;
      contentLength: string | undefined;
      body: string;
    }[] = [];
    const url = await serve((req, res) => {
      readRequest(req, (body) => {
        seen.push({
          method: req.method,
          url: req.url,
          contentType: req.headers['content-type'],
          contentLength: req.headers['content-length'],
          body: body.toString(),
        });
        if (req.url === '/v2/a/b/blobs/uploads/') {
          res.writeHead(303, { location: '/uploaded' });
          return res.end();
        }
        res.writeHead(200);
        res.end('ok');
      });
    });
    const response = await new RegistryClient(url, 'a/b').request('blobs/uploads/', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from('payload'),
    });
    expect(response.status).toBe(200);
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/v2/a/b/blobs/uploads/',
        contentType: 'application/octet-stream',
        contentLength: '7',
        body: 'payload',
      },
      {
        method: 'GET',
        url: '/uploaded',
        contentType: undefined,
        contentLength: undefined,
        body: '',
      },
    ]);
  });

  it('keeps Authorization on a same-origin redirect and drops it on a cross-origin one', async () => {
    const atOther: (string | undefined)[] = [];
    const other = await serve((req, res) => {
      atOther.push(req.headers.authorization);
      res.writeHead(200);
      res.end('from other');
    });
    const atRegistry: { url: string | undefined; authorization: string | undefined }[] = [];
    const url = await serve((req, res) => {
      atRegistry.push({ url: req.url, authorization: req.headers.authorization });
      if (req.url === '/v2/a/b/blobs/sha256:x') {
        res.writeHead(302, { location: '/moved' });
        return res.end();
      }
      res.writeHead(307, { location: `${other}/signed?sig=abc` });
      res.end();
    });
    const response = await new RegistryClient(url, 'a/b', {
      credentials: { token: 'registry-token' },
    }).request('blobs/sha256:x');
    expect(response.body.toString()).toBe('from other');
    expect(atRegistry).toEqual([
      { url: '/v2/a/b/blobs/sha256:x', authorization: 'Bearer registry-token' },
      { url: '/moved', authorization: 'Bearer registry-token' },
    ]);
    expect(atOther).toEqual([undefined]);
  });

  it('joins repeated response headers with ", " and reads names case-insensitively', async () => {
    const url = await serve((_req, res) => {
      res.setHeader('link', [
        '</v2/a/b/tags/list?n=1&last=a>; rel="next"',
        '<https://example.com/doc>; rel="help"',
      ]);
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(200);
      res.end();
    });
    const { headers } = await new RegistryClient(url, 'a/b').request('tags/list');
    expect(headers.get('Link')).toBe(
      '</v2/a/b/tags/list?n=1&last=a>; rel="next", <https://example.com/doc>; rel="help"',
    );
    expect(headers.get('set-cookie')).toBe('a=1, b=2');
    expect(headers.get('x-absent')).toBeNull();
  });

  it('reports a refused connection as REGISTRY with ECONNREFUSED, after the retries', async () => {
    const url = await refusedPortUrl();
    const client = new RegistryClient(url, 'a/b', { retries: 2, backoffMs: 1 });
    await expect(client.request('manifests/v1')).rejects.toMatchObject({
      code: 'REGISTRY',
      found: 'ECONNREFUSED',
      message: `GET ${url}/v2/a/b/manifests/v1: ECONNREFUSED after 3 attempts`,
    });
    expect(client.counter.requests).toBe(3);
  });

  it('sends Content-Length: 0 (not chunked) for a PUT without a body, and none for a GET', async () => {
    const seen: {
      method: string | undefined;
      contentLength: string | undefined;
      transferEncoding: string | undefined;
    }[] = [];
    const url = await serve((req, res) => {
      readRequest(req, () => {
        seen.push({
          method: req.method,
          contentLength: req.headers['content-length'],
          transferEncoding: req.headers['transfer-encoding'],
        });
        res.writeHead(201);
        res.end();
      });
    });
    const client = new RegistryClient(url, 'a/b');
    await client.request('blobs/uploads/x?digest=sha256:e3', { method: 'PUT' });
    await client.request('tags/list');
    expect(seen).toEqual([
      { method: 'PUT', contentLength: '0', transferEncoding: undefined },
      { method: 'GET', contentLength: undefined, transferEncoding: undefined },
    ]);
  });

  it('refuses a declared Content-Length over the limit without retrying', async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-length': '5000' });
      res.end(Buffer.alloc(5000));
    });
    const client = new RegistryClient(url, 'a/b', { backoffMs: 1 });
    await expect(client.request('blobs/x', { maxBodyBytes: 4999 })).rejects.toMatchObject({
      code: 'REGISTRY',
      expected: '<= 4999 bytes',
      found: 5000,
    });
    expect({ requests, counted: client.counter.requests }).toEqual({ requests: 1, counted: 1 });
    // At the limit exactly is fine.
    expect((await client.request('blobs/x', { maxBodyBytes: 5000 })).body.length).toBe(5000);
  });

  it('retries 5xx with growing backoff, then returns the 200', async () => {
    const arrivals: number[] = [];
    const url = await serve((_req, res) => {
      arrivals.push(performance.now());
      res.writeHead(arrivals.length < 3 ? 503 : 200);
      res.end(arrivals.length < 3 ? 'busy' : 'done');
    });
    const client = new RegistryClient(url, 'a/b', { backoffMs: 200 });
    expect((await client.request('manifests/v1')).body.toString()).toBe('done');
    expect(client.counter.requests).toBe(3);
    // Backoff is 200 ms then 400 ms, each with jitter down to half: lower bounds only (never timing upper bounds).
    const gaps = [arrivals[1]! - arrivals[0]!, arrivals[2]! - arrivals[1]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
  });

  it('gives up on a persistent 5xx after the configured retries with the status in the error', async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests += 1;
      res.writeHead(502);
      res.end();
    });
    await expect(
      new RegistryClient(url, 'a/b', { retries: 2, backoffMs: 1 }).request('manifests/v1'),
    ).rejects.toMatchObject({
      code: 'REGISTRY',
      found: 'HTTP 502',
      message: expect.stringContaining('after 3 attempts'),
    });
    expect(requests).toBe(3);
  });

  it('waits as long as a 429 Retry-After asks even when the backoff is shorter', async () => {
    const arrivals: number[] = [];
    const url = await serve((_req, res) => {
      arrivals.push(performance.now());
      res.writeHead(
        arrivals.length === 1 ? 429 : 200,
        arrivals.length === 1 ? { 'retry-after': '1' } : {},
      );
      res.end(arrivals.length === 1 ? '' : 'done');
    });
    const client = new RegistryClient(url, 'a/b', { backoffMs: 1 });
    expect((await client.request('manifests/v1')).body.toString()).toBe('done');
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(990);
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
    expect({ requests: counter.requests, roundTrips: counter.roundTrips }).toEqual({
      requests: 3,
      roundTrips: 3,
    });
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
    expect({ requests: counter.requests, roundTrips: counter.roundTrips }).toEqual({
      requests: 3,
      roundTrips: 2,
    });
    counter.reset();
    expect({ requests: counter.requests, roundTrips: counter.roundTrips }).toEqual({
      requests: 0,
      roundTrips: 0,
    });
  });
});
