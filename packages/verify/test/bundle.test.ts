import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { json } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { trustMaterialFromJSON, verifyBundle, VerificationError } from '../src/index';
import type { VerificationReport } from '../src/index';

interface SignedMetadata {
  signed: Record<string, unknown>;
  signatures: { keyid: string; bundle?: unknown }[];
}

const OFFLINE_SIGNER = {
  identity: 'amaanulhaq.s@outlook.com',
  issuer: 'https://github.com/login/oauth',
};
const ONLINE_SIGNER = {
  identity:
    'https://github.com/amaanx86/oci-prometheus-sd-proxy-tuf-on-ci/.github/workflows/online-sign.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};

function metadata(...path: string[]): { message: Buffer; bundle: Record<string, unknown> } {
  const parsed = JSON.parse(
    readFileSync(fixturePath('tuf', 'amaanx86', ...path), 'utf8'),
  ) as SignedMetadata;
  return {
    message: Buffer.from(json.canonicalize(parsed.signed)),
    bundle: parsed.signatures[0]!.bundle as Record<string, unknown>,
  };
}

function statusOf(report: VerificationReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.check, check.status]));
}

describe.skipIf(!haveFixtures)(
  `verifyBundle on real TUF-on-CI signatures (public-good root) ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    it('verifies a v0.3 message-signature bundle offline and reports the evidence', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      const report = verifyBundle({ bundle, artifact: message, policy: OFFLINE_SIGNER });
      expect(statusOf(report)).toEqual({ signature: 'pass', identity: 'pass', artifact: 'pass' });
      expect(report.ok).toBe(true);
      const evidence = report.checks[0]!.evidence as {
        tlog: { logIndex: string; integratedTime: string; proof: string[] }[];
        certificate: { issuer: string; subjectAlternativeNames: string[] };
      };
      expect(evidence.tlog[0]!.logIndex).toMatch(/^\d+$/);
      expect(evidence.tlog[0]!.integratedTime).toMatch(/^20\d\d-/);
      expect(evidence.certificate).toMatchObject({
        issuer: OFFLINE_SIGNER.issuer,
        subjectAlternativeNames: [OFFLINE_SIGNER.identity],
      });
    });

    it('verifies the online key bundles, a GitHub Actions identity with Fulcio extensions', () => {
      const { message, bundle } = metadata('metadata', 'snapshot.json');
      const report = verifyBundle({ bundle, artifact: message, policy: ONLINE_SIGNER });
      expect(report.ok).toBe(true);
      const certificate = (
        report.checks[0]!.evidence as { certificate: { extensions: Record<string, string> } }
      ).certificate;
      expect(certificate.extensions.sourceRepositoryURI).toBe(
        'https://github.com/amaanx86/oci-prometheus-sd-proxy-tuf-on-ci',
      );
      expect(certificate.extensions.buildConfigURI).toBe(ONLINE_SIGNER.identity);
      expect(certificate.extensions.runInvocationURI).toMatch(
        /^https:\/\/github\.com\/amaanx86\/oci-prometheus-sd-proxy-tuf-on-ci\/actions\/runs\/\d+\/attempts\/\d+$/,
      );
    });

    it('verifies a bundle carrying an RFC3161 timestamp and reports the TSA time', () => {
      const { message, bundle } = metadata('versions', 'timestamp.v163.json');
      const report = verifyBundle({ bundle, artifact: message, policy: ONLINE_SIGNER });
      expect(report.ok).toBe(true);
      expect(
        (report.checks[0]!.evidence as { timestampAuthorityTimes: string[] })
          .timestampAuthorityTimes,
      ).toHaveLength(1);
    });

    it('accepts the artifact as a sha256 digest (conformance FILE_OR_DIGEST) and rejects a wrong one', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      const digest = `sha256:${createHash('sha256').update(message).digest('hex')}`;
      expect(verifyBundle({ bundle, artifact: digest, policy: OFFLINE_SIGNER }).ok).toBe(true);
      const wrong = `sha256:${createHash('sha256').update('other').digest('hex')}`;
      const report = verifyBundle({ bundle, artifact: wrong, policy: OFFLINE_SIGNER });
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.check === 'artifact')).toMatchObject({
        status: 'fail',
        expected: wrong,
      });
    });

    it('fails on one tampered byte of the signed metadata', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      const tampered = Buffer.from(message);
      tampered.writeUInt8(tampered.readUInt8(tampered.length - 2) ^ 1, tampered.length - 2);
      const report = verifyBundle({ bundle, artifact: tampered, policy: OFFLINE_SIGNER });
      expect(report.ok).toBe(false);
      expect(statusOf(report)).toMatchObject({ artifact: 'fail', signature: 'fail' });
    });

    it('fails on a tampered signature or transparency-log body', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      const signature = structuredClone(bundle) as { messageSignature: { signature: string } };
      const bytes = Buffer.from(signature.messageSignature.signature, 'base64');
      bytes.writeUInt8(bytes.readUInt8(10) ^ 1, 10);
      signature.messageSignature.signature = bytes.toString('base64');
      expect(
        statusOf(verifyBundle({ bundle: signature, artifact: message, policy: OFFLINE_SIGNER }))
          .signature,
      ).toBe('fail');

      const body = structuredClone(bundle) as {
        verificationMaterial: { tlogEntries: { integratedTime: string }[] };
      };
      body.verificationMaterial.tlogEntries[0]!.integratedTime = String(
        Number(body.verificationMaterial.tlogEntries[0]!.integratedTime) + 1,
      );
      expect(
        statusOf(verifyBundle({ bundle: body, artifact: message, policy: OFFLINE_SIGNER }))
          .signature,
      ).toBe('fail');
    });

    it('fails a missing transparency-log entry (no signing time, no proof)', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      const stripped = structuredClone(bundle) as {
        verificationMaterial: { tlogEntries: unknown[] };
      };
      stripped.verificationMaterial.tlogEntries = [];
      expect(verifyBundle({ bundle: stripped, artifact: message, policy: OFFLINE_SIGNER }).ok).toBe(
        false,
      );
    });

    it('reports expected and found SAN and issuer for a wrong identity', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      const report = verifyBundle({
        bundle,
        artifact: message,
        policy: { ...OFFLINE_SIGNER, identity: 'someone@example.com' },
      });
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.check === 'identity')).toMatchObject({
        status: 'fail',
        expected: { identity: 'someone@example.com', issuer: OFFLINE_SIGNER.issuer },
        found: { identity: [OFFLINE_SIGNER.identity], issuer: OFFLINE_SIGNER.issuer },
      });
      const issuer = verifyBundle({
        bundle,
        artifact: message,
        policy: { ...OFFLINE_SIGNER, issuer: 'https://accounts.google.com' },
      });
      expect(issuer.checks.find((c) => c.check === 'identity')!.summary).toContain(
        'issuer: expected https://accounts.google.com, found https://github.com/login/oauth',
      );
    });

    it('compares identities exactly; regexps only on request and anchored', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      // A prefix or a regexp-looking string must not match as @sigstore/verify's string policy would.
      expect(
        verifyBundle({
          bundle,
          artifact: message,
          policy: { ...OFFLINE_SIGNER, identity: 'amaanulhaq.s@outlook.co' },
        }).ok,
      ).toBe(false);
      expect(
        verifyBundle({
          bundle,
          artifact: message,
          policy: { ...OFFLINE_SIGNER, identity: 'amaanulhaq.s@outlook.co.' },
        }).ok,
      ).toBe(false);
      expect(
        verifyBundle({
          bundle,
          artifact: message,
          policy: { issuer: OFFLINE_SIGNER.issuer, identityRegExp: 'amaanulhaq\\.s@outlook\\.com' },
        }).ok,
      ).toBe(true);
      expect(
        verifyBundle({
          bundle,
          artifact: message,
          policy: { issuer: OFFLINE_SIGNER.issuer, identityRegExp: 'amaanulhaq' },
        }).ok,
      ).toBe(false);
      expect(
        verifyBundle({
          bundle,
          artifact: message,
          policy: {
            identity: OFFLINE_SIGNER.identity,
            issuerRegExp: 'https://github\\.com/login/.*',
          },
        }).ok,
      ).toBe(true);
    });

    it('fails with a trusted root that does not hold the signing CA', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      const root = JSON.parse(
        readFileSync(fixturePath('sigstore', 'trusted_root.public-good.json'), 'utf8'),
      ) as { certificateAuthorities: unknown[] };
      root.certificateAuthorities = root.certificateAuthorities.slice(0, 1);
      const report = verifyBundle({
        bundle,
        artifact: message,
        policy: OFFLINE_SIGNER,
        trust: trustMaterialFromJSON(root, 'test root'),
      });
      expect(report.ok).toBe(false);
      expect(report.checks[0]!.summary).toMatch(/certificate/i);
    });

    it('rejects bad input with INVALID_INPUT', () => {
      const { message, bundle } = metadata('metadata', 'targets.json');
      expect(() => verifyBundle({ bundle, artifact: message })).toThrow(VerificationError);
      expect(() =>
        verifyBundle({ bundle, artifact: 'sha256:abc', policy: OFFLINE_SIGNER }),
      ).toThrow(/artifact: expected a sha256 digest/);
      expect(() =>
        verifyBundle({
          bundle,
          artifact: message,
          policy: { ...OFFLINE_SIGNER, identityRegExp: '(' },
        }),
      ).toThrow(VerificationError);
      expect(
        verifyBundle({ bundle: { mediaType: 'nope' }, artifact: message, policy: OFFLINE_SIGNER })
          .checks[0]!.summary,
      ).toMatch(/not a valid Sigstore bundle/);
    });
  },
);
