import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '@oci-sd/test-support';
import { HttpClient, RequestCounter, CoreError } from '../src/index';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('HttpClient', () => {
  it('retries 5xx and 429 with backoff, honours Retry-After, and counts every attempt', async () => {
    const statuses = [503, 429, 200];
    const seen: number[] = [];
    const url = await serve((_request, response) => {
      const status = statuses.shift()!;
      seen.push(Date.now());
      response
        .writeHead(status, status === 429 ? { 'retry-after': '1' } : {})
        .end(status === 200 ? 'ok' : '');
    });
    const counter = new RequestCounter();
    const response = await new HttpClient({ counter, backoffMs: 1 }).request(new URL(`${url}/x`));
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('ok');
    expect(counter.requests).toBe(3);
    // The third attempt waited for Retry-After: 1, not for the 1 ms backoff.
    expect(seen[2]! - seen[1]!).toBeGreaterThanOrEqual(900);
  });

  it('gives up with FETCH naming method, origin and path (no query, no credentials) after the retries', async () => {
    const url = await serve((_request, response) => response.writeHead(502).end());
    const client = new HttpClient({ retries: 2, backoffMs: 1 });
    const error = await rejectionOf(
      client.request(new URL(`${url}/a/b?token=secret-token`), {
        headers: { authorization: 'Bearer secret-token' },
      }),
      CoreError,
    );
    expect(error).toMatchObject({
      code: 'FETCH',
      found: 'HTTP 502',
      message: `GET ${url}/a/b: HTTP 502 after 3 attempts`,
    });
    expect(
      JSON.stringify({ message: error.message, expected: error.expected, found: error.found }),
    ).not.toContain('secret-token');
    expect(client.counter.requests).toBe(3);
  });

  it('returns a 404 at once, without retrying', async () => {
    const url = await serve((_request, response) => response.writeHead(404).end('no'));
    const client = new HttpClient({ backoffMs: 1 });
    expect((await client.request(new URL(`${url}/missing`))).status).toBe(404);
    expect(client.counter.requests).toBe(1);
  });

  it('refuses a declared and a streamed body over the limit with LENGTH_MISMATCH, not retried', async () => {
    const url = await serve((request, response) => {
      if (request.url === '/declared')
        response.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
      else {
        response.writeHead(200);
        for (let i = 0; i < 8; i++) response.write('x'.repeat(1000));
        response.end();
      }
    });
    const client = new HttpClient({ backoffMs: 1, maxBodyBytes: 4999 });
    expect(await rejectionOf(client.request(new URL(`${url}/declared`)), CoreError)).toMatchObject({
      code: 'TOO_LARGE',
      found: 5000,
      message: `GET ${url}/declared: 5000 bytes exceed the limit of 4999`,
    });
    expect(
      await rejectionOf(
        client.request(new URL(`${url}/streamed`), { maxBodyBytes: 2500 }),
        CoreError,
      ),
    ).toMatchObject({
      code: 'TOO_LARGE',
      message: `GET ${url}/streamed: more than the limit of 2500 bytes`,
    });
    expect(client.counter.requests).toBe(2);
  });

  it('times out a stalled body and retries it', async () => {
    const url = await serve((_request, response) =>
      response.writeHead(200, { 'content-length': '10' }).write('12345'),
    );
    const client = new HttpClient({ timeoutMs: 200, retries: 1, backoffMs: 1 });
    expect(await rejectionOf(client.request(new URL(`${url}/stall`)), CoreError)).toMatchObject({
      code: 'FETCH',
      found: 'timed out',
      message: `GET ${url}/stall: timed out after 2 attempts`,
    });
    expect(client.counter.requests).toBe(2);
  });

  it('sends through a given fetch instead of node:http, with the same retries and limits', async () => {
    const url = await serve((request, response) =>
      response.writeHead(request.url === '/big' ? 200 : 500).end('y'.repeat(100)),
    );
    const calls: string[] = [];
    const client = new HttpClient({
      backoffMs: 1,
      retries: 1,
      fetch: (input, init) => {
        calls.push(input);
        return fetch(input, init);
      },
    });
    expect(await rejectionOf(client.request(new URL(`${url}/flaky`)), CoreError)).toMatchObject({
      code: 'FETCH',
      message: `GET ${url}/flaky: HTTP 500 after 2 attempts`,
    });
    expect(
      await rejectionOf(client.request(new URL(`${url}/big`), { maxBodyBytes: 50 }), CoreError),
    ).toMatchObject({ code: 'TOO_LARGE' });
    expect(calls).toEqual([`${url}/flaky`, `${url}/flaky`, `${url}/big`]);
  });
});
