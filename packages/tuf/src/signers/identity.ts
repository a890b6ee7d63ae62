import { TufError } from '../errors';

/** Supplies an OIDC identity token for Fulcio. Tokens are secrets: never logged, never in errors. */
export interface IdentityTokenProvider {
  readonly description: string;
  getToken(): Promise<string>;
}

/** A token handed over by the caller (`--identity-token`, `SIGSTORE_ID_TOKEN`). */
export function staticToken(token: string): IdentityTokenProvider {
  if (!token.trim()) throw new TufError('SIGNER', 'the identity token is empty', { expected: 'an OIDC token (JWT)', found: 'empty string' });
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
        throw new TufError('SIGNER', 'no GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set (the job needs "permissions: id-token: write")', {
          expected: 'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN',
          found: 'unset',
        });
      }
      const url = new URL(requestUrl);
      url.searchParams.set('audience', options.audience ?? 'sigstore');
      let lastProblem = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 500) * 2 ** (attempt - 2)));
        let response: Response;
        try {
          response = await doFetch(url, { headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
        } catch (error) {
          lastProblem = (error as Error).message;
          continue;
        }
        if (response.status >= 500 || response.status === 429) {
          lastProblem = `HTTP ${response.status}`;
          continue;
        }
        if (!response.ok) {
          throw new TufError('SIGNER', `GitHub Actions OIDC token request to ${url.origin}${url.pathname} failed: HTTP ${response.status}`, { expected: 'HTTP 200', found: response.status });
        }
        const body = (await response.json()) as { value?: unknown };
        if (typeof body.value !== 'string' || !body.value) throw new TufError('SIGNER', 'GitHub Actions OIDC token response has no "value"', { expected: 'a token in "value"', found: 'none' });
        return body.value;
      }
      throw new TufError('FETCH', `GitHub Actions OIDC token request to ${url.origin}${url.pathname} failed after ${attempts} attempts: ${lastProblem}`, { found: lastProblem });
    },
  };
}

/**
 * Interactive sign-in for people (`tuf-on-ci-sign` opens a browser). This build has no browser
 * flow; the provider says so clearly and names the ways that work.
 */
export function browserToken(): IdentityTokenProvider {
  return {
    description: 'browser sign-in',
    async getToken() {
      throw new TufError('SIGNER', 'interactive browser sign-in is not available in this build; pass an identity token (--identity-token or SIGSTORE_ID_TOKEN), run in GitHub Actions with id-token: write, or sign with a key file', {
        expected: 'an identity token source',
        found: 'browser flow',
      });
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
  if (!payload) throw new TufError('SIGNER', 'the identity token is not a JWT', { expected: 'header.payload.signature', found: `${token.split('.').length} parts` });
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new TufError('SIGNER', 'the identity token payload is not JSON', { expected: 'JWT claims' });
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
    if (typeof claims.job_workflow_ref !== 'string') throw new TufError('SIGNER', 'GitHub Actions token has no job_workflow_ref claim', { expected: 'job_workflow_ref', found: 'none' });
    return { identity: `https://github.com/${claims.job_workflow_ref}`, issuer: iss };
  }
  if (typeof claims.email !== 'string' || claims.email_verified === false) {
    throw new TufError('SIGNER', 'identity token has no verified email claim; give the identity explicitly', { expected: 'email and email_verified', found: Object.keys(claims) });
  }
  const connector = (claims.federated_claims as { connector_id?: unknown } | undefined)?.connector_id;
  const issuer = typeof connector === 'string' ? (DEX_CONNECTOR_ISSUERS[connector] ?? iss) : iss;
  return { identity: claims.email, issuer };
}
