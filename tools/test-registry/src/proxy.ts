import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with one request; `undefined` forwards it untouched. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** Destroys the connection without a response. */
  | { kind: 'drop' }
  /** Forwards, then flips one byte of the response body (headers, including Docker-Content-Digest, kept). */
  | { kind: 'tamper' };

export interface ProxyOptions {
  /** Decides per registry request that passed the auth gate (`n` counts those from 1). */
  fault?: (request: { method: string; path: string; n: number }) => Fault | undefined;
  /** Bearer auth in front of the registry, the GHCR way: 401 + challenge, `/token` hands out tokens. */
  auth?: {
    /** When set, `/token` requires these basic credentials (otherwise anonymous pull tokens). */
    basic?: { username: string; password: string };
    service: string;
  };
}

export interface RegistryProxy {
  url: string;
  host: string;
  /** Requests seen, including `/token`. */
  readonly log: { method: string; path: string; authorization?: string }[];
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a real registry, for faults (5xx, hangs, dropped connections,
 * altered bytes) and a bearer token flow. Tokens are random per proxy, scoped to the actions asked.
 */
export async function startRegistryProxy(
  upstream: string,
  options: ProxyOptions = {},
): Promise<RegistryProxy> {
  const log: RegistryProxy['log'] = [];
  const sockets = new Set<Socket>();
  const tokens = new Map<string, string>();
  let count = 0;
  let url = '';

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, tamper: boolean) => {
    const target = new URL(req.url ?? '/', upstream);
    const headers = { ...req.headers, host: target.host };
    delete headers.authorization;
    const upstreamRequest = httpRequest(
      target,
      { method: req.method, headers },
      (upstreamResponse) => {
        const chunks: Buffer[] = [];
        upstreamResponse.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamResponse.on('end', () => {
          const responseBody = Buffer.concat(chunks);
          if (tamper && responseBody.length > 0) responseBody[responseBody.length - 2]! ^= 0x01;
          const responseHeaders = { ...upstreamResponse.headers };
          // Upload locations point at the upstream; rewrite them through the proxy.
          if (typeof responseHeaders.location === 'string')
            responseHeaders.location = responseHeaders.location.replace(upstream, url);
          res.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
          res.end(req.method === 'HEAD' ? undefined : responseBody);
        });
      },
    );
    upstreamRequest.on('error', () => res.destroy());
    upstreamRequest.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const authorization = req.headers.authorization;
      log.push({
        method: req.method ?? 'GET',
        path,
        ...(authorization === undefined ? {} : { authorization }),
      });
      if (options.auth && path.startsWith('/token')) return issueToken(req, res, path);
      if (
        options.auth &&
        path.startsWith('/v2/') &&
        !authorized(authorization, req.method ?? 'GET')
      ) {
        const repository =
          /^\/v2\/(.+?)\/(?:manifests|blobs|referrers|tags)\//.exec(path)?.[1] ?? '';
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${url}/token",service="${options.auth.service}",scope="repository:${repository}:pull"`,
          'content-type': 'application/json',
        });
        return res.end(
          JSON.stringify({
            errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
          }),
        );
      }
      count += 1;
      const fault = options.fault?.({ method: req.method ?? 'GET', path, n: count });
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'drop') return req.socket.destroy();
      if (fault?.kind === 'status') {
        res.writeHead(fault.status, fault.headers ?? {});
        return res.end(fault.body);
      }
      forward(req, res, Buffer.concat(chunks), fault?.kind === 'tamper');
    });
  });

  const authorized = (authorization: string | undefined, method: string): boolean => {
    const actions = authorization?.startsWith('Bearer ')
      ? tokens.get(authorization.slice(7))
      : undefined;
    if (actions === undefined) return false;
    return method === 'GET' || method === 'HEAD' || actions.includes('push');
  };

  const issueToken = (req: IncomingMessage, res: ServerResponse, path: string) => {
    const query = new URL(path, url).searchParams;
    const scope = query.get('scope') ?? '';
    const basic = options.auth!.basic;
    const given = req.headers.authorization?.startsWith('Basic ')
      ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString()
      : undefined;
    if (
      query.get('service') !== options.auth!.service ||
      !/^repository:[^:]+:(pull|pull,push)$/.test(scope)
    ) {
      res.writeHead(400);
      return res.end();
    }
    if (basic && given !== `${basic.username}:${basic.password}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    if (!basic && scope.endsWith('push')) {
      res.writeHead(403);
      return res.end();
    }
    const token = `t-${Math.random().toString(36).slice(2)}-${tokens.size}`;
    tokens.set(token, scope.split(':')[2]!);
    res.writeHead(200, { 'content-type': 'application/json' });
    // GHCR answers `token`, Docker Hub both; alternate to exercise both field names.
    res.end(JSON.stringify(tokens.size % 2 === 0 ? { access_token: token } : { token }));
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  return {
    url,
    host: `127.0.0.1:${port}`,
    log,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
