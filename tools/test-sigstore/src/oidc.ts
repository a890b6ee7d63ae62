import { generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Claims, TestIdentity } from './identity';

/** Audience sigstore clients request and Fulcio requires. */
export const SIGSTORE_AUDIENCE = 'sigstore';
const TOKEN_LIFETIME_SECONDS = 600;

/**
 * The instance's OIDC provider: mints ES256 JWTs for test identities and checks them the way
 * Fulcio checks a real provider's tokens (signature, audience, time window).
 */
export class TestOidcProvider {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(private readonly now: () => Date) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  mint(identity: TestIdentity): string {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const header = { alg: 'ES256', typ: 'JWT' };
    const payload = {
      ...identity.claims,
      iss: identity.issuer,
      aud: SIGSTORE_AUDIENCE,
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + TOKEN_LIFETIME_SECONDS,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /** Returns the claims of a token this provider minted and that is valid now; throws otherwise. */
  verify(token: string): Claims {
    const [header, payload, signature, ...rest] = token.split('.');
    if (
      header === undefined ||
      payload === undefined ||
      signature === undefined ||
      rest.length > 0
    ) {
      throw new Error('identity token is not a compact JWS (expected 3 dot-separated parts)');
    }
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: this.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!valid)
      throw new Error('identity token signature does not verify with the test OIDC provider key');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(SIGSTORE_AUDIENCE)) {
      throw new Error(
        `identity token audience: expected "${SIGSTORE_AUDIENCE}", found ${JSON.stringify(claims.aud)}`,
      );
    }
    const now = Math.floor(this.now().getTime() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now)
      throw new Error(`identity token expired (exp ${String(claims.exp)}, now ${now})`);
    if (typeof claims.nbf === 'number' && claims.nbf > now)
      throw new Error(`identity token not valid yet (nbf ${claims.nbf}, now ${now})`);
    return claims as Claims;
  }

  /** PEM of the token signing key, for tests that want to check tokens themselves. */
  get publicKeyPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
