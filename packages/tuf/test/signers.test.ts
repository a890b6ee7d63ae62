import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  emailIdentity,
  githubActionsIdentity,
  startTestSigstore,
  type TestSigstore,
} from '@oci-sd/test-sigstore';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf, gitSync } from '@oci-sd/test-support';
import {
  TufError,
  addReleaseTarget,
  browserToken,
  canonicalize,
  githubActionsToken,
  identityFromToken,
  inviteSigner,
  keyIdOf,
  keySigner,
  onlineSign,
  signEvent,
  signingEventStatus,
  sigstoreSigner,
  staticToken,
  verifySignature,
  type TufKey,
} from '../src/index';
import { createTufRepo, newSigner, type TestTufRepo } from './support/git-repo';

const payload = canonicalize({ _type: 'targets', version: 2 });

function fakeJwt(claims: Record<string, unknown>): string {
  return `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
}

describe('key-file signers', () => {
  it.each([
    ['ed25519', 'ed25519', 'ed25519'],
    ['p256', 'ecdsa', 'ecdsa-sha2-nistp256'],
    ['p384', 'ecdsa', 'ecdsa-sha2-nistp384'],
  ] as const)(
    '%s: signatures verify with the key they publish, and not over other bytes',
    async (kind, keytype, scheme) => {
      const { signer } = newSigner(kind);
      const key = await signer.publicKey();
      expect(key).toMatchObject({ keytype, scheme });
      const signature = { keyid: keyIdOf(key), ...(await signer.sign(payload)) };
      expect(signature.sig).toMatch(/^[0-9a-f]+$/);
      expect(verifySignature(key, signature, payload)).toEqual({ valid: true });
      expect(
        verifySignature(key, signature, canonicalize({ _type: 'targets', version: 3 })).valid,
      ).toBe(false);
      expect(
        verifySignature(await newSigner(kind).signer.publicKey(), signature, payload).valid,
      ).toBe(false);
    },
  );

  it('reads encrypted keys with the passphrase and refuses a wrong one', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-384' })
      .privateKey.export({
        format: 'pem',
        type: 'pkcs8',
        cipher: 'aes-256-cbc',
        passphrase: 'open sesame',
      })
      .toString();
    expect((await keySigner(pem, { passphrase: 'open sesame' }).publicKey()).scheme).toBe(
      'ecdsa-sha2-nistp384',
    );
    expect(() => keySigner(pem, { passphrase: 'wrong' })).toThrow(/not a usable PEM private key/);
  });

  it('refuses key types TUF-on-CI signers do not use', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() => keySigner(rsa)).toThrow(/rsa keys are not supported/);
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() => keySigner(secp256k1)).toThrow(/curve secp256k1 is not supported/);
  });
});

describe('identity tokens', () => {
  it('predicts the certificate identity Fulcio issues', () => {
    expect(
      identityFromToken(
        fakeJwt({
          iss: 'https://token.actions.githubusercontent.com',
          job_workflow_ref: 'o/r/.github/workflows/online-sign.yml@refs/heads/main',
        }),
      ),
    ).toEqual({
      identity: 'https://github.com/o/r/.github/workflows/online-sign.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    expect(
      identityFromToken(
        fakeJwt({
          iss: 'https://oauth2.sigstore.dev/auth',
          email: 'a@b.c',
          email_verified: true,
          federated_claims: { connector_id: 'https://github.com/login/oauth' },
        }),
      ),
    ).toEqual({
      identity: 'a@b.c',
      issuer: 'https://github.com/login/oauth',
    });
    expect(() =>
      identityFromToken(fakeJwt({ iss: 'https://x', email: 'a@b.c', email_verified: false })),
    ).toThrow(/no verified email/);
    expect(() => identityFromToken('not-a-jwt')).toThrow(/not a JWT/);
    expect(() => staticToken('  ')).toThrow(/empty/);
  });

  describe('browser sign-in (authorization code + PKCE, loopback redirect)', () => {
    let issuer: Server;
    let base: string;
    let challenge = '';
    let callbackState: (state: string) => string = (state) => state;
    let denied = false;
    let exchanges = 0;
    const idToken = fakeJwt({
      iss: 'https://oauth2.sigstore.dev/auth',
      email: 'dave@example.test',
      email_verified: true,
      federated_claims: { connector_id: 'https://github.com/login/oauth' },
    });
    beforeAll(async () => {
      issuer = createServer((req, res) => {
        const url = new URL(req.url ?? '/', base);
        if (url.pathname === '/.well-known/openid-configuration') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              authorization_endpoint: `${base}/authorize`,
              token_endpoint: `${base}/token`,
            }),
          );
        } else if (url.pathname === '/authorize') {
          challenge = url.searchParams.get('code_challenge') ?? '';
          const back = new URL(url.searchParams.get('redirect_uri')!);
          if (denied) back.searchParams.set('error', 'access_denied');
          else back.searchParams.set('code', 'the-code');
          back.searchParams.set('state', callbackState(url.searchParams.get('state')!));
          res.writeHead(302, { location: back.href }).end();
        } else if (url.pathname === '/token' && req.method === 'POST') {
          let body = '';
          req.on('data', (chunk) => (body += String(chunk)));
          req.on('end', () => {
            exchanges++;
            const form = new URLSearchParams(body);
            const ok =
              form.get('code') === 'the-code' &&
              form.get('grant_type') === 'authorization_code' &&
              createHash('sha256')
                .update(form.get('code_verifier') ?? '')
                .digest('base64url') === challenge;
            res
              .writeHead(ok ? 200 : 400, { 'content-type': 'application/json' })
              .end(JSON.stringify(ok ? { id_token: idToken } : { error: 'invalid_grant' }));
          });
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => issuer.close(() => resolve())));
    afterEach(() => {
      callbackState = (state) => state;
      denied = false;
      exchanges = 0;
    });

    // The "browser": follows the issuer's redirect back to the loopback callback.
    const browser = async (url: string) => {
      void fetch(url).catch(() => undefined);
    };

    it('gets the ID token, proving the PKCE verifier, and tells the URL', async () => {
      const shown: string[] = [];
      const token = await browserToken({
        issuer: base,
        openUrl: browser,
        onUrl: (url) => shown.push(url),
      }).getToken();
      expect(token).toBe(idToken);
      expect(exchanges).toBe(1);
      expect(shown[0]).toMatch(
        new RegExp(
          `^${base}/authorize\\?response_type=code&client_id=sigstore&redirect_uri=http%3A%2F%2Flocalhost%3A\\d+%2Fauth%2Fcallback&scope=openid\\+email&code_challenge=`,
        ),
      );
      expect(identityFromToken(token)).toEqual({
        identity: 'dave@example.test',
        issuer: 'https://github.com/login/oauth',
      });
    });

    it('refuses a callback whose state does not match, and a denied sign-in', async () => {
      callbackState = () => 'forged';
      expect(
        (await rejectionOf(browserToken({ issuer: base, openUrl: browser }).getToken(), TufError))
          .message,
      ).toContain('state does not match');
      callbackState = (state) => state;
      denied = true;
      expect(
        (await rejectionOf(browserToken({ issuer: base, openUrl: browser }).getToken(), TufError))
          .message,
      ).toContain('access_denied');
      expect(exchanges).toBe(0);
    });

    it('says so when no browser can be opened', async () => {
      const error = await rejectionOf(
        browserToken({
          issuer: base,
          openUrl: async () => {
            throw new TufError('SIGNER', 'no browser available');
          },
        }).getToken(),
        TufError,
      );
      expect(error.message).toBe('no browser available');
    });
  });

  describe('GitHub Actions token', () => {
    let server: Server;
    let url: string;
    let requests: Array<{ auth: string | undefined; audience: string | null }> = [];
    let statuses: number[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        requests.push({
          auth: req.headers.authorization,
          audience: new URL(req.url ?? '/', 'http://x').searchParams.get('audience'),
        });
        const status = statuses.shift() ?? 200;
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(status === 200 ? JSON.stringify({ value: 'the.oidc.token' }) : '{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    afterEach(() => {
      requests = [];
      statuses = [];
    });

    it('asks for audience sigstore with the request token, retrying 5xx and 429', async () => {
      statuses = [503, 429];
      const provider = githubActionsToken({
        env: { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req-secret' },
        backoffMs: 1,
      });
      expect(await provider.getToken()).toBe('the.oidc.token');
      expect(requests).toEqual(Array(3).fill({ auth: 'Bearer req-secret', audience: 'sigstore' }));
    });

    it('gives up after the attempts, and fails at once on 403, never showing the request token', async () => {
      statuses = [500, 500, 500];
      const env = {
        ACTIONS_ID_TOKEN_REQUEST_URL: url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req-secret',
      };
      const exhausted = await rejectionOf(
        githubActionsToken({ env, backoffMs: 1 }).getToken(),
        TufError,
      );
      expect(exhausted.code).toBe('FETCH');
      expect(requests).toHaveLength(3);
      statuses = [403];
      const denied = await rejectionOf(
        githubActionsToken({ env, backoffMs: 1 }).getToken(),
        TufError,
      );
      expect(denied.code).toBe('SIGNER');
      expect(requests).toHaveLength(4);
      expect(`${exhausted.message}${denied.message}`).not.toContain('req-secret');
      expect(
        (await rejectionOf(githubActionsToken({ env: {} }).getToken(), TufError)).message,
      ).toContain('id-token: write');
    });
  });
});

describe('Sigstore signer against the local test Sigstore instance', () => {
  let sigstore: TestSigstore;
  let repo: TestTufRepo | undefined;
  beforeAll(async () => {
    sigstore = await startTestSigstore();
  });
  afterAll(async () => {
    await sigstore.stop();
  });
  afterEach(() => {
    repo?.cleanup();
    repo = undefined;
  });

  const signerFor = (identity: ReturnType<typeof emailIdentity>, tsa = false) =>
    sigstoreSigner({
      token: staticToken(sigstore.identityToken(identity)),
      fulcioUrl: sigstore.fulcioURL,
      rekorUrl: sigstore.rekorURL,
      ...(tsa ? { tsaUrl: sigstore.tsaURL } : {}),
      trustedRoot: sigstore.trustedRoot,
    });

  it('signs with a Fulcio certificate and a Rekor entry; exact identity and trusted root are enforced', async () => {
    const signer = signerFor(emailIdentity('alice@example.test'), true);
    const key = await signer.publicKey();
    expect(key).toEqual({
      keytype: 'sigstore-oidc',
      scheme: 'Fulcio',
      keyval: { identity: 'alice@example.test', issuer: 'https://github.com/login/oauth' },
    });
    const material = await signer.sign(payload);
    const bundle = material.bundle as {
      mediaType: string;
      verificationMaterial: {
        tlogEntries: unknown[];
        timestampVerificationData?: { rfc3161Timestamps?: unknown[] };
      };
    };
    expect(bundle.verificationMaterial.tlogEntries).toHaveLength(1);
    expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(
      1,
    );
    const signature = { keyid: keyIdOf(key), ...material };
    expect(
      verifySignature(key, signature, payload, { sigstoreTrustedRoot: sigstore.trustedRoot }),
    ).toEqual({ valid: true });
    expect(
      verifySignature(key, signature, canonicalize({ other: 1 }), {
        sigstoreTrustedRoot: sigstore.trustedRoot,
      }).valid,
    ).toBe(false);
    const impostor: TufKey = { ...key, keyval: { ...key.keyval, identity: 'alice@example.tes' } };
    expect(
      verifySignature(impostor, signature, payload, { sigstoreTrustedRoot: sigstore.trustedRoot })
        .valid,
    ).toBe(false);
    expect(verifySignature(key, signature, payload).valid).toBe(false);
  });

  it('runs a whole keyless release event: invite accepted with a sigstore-oidc key, signatures verified, online signing with the Actions token', async () => {
    const onlineIdentity = githubActionsIdentity({
      repository: 'acme/app-tuf-on-ci',
      workflowPath: '.github/workflows/online-sign.yml',
      ref: 'refs/heads/main',
      sha: 'a'.repeat(40),
    });
    const alice = signerFor(emailIdentity('alice@example.test'));
    const online = signerFor(onlineIdentity);
    repo = await createTufRepo({ alice, online });

    const manifest = {
      project: 'app',
      repository: 'acme/app',
      tag: 'v2.0.0',
      image: 'ghcr.io/acme/app',
      digest: `sha256:${'ab'.repeat(32)}`,
      runId: 77,
      createdAt: '2026-05-01T10:00:00Z',
    };
    await addReleaseTarget(repo.dir, { manifest });
    const signed = await signEvent(repo.dir, 'sign/release-2-0-0-77', alice, { user: '@alice' });
    expect(signed.signed).toEqual(['targets']);
    const status = await signingEventStatus(repo.dir, {
      sigstoreTrustedRoot: sigstore.trustedRoot,
    });
    expect(status.complete).toBe(true);
    const publicGood = await signingEventStatus(repo.dir);
    expect(publicGood.complete).toBe(false);
    expect(publicGood.roles[0]!.invalid[0]!.reason).toMatch(/does not verify/);

    await inviteSigner(repo.dir, { role: 'targets', user: '@carol', base: 'main' });
    const carol = signerFor(emailIdentity('carol@example.test', 'https://accounts.google.com'));
    const accepted = await signEvent(repo.dir, 'sign/add-signer-carol', carol, { user: '@carol' });
    expect(accepted.accepted).toEqual(['targets']);
    const carolKey = {
      keytype: 'sigstore-oidc',
      scheme: 'Fulcio',
      keyval: { identity: 'carol@example.test', issuer: 'https://accounts.google.com' },
      'x-tuf-on-ci-keyowner': '@carol',
    };
    const root = JSON.parse(readFileSync(`${repo.dir}/metadata/root.json`, 'utf8')) as {
      signed: { keys: Record<string, unknown> };
    };
    expect(root.signed.keys[keyIdOf(carolKey)]).toEqual(carolKey);

    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', 'sign/release-2-0-0-77');

    const tokenServer = createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ value: sigstore.identityToken(onlineIdentity) })),
    );
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    try {
      const env = {
        ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/t`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x',
      };
      const ci = sigstoreSigner({
        token: githubActionsToken({ env }),
        fulcioUrl: sigstore.fulcioURL,
        rekorUrl: sigstore.rekorURL,
        trustedRoot: sigstore.trustedRoot,
      });
      expect((await ci.publicKey()).keyval).toEqual({
        identity: onlineIdentity.subjectAlternativeName,
        issuer: onlineIdentity.issuer,
      });
      expect(await onlineSign(repo.dir, ci)).toMatchObject({ snapshot: 2, timestamp: 2 });
      const stranger = signerFor(emailIdentity('mallory@example.test'));
      expect(
        (await rejectionOf(onlineSign(repo.dir, stranger, { force: true }), TufError)).code,
      ).toBe('SIGNER');
    } finally {
      await new Promise<void>((resolve) => tokenServer.close(() => resolve()));
    }
  });
});
