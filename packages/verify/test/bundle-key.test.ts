import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { bundleToJSON } from '@sigstore/bundle';
import type { SerializedBundle } from '@sigstore/bundle';
import { MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustMaterialFromJSON, verifyBundle } from '../src/index';
import type { LoadedTrustMaterial } from '../src/index';

/** A keyed (non-Fulcio) bundle as `cosign sign-blob --key` makes it: public-key hint, hashedrekord entry in the test log. */
async function keyedBundle(
  sigstore: TestSigstore,
  privateKey: KeyObject,
  publicKeyPem: string,
  artifact: Buffer,
): Promise<SerializedBundle> {
  const builder = new MessageSignatureBundleBuilder({
    signer: {
      sign: async (data) => ({
        signature: sign('sha256', data, privateKey),
        key: { $case: 'publicKey', publicKey: publicKeyPem },
      }),
    },
    witnesses: [
      new RekorWitness({
        rekorBaseURL: sigstore.rekorURL,
        fetchOnConflict: false,
        timeout: 10_000,
        retry: false,
      }),
    ],
  });
  return bundleToJSON(await builder.create({ data: artifact }));
}

describe('verifyBundle with a public key (conformance --key)', () => {
  let sigstore: TestSigstore;
  let trust: LoadedTrustMaterial;
  const artifact = Buffer.from('release artifact');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  let bundle: SerializedBundle;

  beforeAll(async () => {
    sigstore = await startTestSigstore();
    trust = trustMaterialFromJSON(sigstore.trustedRoot, 'test sigstore');
    bundle = await keyedBundle(sigstore, privateKey, publicKeyPem, artifact);
  });
  afterAll(async () => {
    await sigstore?.stop();
  });

  it('verifies with the given key, over the file or its digest; identity is not applicable', () => {
    const report = verifyBundle({ bundle, artifact, publicKey: publicKeyPem, trust });
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ['signature', 'pass'],
      ['identity', 'skip'],
      ['artifact', 'pass'],
    ]);
    expect(report.ok).toBe(true);
    const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
    expect(verifyBundle({ bundle, artifact: digest, publicKey: publicKeyPem, trust }).ok).toBe(
      true,
    );
  });

  it('fails with another key, another artifact, a tampered signature, or without a log entry', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();
    expect(verifyBundle({ bundle, artifact, publicKey: other, trust }).checks[0]).toMatchObject({
      check: 'signature',
      status: 'fail',
    });
    expect(
      verifyBundle({
        bundle,
        artifact: Buffer.from('other artifact'),
        publicKey: publicKeyPem,
        trust,
      }).ok,
    ).toBe(false);
    const tampered = structuredClone(bundle);
    const signature = Buffer.from(tampered.messageSignature!.signature, 'base64');
    signature.writeUInt8(signature.readUInt8(8) ^ 1, 8);
    tampered.messageSignature!.signature = signature.toString('base64');
    expect(verifyBundle({ bundle: tampered, artifact, publicKey: publicKeyPem, trust }).ok).toBe(
      false,
    );
    const unlogged = structuredClone(bundle);
    unlogged.verificationMaterial.tlogEntries = [];
    expect(verifyBundle({ bundle: unlogged, artifact, publicKey: publicKeyPem, trust }).ok).toBe(
      false,
    );
  });

  it('a keyed bundle without --key is never verified by identity alone', () => {
    const report = verifyBundle({
      bundle,
      artifact,
      policy: { identity: 'anyone@example.com', issuer: 'https://github.com/login/oauth' },
      trust,
    });
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ check: 'signature', status: 'fail' });
  });

  it('a certificate bundle given --key still needs an identity: it fails closed', async () => {
    const { githubActionsIdentity } = await import('@oci-sd/test-sigstore');
    const certified = await sigstore.signMessage(
      artifact,
      githubActionsIdentity({
        repository: 'acme/app',
        workflowPath: '.github/workflows/release.yml',
        ref: 'refs/tags/v1',
        sha: 'a'.repeat(40),
      }),
    );
    const report = verifyBundle({ bundle: certified, artifact, publicKey: publicKeyPem, trust });
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.check === 'identity')).toMatchObject({ status: 'fail' });
  });
});

describe('verifyBundle with a DSSE in-toto bundle: the artifact is a statement subject', () => {
  let sigstore: TestSigstore;
  let trust: LoadedTrustMaterial;
  const artifact = Buffer.from('app.tar.gz contents');
  const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
  const identity = {
    repository: 'acme/app',
    workflowPath: '.github/workflows/release.yml',
    ref: 'refs/tags/v1.0.0',
    sha: 'c'.repeat(40),
  };
  let policy: { identity: string; issuer: string };
  let bundle: SerializedBundle;

  beforeAll(async () => {
    const { githubActionsIdentity } = await import('@oci-sd/test-sigstore');
    sigstore = await startTestSigstore();
    trust = trustMaterialFromJSON(sigstore.trustedRoot, 'test sigstore');
    const signer = githubActionsIdentity(identity);
    policy = { identity: signer.subjectAlternativeName, issuer: signer.issuer };
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'app.tar.gz', digest: { sha256: digest.slice(7) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {},
    };
    bundle = await sigstore.signDsse(
      Buffer.from(JSON.stringify(statement)),
      'application/vnd.in-toto+json',
      signer,
    );
  });
  afterAll(async () => {
    await sigstore?.stop();
  });

  it('passes for the subject as a file or as a digest', () => {
    expect(verifyBundle({ bundle, artifact, policy, trust }).ok).toBe(true);
    expect(verifyBundle({ bundle, artifact: digest, policy, trust }).ok).toBe(true);
  });

  it('fails for an artifact that is not a subject, naming the subjects', () => {
    const report = verifyBundle({ bundle, artifact: Buffer.from('something else'), policy, trust });
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.check === 'artifact')).toMatchObject({
      status: 'fail',
      found: [digest],
    });
  });

  it('fails a payload that is not an in-toto statement', async () => {
    const { githubActionsIdentity } = await import('@oci-sd/test-sigstore');
    const other = await sigstore.signDsse(
      Buffer.from('{}'),
      'application/vnd.example+json',
      githubActionsIdentity(identity),
    );
    const report = verifyBundle({ bundle: other, artifact, policy, trust });
    expect(report.checks.find((c) => c.check === 'artifact')).toMatchObject({
      status: 'fail',
      expected: 'application/vnd.in-toto+json',
      found: 'application/vnd.example+json',
    });
  });
});
