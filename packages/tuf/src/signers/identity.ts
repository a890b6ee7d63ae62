import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { TufError } from '../errors';

/** Supplies an OIDC identity token for Fulcio. Tokens are secrets: never logged, never in errors. */
export interface IdentityTokenProvider {
  readonly description: string;
  getToken(): Promise<string>;
}

/** A token handed over by the caller (`--identity-token`, `SIGSTORE_ID_TOKEN`). */
export function staticToken(token: string): IdentityTokenProvider {
  if (!token.trim())
    throw new TufError('SIGNER', 'the identity token is empty', {
      expected: 'an OIDC token (JWT)',
      found: 'empty string',
    });
  return { description: 'given identity token', getToken: async () => token.trim() };
}

export interface GitHubActionsTokenOptions {
  audience?: string;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Attempts on network errors, 5xx and 429 (exponential backoff from `backoffMs`). */
  attempts?: number;
  backoffMs?: number;
}

/**
 * The ambient GitHub Actions OIDC token (`permissions: id-token: write`): requested from
 * ACTIONS_ID_TOKEN_REQUEST_URL with ACTIONS_ID_TOKEN_REQUEST_TOKEN, audience `sigstore`.
 */
export function githubActionsToken(options: GitHubActionsTokenOptions = {}): IdentityTokenProvider {
  const env = options.env ?? process.env;
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 3;
  return {
    description: 'GitHub Actions OIDC token',
    async getToken() {
      const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
      const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
      if (!requestUrl || !requestToken) {
        throw new TufError(
          'SIGNER',
          'no GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set (the job needs "permissions: id-token: write")',
          {
            expected: 'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN',
            found: 'unset',
          },
        );
      }
      const url = new URL(requestUrl);
      url.searchParams.set('audience', options.audience ?? 'sigstore');
      let lastProblem = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1)
          await new Promise((resolve) =>
            setTimeout(resolve, (options.backoffMs ?? 500) * 2 ** (attempt - 2)),
          );
        let response: Response;
        try {
          response = await doFetch(url, {
            headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' },
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
        } catch (error) {
          lastProblem = (error as Error).message;
          continue;
        }
        if (response.status >= 500 || response.status === 429) {
          lastProblem = `HTTP ${response.status}`;
          continue;
        }
        if (!response.ok) {
          throw new TufError(
            'SIGNER',
            `GitHub Actions OIDC token request to ${url.origin}${url.pathname} failed: HTTP ${response.status}`,
            { expected: 'HTTP 200', found: response.status },
          );
        }
        const body = (await response.json()) as { value?: unknown };
        if (typeof body.value !== 'string' || !body.value)
          throw new TufError('SIGNER', 'GitHub Actions OIDC token response has no "value"', {
            expected: 'a token in "value"',
            found: 'none',
          });
        return body.value;
      }
      throw new TufError(
        'FETCH',
        `GitHub Actions OIDC token request to ${url.origin}${url.pathname} failed after ${attempts} attempts: ${lastProblem}`,
        { found: lastProblem },
      );
    },
  };
}

export interface BrowserTokenOptions {
  /** OIDC issuer people sign in with; Sigstore's public-good Dex by default. */
  issuer?: string;
  clientId?: string;
  /** Opens the sign-in URL; by default the platform's opener (xdg-open, open, start). */
  openUrl?: (url: string) => Promise<void>;
  /** Told the URL too, so a person can open it by hand (the CLI prints it to stderr). */
  onUrl?: (url: string) => void;
  fetch?: typeof fetch;
  /** How long to wait for the person to finish signing in. */
  timeoutMs?: number;
}

export const SIGSTORE_OAUTH_ISSUER = 'https://oauth2.sigstore.dev/auth';

async function openWithPlatform(url: string): Promise<void> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new TufError(
      'SIGNER',
      'no browser available (no DISPLAY); open the printed URL by hand, pass an identity token, or sign with a key file',
      { expected: 'a graphical session', found: 'none' },
    );
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
    child.once('error', (error) =>
      reject(
        new TufError(
          'SIGNER',
          `cannot open a browser with ${command as string}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

async function jsonFrom(response: Response, what: string): Promise<Record<string, unknown>> {
  if (!response.ok)
    throw new TufError('SIGNER', `${what} failed: HTTP ${response.status}`, {
      expected: 'HTTP 200',
      found: response.status,
    });
  return (await response.json()) as Record<string, unknown>;
}

/**
 * Interactive sign-in for people, as `tuf-on-ci-sign` and cosign do it: OAuth 2.0 authorization
 * code with PKCE (S256) against the issuer's discovery document, the browser sent back to a
 * one-shot loopback server (state checked), the code exchanged for the ID token.
 */
export function browserToken(options: BrowserTokenOptions = {}): IdentityTokenProvider {
  const issuer = (options.issuer ?? SIGSTORE_OAUTH_ISSUER).replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  return {
    description: `browser sign-in at ${issuer}`,
    async getToken() {
      const discovery = await jsonFrom(
        await doFetch(`${issuer}/.well-known/openid-configuration`, {
          signal: AbortSignal.timeout(30_000),
        }),
        `OIDC discovery at ${issuer}`,
      );
      const { authorization_endpoint: authorize, token_endpoint: tokenEndpoint } = discovery;
      if (typeof authorize !== 'string' || typeof tokenEndpoint !== 'string') {
        throw new TufError(
          'SIGNER',
          `OIDC discovery at ${issuer} lacks authorization_endpoint or token_endpoint`,
          { expected: 'both endpoints', found: Object.keys(discovery) },
        );
      }
      const verifier = randomBytes(32).toString('base64url');
      const state = randomBytes(16).toString('base64url');
      // Loaded here: importing node:http as ESM touches its lazy undici getters, ~35 ms on every cold start of a verifier.
      const { createServer } = await import('node:http');
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const redirectUri = `http://localhost:${(server.address() as { port: number }).port}/auth/callback`;
      try {
        const code = new Promise<string>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new TufError('SIGNER', `sign-in at ${issuer} did not finish in time`, {
                  expected: 'a browser callback',
                }),
              ),
            options.timeoutMs ?? 300_000,
          );
          server.on('request', (req, res) => {
            const url = new URL(req.url ?? '/', redirectUri);
            if (url.pathname !== '/auth/callback') return void res.writeHead(404).end();
            const problem =
              url.searchParams.get('error') ??
              (url.searchParams.get('state') !== state
                ? 'state does not match'
                : url.searchParams.get('code')
                  ? null
                  : 'no code');
            res
              .writeHead(problem ? 400 : 200, { 'content-type': 'text/plain' })
              .end(
                problem ? `Sign-in failed: ${problem}` : 'Signed in. You may close this window.',
              );
            clearTimeout(timer);
            if (problem)
              reject(
                new TufError('SIGNER', `sign-in at ${issuer} failed: ${problem}`, {
                  found: problem,
                }),
              );
            else resolve(url.searchParams.get('code')!);
          });
        });
        const url = new URL(authorize);
        for (const [name, value] of Object.entries({
          response_type: 'code',
          client_id: options.clientId ?? 'sigstore',
          redirect_uri: redirectUri,
          scope: 'openid email',
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
          state,
          nonce: randomBytes(16).toString('base64url'),
        }))
          url.searchParams.set(name, value);
        options.onUrl?.(url.href);
        await (options.openUrl ?? openWithPlatform)(url.href);
        const body = new URLSearchParams({
          grant_type: 'authorization_code',
          code: await code,
          redirect_uri: redirectUri,
          client_id: options.clientId ?? 'sigstore',
          code_verifier: verifier,
        });
        const tokens = await jsonFrom(
          await doFetch(tokenEndpoint, {
            method: 'POST',
            body,
            signal: AbortSignal.timeout(30_000),
          }),
          `token exchange at ${tokenEndpoint}`,
        );
        if (typeof tokens.id_token !== 'string')
          throw new TufError('SIGNER', `token exchange at ${tokenEndpoint} returned no id_token`, {
            expected: 'id_token',
            found: Object.keys(tokens),
          });
        return tokens.id_token;
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
/** Fulcio maps Sigstore's Dex connectors to the upstream issuer it writes into certificates. */
const DEX_CONNECTOR_ISSUERS: Record<string, string> = {
  'https://github.com/login/oauth': 'https://github.com/login/oauth',
  github: 'https://github.com/login/oauth',
  google: 'https://accounts.google.com',
  microsoft: 'https://login.microsoftonline.com',
};

export interface TokenIdentity {
  identity: string;
  issuer: string;
}

/** The claims of a JWT, unverified: Fulcio verifies the token; this only predicts the certificate. */
function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload)
    throw new TufError('SIGNER', 'the identity token is not a JWT', {
      expected: 'header.payload.signature',
      found: `${token.split('.').length} parts`,
    });
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    throw new TufError('SIGNER', 'the identity token payload is not JSON', {
      expected: 'JWT claims',
    });
  }
}

/**
 * The identity and issuer Fulcio will put in the certificate for this token: GitHub Actions
 * tokens give the workflow ref URI, others the verified email; Sigstore's Dex federation
 * reports the upstream issuer.
 */
export function identityFromToken(token: string): TokenIdentity {
  const claims = jwtClaims(token);
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  if (iss === GITHUB_ACTIONS_ISSUER) {
    if (typeof claims.job_workflow_ref !== 'string')
      throw new TufError('SIGNER', 'GitHub Actions token has no job_workflow_ref claim', {
        expected: 'job_workflow_ref',
        found: 'none',
      });
    return { identity: `https://github.com/${claims.job_workflow_ref}`, issuer: iss };
  }
  if (typeof claims.email !== 'string' || claims.email_verified === false) {
    throw new TufError(
      'SIGNER',
      'identity token has no verified email claim; give the identity explicitly',
      { expected: 'email and email_verified', found: Object.keys(claims) },
    );
  }
  const connector = (claims.federated_claims as { connector_id?: unknown } | undefined)
    ?.connector_id;
  const issuer = typeof connector === 'string' ? (DEX_CONNECTOR_ISSUERS[connector] ?? iss) : iss;
  return { identity: claims.email, issuer };
}
