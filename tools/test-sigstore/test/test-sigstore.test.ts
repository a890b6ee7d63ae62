import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import type { SerializedBundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import type { VerificationPolicy } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import {
  FULCIO_OID,
  GITHUB_ACTIONS_ISSUER,
  LEAF_LIFETIME_MS,
  emailIdentity,
  githubActionsIdentity,
  parseCertificate,
  slsaGeneratorIdentity,
  startTestSigstore,
} from '../src/index';
import type { TestSigstore, TrustedRootJSON } from '../src/index';

const SHA = '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
const release = githubActionsIdentity({
  repository: 'acme/app',
  workflowPath: '.github/workflows/docker-build-push.yml',
  ref: 'refs/tags/v1.5.0',
  sha: SHA,
  runId: '987654321',
  runAttempt: '2',
});
const RELEASE_SAN =
  'https://github.com/acme/app/.github/workflows/docker-build-push.yml@refs/tags/v1.5.0';
const STATEMENT_TYPE = 'application/vnd.in-toto+json';

function verifier(trustedRoot: TrustedRootJSON | unknown, options: { timestamps?: number } = {}) {
  return new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), {
    tlogThreshold: 1,
    ctlogThreshold: 1,
    timestampThreshold: options.timestamps ?? 1,
  });
}

function verifyBundle(
  trustedRoot: unknown,
  serialized: SerializedBundle,
  artifact?: Uint8Array,
  policy?: VerificationPolicy,
) {
  const entity = toSignedEntity(
    bundleFromJSON(serialized),
    artifact ? Buffer.from(artifact) : undefined,
  );
  return verifier(trustedRoot).verify(entity, policy);
}

function leafCertificate(serialized: SerializedBundle) {
  const material = serialized.verificationMaterial;
  if (!material.certificate) throw new Error('bundle has no single certificate (expected v0.3)');
  return parseCertificate(Buffer.from(material.certificate.rawBytes, 'base64'));
}

/** Reads a Fulcio extension value: DER UTF8String for 1.8+, raw bytes for the legacy 1.1-1.6. */
function extensionText(serialized: SerializedBundle, oid: string): string | undefined {
  const extension = leafCertificate(serialized).getExtension(oid);
  if (!extension) return undefined;
  const value = Buffer.from(extension.value);
  if (value[0] !== 0x0c) return value.toString('utf8');
  const lengthByte = value[1] ?? 0;
  const headerLength = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
  return value.subarray(headerLength).toString('utf8');
}

function sanValues(serialized: SerializedBundle) {
  const san = leafCertificate(serialized).getExtension('2.5.29.17');
  const names = san
    ? (san as unknown as { names: { toJSON(): { type: string; value: string }[] } }).names.toJSON()
    : [];
  return names;
}

describe('test sigstore instance (real clock)', () => {
  let sigstore: TestSigstore;
  const message = Buffer.from('{"signed":{"_type":"targets","version":2}}');
  const statement = Buffer.from(
    JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'x' }),
  );
  let messageBundle: SerializedBundle;
  let dsseBundle: SerializedBundle;

  beforeAll(async () => {
    sigstore = await startTestSigstore();
    messageBundle = await sigstore.signMessage(message, release);
    dsseBundle = await sigstore.signDsse(statement, STATEMENT_TYPE, release);
  });
  afterAll(async () => {
    await sigstore?.stop();
  });

  it('serves every service on loopback under its own path', () => {
    expect(sigstore.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sigstore.fulcioURL).toBe(`${sigstore.url}/fulcio`);
    expect(sigstore.rekorURL).toBe(`${sigstore.url}/rekor`);
    expect(sigstore.tsaURL).toBe(`${sigstore.url}/tsa/api/v1/timestamp`);
  });

  it('signs a message into a v0.3 bundle that verifies against its own trusted root', () => {
    expect(messageBundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(messageBundle.messageSignature?.messageDigest?.digest).toBe(
      createHash('sha256').update(message).digest('base64'),
    );
    const tlog = messageBundle.verificationMaterial.tlogEntries[0];
    expect(tlog?.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.1' });
    expect(tlog?.inclusionPromise?.signedEntryTimestamp).toBeTruthy();
    expect(tlog?.inclusionProof?.checkpoint.envelope).toContain('\u2014 127.0.0.1:');
    const signer = verifyBundle(sigstore.trustedRoot, messageBundle, message, {
      subjectAlternativeName: RELEASE_SAN,
      extensions: { issuer: GITHUB_ACTIONS_ISSUER },
    });
    expect(signer.identity?.subjectAlternativeName).toBe(RELEASE_SAN);
    expect(signer.identity?.extensions?.issuer).toBe(GITHUB_ACTIONS_ISSUER);
  });

  it('signs a DSSE envelope with a Rekor dsse entry that verifies', () => {
    expect(dsseBundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(dsseBundle.dsseEnvelope?.payloadType).toBe(STATEMENT_TYPE);
    expect(Buffer.from(dsseBundle.dsseEnvelope?.payload ?? '', 'base64').equals(statement)).toBe(
      true,
    );
    expect(dsseBundle.verificationMaterial.tlogEntries[0]?.kindVersion).toEqual({
      kind: 'dsse',
      version: '0.0.1',
    });
    expect(
      verifyBundle(sigstore.trustedRoot, dsseBundle, undefined, {
        subjectAlternativeName: RELEASE_SAN,
      }).identity?.subjectAlternativeName,
    ).toBe(RELEASE_SAN);
  });

  it('adds an RFC 3161 timestamp that verifies as a second time source', async () => {
    const bundle = await sigstore.signDsse(statement, STATEMENT_TYPE, release, { tsa: true });
    const timestamps =
      bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? [];
    expect(timestamps).toHaveLength(1);
    const entity = () => toSignedEntity(bundleFromJSON(bundle));
    // log integration time + TSA time: two verified timestamps
    expect(
      verifier(sigstore.trustedRoot, { timestamps: 2 }).verify(entity(), {
        subjectAlternativeName: RELEASE_SAN,
      }).identity?.subjectAlternativeName,
    ).toBe(RELEASE_SAN);
    const withoutTsa = { ...sigstore.trustedRoot, timestampAuthorities: [] };
    expect(() => verifier(withoutTsa, { timestamps: 2 }).verify(entity())).toThrow(/timestamp/i);
    const token = Buffer.from(timestamps[0]?.signedTimestamp ?? '', 'base64');
    token[token.length - 10] = (token[token.length - 10] ?? 0) ^ 0x01;
    const tampered = structuredClone(bundle);
    tampered.verificationMaterial.timestampVerificationData!.rfc3161Timestamps[0]!.signedTimestamp =
      token.toString('base64');
    expect(() =>
      verifier(sigstore.trustedRoot, { timestamps: 2 }).verify(
        toSignedEntity(bundleFromJSON(tampered)),
      ),
    ).toThrow();
  });

  it('is rejected by the Sigstore public-good trusted root', async (context) => {
    if (!haveFixtures) return context.skip(fixturesSkipReason);
    const publicGood = JSON.parse(
      await readFile(fixturePath('sigstore', 'trusted_root.public-good.json'), 'utf8'),
    ) as unknown;
    expect(() => verifyBundle(publicGood, messageBundle, message)).toThrow();
    expect(() => verifyBundle(publicGood, dsseBundle)).toThrow();
  });

  it('puts the GitHub Actions SAN, issuer and Fulcio extensions in the certificate', () => {
    expect(sanValues(messageBundle)).toEqual([{ type: 'url', value: RELEASE_SAN }]);
    expect(release.subjectAlternativeName).toBe(RELEASE_SAN);
    const expected: Record<string, string> = {
      [FULCIO_OID.issuerV1]: GITHUB_ACTIONS_ISSUER,
      [FULCIO_OID.issuer]: GITHUB_ACTIONS_ISSUER,
      [FULCIO_OID.buildSignerURI]: RELEASE_SAN,
      [FULCIO_OID.sourceRepositoryURI]: 'https://github.com/acme/app',
      [FULCIO_OID.sourceRepositoryDigest]: SHA,
      [FULCIO_OID.sourceRepositoryRef]: 'refs/tags/v1.5.0',
      [FULCIO_OID.buildConfigURI]: RELEASE_SAN,
      [FULCIO_OID.runInvocationURI]:
        'https://github.com/acme/app/actions/runs/987654321/attempts/2',
      [FULCIO_OID.githubWorkflowRepository]: 'acme/app',
      [FULCIO_OID.githubWorkflowRef]: 'refs/tags/v1.5.0',
      [FULCIO_OID.buildTrigger]: 'push',
    };
    for (const [oid, value] of Object.entries(expected))
      expect({ oid, value: extensionText(messageBundle, oid) }).toEqual({ oid, value });
  });

  it('gives ten-minute certificates chaining to the intermediate and root of its trusted root', () => {
    const leaf = leafCertificate(messageBundle);
    expect(leaf.notAfter.getTime() - leaf.notBefore.getTime()).toBe(LEAF_LIFETIME_MS);
    const [intermediate, root] = (
      sigstore.trustedRoot.certificateAuthorities[0] as {
        certChain: { certificates: { rawBytes: string }[] };
      }
    ).certChain.certificates.map((certificate) =>
      parseCertificate(Buffer.from(certificate.rawBytes, 'base64')),
    );
    expect(leaf.issuer).toBe(intermediate?.subject);
    expect(intermediate?.issuer).toBe(root?.subject);
  });

  it('certifies the SLSA generator as builder with the caller repository as source', async () => {
    const identity = slsaGeneratorIdentity({
      repository: 'acme/app',
      workflowPath: '.github/workflows/docker-build-push.yml',
      ref: 'refs/tags/v1.5.0',
      sha: SHA,
    });
    const generator =
      'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0';
    const bundle = await sigstore.signDsse(statement, STATEMENT_TYPE, identity);
    expect(sanValues(bundle)).toEqual([{ type: 'url', value: generator }]);
    expect(extensionText(bundle, FULCIO_OID.buildSignerURI)).toBe(generator);
    expect(extensionText(bundle, FULCIO_OID.sourceRepositoryURI)).toBe(
      'https://github.com/acme/app',
    );
    expect(extensionText(bundle, FULCIO_OID.buildConfigURI)).toBe(RELEASE_SAN);
    expect(
      verifyBundle(sigstore.trustedRoot, bundle, undefined, { subjectAlternativeName: generator })
        .identity?.subjectAlternativeName,
    ).toBe(generator);
  });

  it('certifies an email identity as an rfc822Name SAN with only the issuer extensions', async () => {
    const identity = emailIdentity('signer@example.com', 'https://github.com/login/oauth');
    const bundle = await sigstore.signMessage(message, identity);
    expect(sanValues(bundle)).toEqual([{ type: 'email', value: 'signer@example.com' }]);
    expect(extensionText(bundle, FULCIO_OID.issuer)).toBe('https://github.com/login/oauth');
    expect(extensionText(bundle, FULCIO_OID.sourceRepositoryURI)).toBeUndefined();
    const signer = verifyBundle(sigstore.trustedRoot, bundle, message, {
      extensions: { issuer: 'https://github.com/login/oauth' },
    });
    expect(signer.identity?.subjectAlternativeName).toBe('signer@example.com');
  });

  it('fails verification when one signature byte is changed', () => {
    const signature = Buffer.from(messageBundle.messageSignature?.signature ?? '', 'base64');
    signature[10] = (signature[10] ?? 0) ^ 0x01;
    const tampered = structuredClone(messageBundle);
    tampered.messageSignature!.signature = signature.toString('base64');
    expect(() => verifyBundle(sigstore.trustedRoot, tampered, message)).toThrow(
      /signature|tlog|verif/i,
    );
  });

  it('fails verification when the DSSE payload is changed', () => {
    const tampered = structuredClone(dsseBundle);
    tampered.dsseEnvelope!.payload = Buffer.from(
      statement.toString().replace('"x"', '"y"'),
    ).toString('base64');
    expect(() => verifyBundle(sigstore.trustedRoot, tampered)).toThrow();
  });

  it('fails verification for a different expected identity or issuer', () => {
    expect(() =>
      verifyBundle(sigstore.trustedRoot, messageBundle, message, {
        subjectAlternativeName:
          'https://github.com/acme/other/.github/workflows/docker-build-push.yml@refs/tags/v1.5.0',
      }),
    ).toThrow(/identity|subject/i);
    expect(() =>
      verifyBundle(sigstore.trustedRoot, messageBundle, message, {
        extensions: { issuer: 'https://accounts.google.com' },
      }),
    ).toThrow(/issuer|extension/i);
  });

  it('fails verification when the certificate is missing its SCT (wrong CT log key)', () => {
    const withoutCtLogs = { ...sigstore.trustedRoot, ctlogs: [] };
    expect(() => verifyBundle(withoutCtLogs, messageBundle, message)).toThrow();
  });

  it('refuses tokens it did not issue and counts every request', async () => {
    const before = sigstore.requestCounts;
    const token = sigstore.identityToken(release);
    const [header, payload] = token.split('.');
    const forgedClaims = {
      ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
      repository: 'evil/app',
    };
    const forged = `${header}.${Buffer.from(JSON.stringify(forgedClaims)).toString('base64url')}.${token.split('.')[2]}`;
    const response = await fetch(`${sigstore.fulcioURL}/api/v2/signingCert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        credentials: { oidcIdentityToken: forged },
        publicKeyRequest: {
          publicKey: { algorithm: 'ECDSA', content: 'x' },
          proofOfPossession: 'x',
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /signature does not verify/,
    );
    expect(sigstore.requestCounts).toEqual({ ...before, fulcio: before.fulcio + 1 });
    expect((await fetch(`${sigstore.url}/nowhere`, { method: 'POST' })).status).toBe(404);
  });

  it('answers injected faults with their status, then serves again', async () => {
    const before = sigstore.requestCounts;
    sigstore.injectFault({ service: 'rekor', status: 503, times: 2 });
    // signMessage does not retry: each attempt meets one fault.
    await expect(sigstore.signMessage(message, release)).rejects.toThrow(
      /\(503\) injected fault: rekor answers 503/,
    );
    await expect(sigstore.signMessage(message, release)).rejects.toThrow(/503/);
    const bundle = await sigstore.signMessage(message, release);
    expect(
      verifyBundle(sigstore.trustedRoot, bundle, message).identity?.subjectAlternativeName,
    ).toBe(RELEASE_SAN);
    expect(sigstore.requestCounts.rekor - before.rekor).toBe(3);
    expect(sigstore.requestCounts.fulcio - before.fulcio).toBe(3);
    expect(() => sigstore.injectFault({ service: 'tsa', status: 200 })).toThrow(/400-599/);
  });

  it('writes trusted_root.json atomically in the protobuf-specs JSON form', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-sigstore-'));
    try {
      const path = join(dir, 'trusted_root.json');
      await sigstore.writeTrustedRoot(path);
      expect(await readdir(dir)).toEqual(['trusted_root.json']);
      const written = JSON.parse(await readFile(path, 'utf8')) as TrustedRootJSON;
      expect(written.mediaType).toBe('application/vnd.dev.sigstore.trustedroot+json;version=0.1');
      expect(TrustedRoot.toJSON(TrustedRoot.fromJSON(written))).toEqual(written);
      expect(verifyBundle(written, messageBundle, message).identity?.subjectAlternativeName).toBe(
        RELEASE_SAN,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('test sigstore instance with a clock in the past', () => {
  const past = new Date('2025-03-01T12:00:00Z');
  let sigstore: TestSigstore;
  beforeAll(async () => {
    sigstore = await startTestSigstore({ clock: past });
  });
  afterAll(async () => {
    await sigstore?.stop();
  });

  it('issues a certificate that is expired now but verifies at its log and TSA times', async () => {
    const message = Buffer.from('old release');
    const bundle = await sigstore.signMessage(message, release, { tsa: true });
    const leaf = leafCertificate(bundle);
    expect(leaf.notBefore).toEqual(past);
    expect(leaf.notAfter.getTime()).toBeLessThan(Date.now());
    expect(bundle.verificationMaterial.tlogEntries[0]?.integratedTime).toBe(
      String(past.getTime() / 1000),
    );
    const entity = toSignedEntity(bundleFromJSON(bundle), message);
    expect(
      verifier(sigstore.trustedRoot, { timestamps: 2 }).verify(entity).identity
        ?.subjectAlternativeName,
    ).toBe(RELEASE_SAN);
  });
});
