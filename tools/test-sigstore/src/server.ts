import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HandlerFn } from '@sigstore/mock';

export type ServiceName = 'fulcio' | 'rekor' | 'tsa';

/** A service endpoint: `POST /<service><path>`, e.g. `POST /fulcio/api/v2/signingCert`. */
export interface Route {
  service: ServiceName;
  path: string;
  fn: HandlerFn;
}

/** The next `times` requests to `service` get `status` instead of an answer (retry tests). */
export interface Fault {
  service: ServiceName;
  status: number;
  /** Default 1. */
  times?: number;
}

export interface RunningServer {
  baseURL: string;
  /** Requests received per service since start (every POST, answered, failed or faulted). */
  readonly requestCounts: Readonly<Record<ServiceName, number>>;
  injectFault(fault: Fault): void;
  close(): Promise<void>;
}

/** Serves the routes on 127.0.0.1 at a free port; unknown paths get 404, other methods 405. */
export async function serveRoutes(routes: Route[]): Promise<RunningServer> {
  const requestCounts: Record<ServiceName, number> = { fulcio: 0, rekor: 0, tsa: 0 };
  const faults: Required<Fault>[] = [];
  const server = createServer((request, response) => {
    handle(routes, requestCounts, faults, request, response).catch((error: unknown) => {
      reply(response, 500, {
        code: 500,
        message: `test sigstore internal error: ${String(error)}`,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requestCounts,
    injectFault: (fault) => {
      if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)
        throw new Error(`fault status: expected 400-599, found ${fault.status}`);
      faults.push({ times: 1, ...fault });
    },
    close: () => closeServer(server),
  };
}

async function handle(
  routes: Route[],
  requestCounts: Record<ServiceName, number>,
  faults: Required<Fault>[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  const route = routes.find((candidate) => path === `/${candidate.service}${candidate.path}`);
  if (!route) {
    reply(response, 404, { code: 404, message: `no test sigstore endpoint at ${path}` });
    return;
  }
  if (request.method !== 'POST') {
    reply(response, 405, {
      code: 405,
      message: `${path} accepts POST, got ${request.method ?? '?'}`,
    });
    return;
  }
  requestCounts[route.service] += 1;
  const body = await readBody(request);
  const fault = faults.find((candidate) => candidate.service === route.service);
  if (fault) {
    fault.times -= 1;
    if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
    reply(response, fault.status, {
      code: fault.status,
      message: `injected fault: ${route.service} answers ${fault.status}`,
    });
    return;
  }
  const result = await route.fn(body);
  if (result.statusCode >= 400) {
    // sigstore-js reads `message` from JSON error bodies.
    reply(response, result.statusCode, {
      code: result.statusCode,
      message: String(result.response),
    });
    return;
  }
  response.writeHead(result.statusCode, {
    'Content-Type': result.contentType ?? 'application/json',
  });
  response.end(
    typeof result.response === 'string'
      ? result.response
      : Buffer.from(result.response.buffer, result.response.byteOffset, result.response.byteLength),
  );
}

function reply(
  response: ServerResponse,
  status: number,
  body: { code: number; message: string },
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
