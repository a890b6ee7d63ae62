// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import * as x509 from '@peculiar/x509';
import { initializeCTLog, initializeTLog } from '@sigstore/mock';
import type { HandlerFn } from '@sigstore/mock';
import type { SerializedBundle } from '@sigstore/bundle';
import { HashAlgorithm, PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import { TestCertificateAuthority } from './ca';
import { FULCIO_SIGNING_CERT_PATH, fulcioSigningCertHandler } from './fulcio';
import type { TestIdentity } from './identity';
import { TestOidcProvider } from './oidc';
import { TSA_TIMESTAMP_PATH, TestTimestampAuthority } from './tsa';
import { REKOR_CREATE_ENTRY_PATH, rekorCreateEntryHandler } from './rekor';
import { serveRoutes } from './server';
import type { Fault, ServiceName } from './server';
import { signDsse, signMessage } from './sign';
import type { SignOptions } from './sign';

export {
  FULCIO_OID,
  GITHUB_ACTIONS_ISSUER,
  SLSA_CONTAINER_GENERATOR_WORKFLOW,
  emailIdentity,
  githubActionsIdentity,
  slsaGeneratorIdentity,
} from './identity';
export type {
  GitHubActionsIdentityOptions,
  SlsaGeneratorIdentityOptions,
  TestIdentity,
} from './identity';
export { LEAF_LIFETIME_MS } from './ca';
export { SIGSTORE_AUDIENCE } from './oidc';
export type { SignOptions } from './sign';
export type { Fault, ServiceName } from './server';

export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
const OPERATOR = 'oci-sd.test';
const DAY_MS = 24 * 60 * 60 * 1000;

/** trusted_root.json in the protobuf-specs JSON form. */
export interface TrustedRootJSON {
  mediaType: string;
  tlogs: unknown[];
  certificateAuthorities: unknown[];
  ctlogs: unknown[];
  timestampAuthorities: unknown[];
}

export interface TestSigstoreOptions {
  /**
   * Fixed time for everything the instance issues (certificates, log entries, SCTs, timestamps,
   * tokens). Default: the real time of each request. The CA, TSA and logs are valid from a
   * day before it, so a past clock gives certificates that are expired now but verify at
   * their log or TSA time.
   */
  clock?: Date;
  /**
   * `public-good` (default): Fulcio with SCTs, Rekor, optional TSA, as sigstore.dev.
   * `github`: shaped as GitHub's own instance for private repositories: leaves issued by
   * `O=GitHub, Inc.` without SCTs, every signature timestamped by the TSA, no transparency log,
   * and a trusted root without logs.
   */
  instance?: 'public-good' | 'github';
}

/** The leaf issuer organization of GitHub's Sigstore instance. */
export const GITHUB_INSTANCE_ORGANIZATION = 'GitHub, Inc.';

export interface TestSigstore {
  readonly instance: 'public-good' | 'github';
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Fulcio base URL (`POST /api/v2/signingCert`). */
  readonly fulcioURL: string;
  /** Rekor base URL (`POST /api/v1/log/entries`). */
  readonly rekorURL: string;
  /** Full TSA timestamp URL (`.../api/v1/timestamp`), as a SigningConfig lists it. */
  readonly tsaURL: string;
  /** The instance's trust material: Fulcio CA chain, Rekor key, CT log key, TSA chain. */
  readonly trustedRoot: TrustedRootJSON;
  /** Requests each service received so far. */
  readonly requestCounts: Readonly<Record<ServiceName, number>>;
  /** Answers the next request(s) to a service with an error status, e.g. `{ service: 'rekor', status: 503 }`. */
  injectFault(fault: Fault): void;
  /** Writes trusted_root.json (temp file, then rename). */
  writeTrustedRoot(path: string): Promise<void>;
  /** A JWT (audience `sigstore`) the instance's Fulcio accepts, valid ten minutes from the clock. */
  identityToken(identity: TestIdentity): string;
  /** Signs bytes through @sigstore/sign (Fulcio, Rekor hashedrekord, optional TSA): bundle v0.3, messageSignature. */
  signMessage(
    message: Uint8Array,
    identity: TestIdentity,
    options?: SignOptions,
  ): Promise<SerializedBundle>;
  /** Signs a DSSE envelope (Rekor `dsse` entry by default): bundle v0.3, dsseEnvelope. */
  signDsse(
    payload: Uint8Array,
    payloadType: string,
    identity: TestIdentity,
    options?: SignOptions,
  ): Promise<SerializedBundle>;
  stop(): Promise<void>;
}

/** Starts a local Fulcio + CT log + Rekor + TSA on 127.0.0.1 with its own trusted root. */
export async function startTestSigstore(options: TestSigstoreOptions = {}): Promise<TestSigstore> {
  const { clock, instance = 'public-good' } = options;
  const github = instance === 'github';
  const organization = github ? GITHUB_INSTANCE_ORGANIZATION : undefined;
  const now = () => clock ?? new Date();
  const startedAt = new Date();
  const validFrom = new Date(Math.min(startedAt.getTime(), now().getTime()) - DAY_MS);
  const validUntil = new Date(Math.max(startedAt.getTime(), now().getTime()) + 365 * DAY_MS);

  const ctLogKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rekorKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctLog = await initializeCTLog(ctLogKeys, clock);
  const ca = await TestCertificateAuthority.create({
    ...(github ? { organization } : { ctLog }),
    validFrom,
    validUntil,
    now,
  });
  const tsa = await TestTimestampAuthority.create({ organization, validFrom, validUntil, now });
  const oidc = new TestOidcProvider(now);

  // The Rekor mock names its checkpoint origin after the log URL, known only once listening.
  const rekor: { createEntry?: HandlerFn } = {};
  const server = await serveRoutes([
    { service: 'fulcio', path: FULCIO_SIGNING_CERT_PATH, fn: fulcioSigningCertHandler(ca, oidc) },
    { service: 'rekor', path: REKOR_CREATE_ENTRY_PATH, fn: (body) => rekor.createEntry!(body) },
    { service: 'tsa', path: TSA_TIMESTAMP_PATH, fn: tsa.handler() },
  ]);
  const urls = {
    fulcioURL: `${server.baseURL}/fulcio`,
    rekorURL: `${server.baseURL}/rekor`,
    // A TSA URL with a path is used verbatim by sigstore-js (the SigningConfig convention).
    tsaURL: `${server.baseURL}/tsa/api/v1/timestamp`,
  };
  const tlog = await initializeTLog(urls.rekorURL, rekorKeys, clock);
  rekor.createEntry = rekorCreateEntryHandler(tlog);

  const ctLogPublicKey = ctLogKeys.publicKey.export({ format: 'der', type: 'spki' });
  const validFor = { start: validFrom, end: undefined };
  const trustedRoot = withEmptyLists(
    TrustedRoot.toJSON({
      mediaType: TRUSTED_ROOT_MEDIA_TYPE,
      certificateAuthorities: [
        {
          subject: { organization: organization ?? OPERATOR, commonName: 'oci-sd test fulcio' },
          uri: urls.fulcioURL,
          certChain: {
            certificates: ca.chain.map((certificate) => ({
              rawBytes: Buffer.from(certificate.rawData),
            })),
          },
          validFor,
          operator: OPERATOR,
        },
      ],
      tlogs: github
        ? []
        : [
            {
              baseUrl: urls.rekorURL,
              hashAlgorithm: HashAlgorithm.SHA2_256,
              publicKey: {
                rawBytes: tlog.publicKey,
                keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
                validFor,
              },
              logId: { keyId: createHash('sha256').update(tlog.publicKey).digest() },
              checkpointKeyId: undefined,
              operator: OPERATOR,
            },
          ],
      ctlogs: github
        ? []
        : [
            {
              baseUrl: `${server.baseURL}/ctlog`,
              hashAlgorithm: HashAlgorithm.SHA2_256,
              publicKey: {
                rawBytes: ctLogPublicKey,
                keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
                validFor,
              },
              logId: { keyId: createHash('sha256').update(ctLogPublicKey).digest() },
              checkpointKeyId: undefined,
              operator: OPERATOR,
            },
          ],
      timestampAuthorities: [
        {
          subject: { organization: organization ?? OPERATOR, commonName: 'oci-sd test tsa' },
          uri: `${server.baseURL}/tsa`,
          certChain: {
            certificates: tsa.chain.map((certificate) => ({
              rawBytes: Buffer.from(certificate.rawData),
            })),
          },
          validFor,
          operator: OPERATOR,
        },
      ],
    }) as Partial<TrustedRootJSON> & { mediaType: string },
  );

  const identityToken = (identity: TestIdentity) => oidc.mint(identity);
  // GitHub's instance logs nothing: signing skips Rekor and always asks the TSA.
  const signingEndpoints = (identity: TestIdentity) => ({
    fulcioURL: urls.fulcioURL,
    tsaURL: urls.tsaURL,
    ...(github ? {} : { rekorURL: urls.rekorURL }),
    token: identityToken(identity),
  });
  return {
    instance,
    url: server.baseURL,
    ...urls,
    trustedRoot,
    get requestCounts() {
      return { ...server.requestCounts };
    },
    injectFault: (fault) => server.injectFault(fault),
    async writeTrustedRoot(path) {
      const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      await writeFile(temporary, `${JSON.stringify(trustedRoot, null, 2)}\n`);
      await rename(temporary, path);
    },
    identityToken,
    signMessage: (message, identity, signOptions) =>
      signMessage(signingEndpoints(identity), message, signOptions),
    signDsse: (payload, payloadType, identity, signOptions) =>
      signDsse(signingEndpoints(identity), payload, payloadType, signOptions),
    stop: () => server.close(),
  };
}

/** protobuf JSON leaves empty lists out; a trusted root without logs still lists `tlogs: []`. */
function withEmptyLists(json: Partial<TrustedRootJSON> & { mediaType: string }): TrustedRootJSON {
  return {
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
    ...json,
  };
}

/** Parses a DER or PEM certificate, e.g. a bundle's `certificate.rawBytes`, for assertions. */
export function parseCertificate(certificate: Uint8Array | string): x509.X509Certificate {
  return new x509.X509Certificate(
    typeof certificate === 'string' ? certificate : Buffer.from(certificate),
  );
}
