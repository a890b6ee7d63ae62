import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '@oci-sd/test-support';
import { discoverSignatures } from '../src/cosign/discover';
import type { Digest } from '../src/types';
import {
  registryAvailable,
  startRegistry,
  startRegistryProxy,
  type ProxyOptions,
  type RegistryProxy,
  type TestRegistry,
} from '@oci-sd/test-registry';
import { VerificationError } from '../src/errors';
import {
  attachReferrerBundle,
  OciError,
  RequestCounter,
  pushImage,
  type PushedImage,
  RegistrySource,
  type RegistrySourceOptions,
} from '@oci-sd/oci';

const skipReason = registryAvailable()
  ? ''
  : ' (skipped: /usr/bin/docker-registry not installed; apt-get install docker-registry)';
// Short backoff keeps fault tests quick; the timeout stays generous for a loaded machine.
const FAST: RegistrySourceOptions = { retries: 2, backoffMs: 5, timeoutMs: 10_000 };
const SECRET_PASSWORD = 'pw-7f3a9c-never-print';

describe.skipIf(!registryAvailable())(
  `registry client against faults, tampering and auth${skipReason}`,
  () => {
    let registry: TestRegistry;
    let image: PushedImage;
    let proxy: RegistryProxy | undefined;
    const bundleBytes = { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' };

    beforeAll(async () => {
      registry = await startRegistry();
      const direct = new RegistrySource(registry.host, 'acme/app');
      image = await pushImage(direct, {
        tag: 'v1',
        platforms: [{ os: 'linux', architecture: 'amd64', files: { 'bin/app': 'app' } }],
      });
      // A structurally valid (unverifiable) bundle is enough for transport tests.
      await attachReferrerBundle(direct, image.digest, {
        ...bundleBytes,
        verificationMaterial: {
          publicKey: { hint: 'k' },
          tlogEntries: [],
          timestampVerificationData: undefined,
        },
        messageSignature: {
          messageDigest: { algorithm: 'SHA2_256', digest: Buffer.alloc(32).toString('base64') },
          signature: Buffer.from('sig').toString('base64'),
        },
      } as never);
    });
    afterAll(async () => {
      await registry?.stop();
    });
    afterEach(async () => {
      await proxy?.stop();
      proxy = undefined;
    });

    async function through(
      options: ProxyOptions,
      sourceOptions: RegistrySourceOptions = FAST,
    ): Promise<RegistrySource> {
      proxy = await startRegistryProxy(registry.url, options);
      return new RegistrySource(registry.host, 'acme/app', {
        ...sourceOptions,
        baseUrl: proxy.url,
      });
    }

    describe('altered bytes', () => {
      it('rejects a manifest fetched by digest whose bytes changed', async () => {
        const source = await through({
          fault: ({ path }) =>
            path.includes('/manifests/sha256:') ? { kind: 'tamper' } : undefined,
        });
        const error = await rejectionOf(source.manifest(image.digest), OciError);
        expect(error.code).toBe('DIGEST_MISMATCH');
        expect(error.expected).toBe(image.digest);
        expect(error.message).toContain(`manifest ${registry.host}/acme/app@${image.digest}`);
      });

      it('rejects a tag whose bytes no longer hash to Docker-Content-Digest', async () => {
        const source = await through({
          fault: ({ path }) => (path.endsWith('/manifests/v1') ? { kind: 'tamper' } : undefined),
        });
        const error = await rejectionOf(source.resolve('v1'), OciError);
        expect(error.code).toBe('DIGEST_MISMATCH');
        expect(error.expected).toBe(image.digest);
      });

      it('rejects a blob whose bytes changed, and a blob of the wrong size', async () => {
        const [platform] = image.platforms;
        const direct = new RegistrySource(registry.host, 'acme/app');
        const manifest = JSON.parse((await direct.manifest(platform!.digest)).bytes.toString());
        const layer = manifest.layers[0] as { digest: Digest; size: number };
        const source = await through({
          fault: ({ path }) => (path.includes('/blobs/') ? { kind: 'tamper' } : undefined),
        });
        expect((await rejectionOf(source.blob(layer.digest, layer.size), OciError)).code).toBe(
          'DIGEST_MISMATCH',
        );
        expect((await rejectionOf(direct.blob(layer.digest, layer.size + 1), OciError)).code).toBe(
          'DIGEST_MISMATCH',
        );
      });

      it('rejects a referrer bundle blob that changed in transit', async () => {
        const source = await through({
          fault: ({ path }) => (path.includes('/blobs/') ? { kind: 'tamper' } : undefined),
        });
        expect(
          (await rejectionOf(discoverSignatures(source, image.digest), VerificationError)).code,
        ).toBe('DIGEST_MISMATCH');
      });
    });

    describe('faults', () => {
      it('retries 503 and 429 and then succeeds, counting every request', async () => {
        const source = await through({
          fault: ({ n }) =>
            n === 1
              ? { kind: 'status', status: 503 }
              : n === 2
                ? { kind: 'status', status: 429, headers: { 'retry-after': '0' } }
                : undefined,
        });
        const resolved = await source.resolve('v1');
        expect(resolved.digest).toBe(image.digest);
        expect(source.client.counter.requests).toBe(3);
        expect(source.client.counter.roundTrips).toBe(3);
      });

      it('reports a registry that keeps failing as REGISTRY after the retries', async () => {
        const source = await through({ fault: () => ({ kind: 'status', status: 500 }) });
        const error = await rejectionOf(source.resolve('v1'), OciError);
        expect(error.code).toBe('REGISTRY');
        expect(error.message).toMatch(/HTTP 500 after 3 attempts/);
        expect(proxy!.log).toHaveLength(3);
      });

      it('times out a hanging registry and reports REGISTRY', async () => {
        const source = await through(
          { fault: () => ({ kind: 'hang' }) },
          { retries: 1, backoffMs: 5, timeoutMs: 300 },
        );
        const error = await rejectionOf(source.manifest(image.digest), OciError);
        expect(error.code).toBe('REGISTRY');
        expect(error.message).toMatch(/timed out after 2 attempts/);
      });

      it('retries a dropped connection', async () => {
        const source = await through({
          fault: ({ n }) => (n === 1 ? { kind: 'drop' } : undefined),
        });
        expect((await source.manifest(image.digest)).digest).toBe(image.digest);
        expect(proxy!.log).toHaveLength(2);
      });

      it('reports connections dropped every time as REGISTRY, never as found or not found', async () => {
        const source = await through({ fault: () => ({ kind: 'drop' }) });
        const error = await rejectionOf(
          discoverSignatures(source, image.digest),
          VerificationError,
        );
        expect(error.code).toBe('REGISTRY');
      });

      it('maps a 404 tag to undefined, a missing digest to NOT_FOUND, and a 403 to REGISTRY', async () => {
        const direct = new RegistrySource(registry.host, 'acme/app');
        expect(await direct.manifestByTag('no-such-tag')).toBeUndefined();
        expect(
          (await rejectionOf(direct.manifest(`sha256:${'0'.repeat(64)}`), OciError)).code,
        ).toBe('NOT_FOUND');
        const source = await through({ fault: () => ({ kind: 'status', status: 403 }) });
        expect((await rejectionOf(source.manifestByTag('v1'), OciError)).code).toBe('REGISTRY');
      });
    });

    describe('referrers', () => {
      it('falls back to the sha256-<hex> tag once the API answers 404, and remembers it', async () => {
        const counter = new RequestCounter();
        const source = new RegistrySource(registry.host, 'acme/app', { counter });
        const first = await source.referrers(image.digest);
        expect(first).toHaveLength(1);
        expect(first[0]!.artifactType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
        expect(counter.requests).toBe(2);
        expect(await source.referrers(image.digest)).toEqual(first);
        expect(counter.requests).toBe(3);
      });

      it('uses the referrers API when the registry has one, and stops reading the fallback tag', async () => {
        // docker-registry 2.8 has no API: the proxy answers it with an empty index, as a 1.1 registry would.
        const empty = {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [],
        };
        const source = await through({
          fault: ({ path }) =>
            path.includes('/referrers/')
              ? {
                  kind: 'status',
                  status: 200,
                  body: JSON.stringify(empty),
                  headers: { 'content-type': empty.mediaType },
                }
              : undefined,
        });
        // The API's answer wins over the fallback tag (which lists the bundle) read alongside it.
        expect(await source.referrers(image.digest)).toEqual([]);
        expect(proxy!.log.map((r) => r.path).sort()).toEqual([
          `/v2/acme/app/manifests/sha256-${image.digest.slice(7)}`,
          `/v2/acme/app/referrers/${image.digest}`,
        ]);
        expect(await source.referrers(image.digest)).toEqual([]);
        expect(proxy!.log.map((r) => r.path).slice(2)).toEqual([
          `/v2/acme/app/referrers/${image.digest}`,
        ]);
      });

      it('counts discovery as parallel round trips', async () => {
        const counter = new RequestCounter();
        const source = new RegistrySource(registry.host, 'acme/app', { counter });
        const found = await discoverSignatures(source, image.digest);
        expect(found).toHaveLength(1);
        // referrers API, fallback tag, .sig and .att in parallel; then the referrer manifest; then its bundle blob.
        expect(counter.requests).toBe(6);
        expect(counter.roundTrips).toBe(3);
      });
    });

    describe('not one candidate: these still fail the whole discovery', () => {
      it('a registry failure reading one referrer manifest is REGISTRY (exit 3), never a malformed candidate', async () => {
        const [referrer] = await new RegistrySource(registry.host, 'acme/app').referrers(
          image.digest,
        );
        const source = await through({
          fault: ({ path }) =>
            path.endsWith(`/manifests/${referrer!.digest}`)
              ? { kind: 'status', status: 503 }
              : undefined,
        });
        expect(
          (await rejectionOf(discoverSignatures(source, image.digest), VerificationError)).code,
        ).toBe('REGISTRY');
      });

      it("a referrers API answer that is not an index is MALFORMED for the whole discovery: it is the registry's answer", async () => {
        const source = await through({
          fault: ({ path }) =>
            path.includes('/referrers/')
              ? {
                  kind: 'status',
                  status: 200,
                  headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
                  body: '{"schemaVersion": 2, "manifests": {}}',
                }
              : undefined,
        });
        const error = await rejectionOf(
          discoverSignatures(source, image.digest),
          VerificationError,
        );
        expect(error.code).toBe('MALFORMED');
        expect(error.message).toContain(`referrers of ${image.digest}`);
      });

      it('a referrer manifest served as garbage under its digest is DIGEST_MISMATCH, not a candidate', async () => {
        const [referrer] = await new RegistrySource(registry.host, 'acme/app').referrers(
          image.digest,
        );
        const source = await through({
          fault: ({ path }) =>
            path.endsWith(`/manifests/${referrer!.digest}`) ? { kind: 'tamper' } : undefined,
        });
        expect(
          (await rejectionOf(discoverSignatures(source, image.digest), VerificationError)).code,
        ).toBe('DIGEST_MISMATCH');
      });
    });

    describe('bearer token flow', () => {
      it('pulls anonymously: 401 challenge, token from the realm with service and scope, then the manifest', async () => {
        const source = await through({ auth: { service: 'test-registry' } });
        expect((await source.resolve('v1')).digest).toBe(image.digest);
        expect(proxy!.log.map((r) => r.path.replace(/\?.*/, '?'))).toEqual([
          '/v2/acme/app/manifests/v1',
          '/token?',
          '/v2/acme/app/manifests/v1',
        ]);
        const tokenRequest = new URL(proxy!.log[1]!.path, proxy!.url);
        expect(tokenRequest.searchParams.get('service')).toBe('test-registry');
        expect(tokenRequest.searchParams.get('scope')).toBe('repository:acme/app:pull');
        // The token is reused: one more request, no new token.
        await source.manifest(image.digest);
        expect(proxy!.log).toHaveLength(4);
        expect(proxy!.log[3]!.authorization).toMatch(/^Bearer t-/);
      });

      it('shares one token exchange between parallel requests that met a 401', async () => {
        const source = await through({ auth: { service: 'test-registry' } });
        const found = await discoverSignatures(source, image.digest);
        expect(found).toHaveLength(1);
        expect(proxy!.log.filter((r) => r.path.startsWith('/token'))).toHaveLength(1);
        // 4 parallel 401s, one token, 4 retries, then the referrer manifest and its bundle blob.
        expect(source.client.counter.requests).toBe(11);
      });

      it('pushes with basic credentials exchanged for a push token', async () => {
        const source = await through(
          {
            auth: {
              service: 'test-registry',
              basic: { username: 'ci', password: SECRET_PASSWORD },
            },
          },
          { ...FAST, credentials: { username: 'ci', password: SECRET_PASSWORD } },
        );
        const pushed = await pushImage(source, {
          tag: 'pushed',
          platforms: [{ os: 'linux', architecture: 'arm64', files: { a: 'b' } }],
        });
        expect((await source.resolve('pushed')).digest).toBe(pushed.digest);
        const scopes = proxy!.log
          .filter((r) => r.path.startsWith('/token'))
          .map((r) => new URL(r.path, proxy!.url).searchParams.get('scope'));
        expect(scopes).toContain('repository:acme/app:pull,push');
      });

      it('sends a given bearer token directly', async () => {
        const source = await through({}, { ...FAST, credentials: { token: 'given-token-abc' } });
        await source.resolve('v1');
        expect(proxy!.log[0]!.authorization).toBe('Bearer given-token-abc');
      });

      it('reports rejected credentials as REGISTRY without the password or token in the error', async () => {
        const source = await through(
          { auth: { service: 'test-registry', basic: { username: 'ci', password: 'right' } } },
          { ...FAST, credentials: { username: 'ci', password: SECRET_PASSWORD } },
        );
        const error = await rejectionOf(source.resolve('v1'), OciError);
        expect(error.code).toBe('REGISTRY');
        expect(error.message).toContain('token request answered 401');
        const everything = JSON.stringify({
          message: error.message,
          expected: error.expected,
          found: error.found,
          stack: error.stack,
        });
        expect(everything).not.toContain(SECRET_PASSWORD);
        expect(everything).not.toContain(Buffer.from(`ci:${SECRET_PASSWORD}`).toString('base64'));
      });

      it('reports a push without push rights as REGISTRY', async () => {
        const source = await through({ auth: { service: 'test-registry' } });
        expect(
          (
            await rejectionOf(
              pushImage(source, {
                platforms: [{ os: 'linux', architecture: 'amd64', files: { a: 'c' } }],
              }),
              OciError,
            )
          ).code,
        ).toBe('REGISTRY');
      });
    });
  },
);
