import { readFile } from 'node:fs/promises';
import type { SerializedBundle } from '@sigstore/bundle';
import { beforeAll, describe, expect, it } from 'vitest';
import { thrownBy, fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { legacyLayerToBundle } from '../src/cosign/legacy';
import type { Digest } from '../src/types';
import {
  COSIGN_ANNOTATIONS,
  pemToDerBase64,
  bundleToLegacyAnnotations,
  OciError,
  OciLayoutSource,
  parseManifest,
  type Descriptor,
} from '@oci-sd/oci';
import { VerificationError } from '../src/index';

const LAYOUT = fixturePath('slsa', 'gha_generic_container-v2.0.0', 'container_workflow_dispatch');

describe.skipIf(!haveFixtures)(
  `cosign legacy annotations <-> Sigstore bundles ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    let layer: Descriptor;
    let blob: Buffer;
    let bundle: SerializedBundle;
    const withAnnotations = (changes: Record<string, string | undefined>): Descriptor => {
      const annotations = { ...layer.annotations };
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete annotations[key];
        else annotations[key] = value;
      }
      return { ...layer, annotations };
    };

    beforeAll(async () => {
      const digest = (await readFile(`${LAYOUT}.digest`, 'utf8')).trim() as Digest;
      const source = new OciLayoutSource(LAYOUT);
      const manifest = await source.manifestByTag(`sha256-${digest.slice(7)}.att`);
      layer = parseManifest(manifest!.bytes, 'att').layers![0]!;
      blob = await source.blob(layer.digest, layer.size);
      bundle = legacyLayerToBundle(layer, blob, 'attestation', 'fixture');
    });

    it('keeps leaf then chain, and the Rekor entry fields', () => {
      const certificates = bundle.verificationMaterial.x509CertificateChain!.certificates.map(
        (c) => c.rawBytes,
      );
      expect(certificates).toEqual([
        ...pemToDerBase64(layer.annotations![COSIGN_ANNOTATIONS.certificate]!),
        ...pemToDerBase64(layer.annotations![COSIGN_ANNOTATIONS.chain]!),
      ]);
      expect(certificates).toHaveLength(3);
      const entry = bundle.verificationMaterial.tlogEntries[0]!;
      expect(entry.logIndex).toBe('87850616');
      expect(Buffer.from(entry.logId.keyId, 'base64').toString('hex')).toBe(
        'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
      );
      expect(entry.inclusionProof).toBeUndefined();
    });

    it('converts back to the same annotations (the writer is the reader inverted)', () => {
      const annotations = bundleToLegacyAnnotations(bundle, {
        predicateType: 'https://slsa.dev/provenance/v0.2',
      });
      expect(JSON.parse(annotations[COSIGN_ANNOTATIONS.bundle]!)).toEqual(
        JSON.parse(layer.annotations![COSIGN_ANNOTATIONS.bundle]!),
      );
      expect(pemToDerBase64(annotations[COSIGN_ANNOTATIONS.certificate]!)).toEqual(
        pemToDerBase64(layer.annotations![COSIGN_ANNOTATIONS.certificate]!),
      );
      expect(pemToDerBase64(annotations[COSIGN_ANNOTATIONS.chain]!)).toEqual(
        pemToDerBase64(layer.annotations![COSIGN_ANNOTATIONS.chain]!),
      );
      expect(annotations[COSIGN_ANNOTATIONS.signature]).toBe('');
      expect(annotations[COSIGN_ANNOTATIONS.predicateType]).toBe(
        'https://slsa.dev/provenance/v0.2',
      );
      expect(legacyLayerToBundle({ ...layer, annotations }, blob, 'attestation', 'again')).toEqual(
        bundle,
      );
    });

    it('carries a signature RFC 3161 timestamp both ways, and leaves an attestation with its log time only', () => {
      const timestamp = Buffer.from('timestamp-token').toString('base64');
      const annotations = {
        [COSIGN_ANNOTATIONS.rfc3161Timestamp]: JSON.stringify({
          SignedRFC3161Timestamp: timestamp,
        }),
        [COSIGN_ANNOTATIONS.signature]: Buffer.from('sig').toString('base64'),
      };
      const signature = legacyLayerToBundle(
        withAnnotations(annotations),
        Buffer.from('{"critical":{}}'),
        'signature',
        'x',
      );
      expect(signature.verificationMaterial.timestampVerificationData).toEqual({
        rfc3161Timestamps: [{ signedTimestamp: timestamp }],
      });
      expect(
        JSON.parse(bundleToLegacyAnnotations(signature)[COSIGN_ANNOTATIONS.rfc3161Timestamp]!),
      ).toEqual({ SignedRFC3161Timestamp: timestamp });
      // cosign's attestation timestamps cover the envelope JSON, not the signature a bundle timestamp covers.
      const attestation = legacyLayerToBundle(
        withAnnotations(annotations),
        blob,
        'attestation',
        'x',
      );
      expect(attestation.verificationMaterial.timestampVerificationData).toBeUndefined();
      const stampedBundle = {
        ...bundle,
        verificationMaterial: {
          ...bundle.verificationMaterial,
          timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: timestamp }] },
        },
      };
      expect(
        bundleToLegacyAnnotations(stampedBundle)[COSIGN_ANNOTATIONS.rfc3161Timestamp],
      ).toBeUndefined();
    });

    it('leaves a key-signed layer (no certificate) to the key: publicKey material', () => {
      const keyed = legacyLayerToBundle(
        withAnnotations({
          [COSIGN_ANNOTATIONS.certificate]: undefined,
          [COSIGN_ANNOTATIONS.chain]: undefined,
        }),
        blob,
        'attestation',
        'x',
      );
      expect(keyed.verificationMaterial.publicKey).toEqual({ hint: '' });
      expect(keyed.verificationMaterial.x509CertificateChain).toBeUndefined();
    });

    it('has no tlog entry when the bundle annotation is missing (the checks then fail it)', () => {
      expect(
        legacyLayerToBundle(
          withAnnotations({ [COSIGN_ANNOTATIONS.bundle]: undefined }),
          blob,
          'attestation',
          'x',
        ).verificationMaterial.tlogEntries,
      ).toEqual([]);
    });

    it.each([
      [
        'bundle annotation not JSON',
        { [COSIGN_ANNOTATIONS.bundle]: '{not json' },
        'annotation dev.sigstore.cosign/bundle: expected JSON',
      ],
      [
        'SET missing',
        {
          [COSIGN_ANNOTATIONS.bundle]: JSON.stringify({
            Payload: { body: 'e30=', integratedTime: 1, logIndex: 1, logID: 'ab' },
          }),
        },
        'SignedEntryTimestamp: expected a base64 string',
      ],
      [
        'logID not hex',
        {
          [COSIGN_ANNOTATIONS.bundle]: JSON.stringify({
            SignedEntryTimestamp: 'AA==',
            Payload: { body: 'e30=', integratedTime: 1, logIndex: 1, logID: 'zz' },
          }),
        },
        'Payload.logID: expected a hex string',
      ],
      [
        'integratedTime not an integer',
        {
          [COSIGN_ANNOTATIONS.bundle]: JSON.stringify({
            SignedEntryTimestamp: 'AA==',
            Payload: { body: 'e30=', integratedTime: '1', logIndex: 1, logID: 'ab' },
          }),
        },
        'Payload.integratedTime: expected an integer',
      ],
      [
        'body without kind',
        {
          [COSIGN_ANNOTATIONS.bundle]: JSON.stringify({
            SignedEntryTimestamp: 'AA==',
            Payload: { body: 'e30=', integratedTime: 1, logIndex: 1, logID: 'ab' },
          }),
        },
        'Payload.body: expected a Rekor entry with kind and apiVersion',
      ],
      [
        'certificate not PEM',
        { [COSIGN_ANNOTATIONS.certificate]: 'garbage' },
        'annotation dev.sigstore.cosign/certificate: expected one PEM certificate',
      ],
    ])('rejects %s as MALFORMED naming the field', (_name, changes, message) => {
      const error = thrownBy(
        () =>
          legacyLayerToBundle(
            withAnnotations(changes),
            blob,
            'attestation',
            'sha256-x.att layer 0',
          ),
        VerificationError,
      );
      expect(error.code).toBe('MALFORMED');
      expect(error.message).toContain('sha256-x.att layer 0: ');
      expect(error.message).toContain(message);
    });

    it('rejects a signature timestamp annotation without a token as MALFORMED', () => {
      const layerWithSignature = withAnnotations({
        [COSIGN_ANNOTATIONS.rfc3161Timestamp]: '{}',
        [COSIGN_ANNOTATIONS.signature]: 'AA==',
      });
      expect(
        thrownBy(
          () => legacyLayerToBundle(layerWithSignature, Buffer.from('{}'), 'signature', 'z'),
          VerificationError,
        ),
      ).toMatchObject({
        code: 'MALFORMED',
        message: expect.stringContaining(
          'rfc3161timestamp.SignedRFC3161Timestamp: expected a base64 string',
        ),
      });
    });

    it('rejects an envelope without signatures and a .sig layer without a signature', () => {
      const envelope = JSON.parse(blob.toString());
      expect(
        thrownBy(
          () =>
            legacyLayerToBundle(
              layer,
              Buffer.from(JSON.stringify({ ...envelope, signatures: [] })),
              'attestation',
              'x',
            ),
          VerificationError,
        ).message,
      ).toContain('envelope.signatures: expected a non-empty array');
      expect(
        thrownBy(
          () => legacyLayerToBundle(layer, Buffer.from('{"critical":{}}'), 'signature', 'y'),
          VerificationError,
        ).message,
      ).toContain('annotation dev.cosignproject.cosign/signature: expected a base64 signature');
    });

    it('refuses to write legacy annotations without a certificate or an inclusion promise', () => {
      const noPromise = structuredClone(bundle);
      delete (noPromise.verificationMaterial.tlogEntries[0] as { inclusionPromise?: unknown })
        .inclusionPromise;
      expect(thrownBy(() => bundleToLegacyAnnotations(noPromise), OciError)).toMatchObject({
        code: 'INVALID_INPUT',
      });
      const noCertificate = structuredClone(bundle);
      noCertificate.verificationMaterial = {
        publicKey: { hint: '' },
        tlogEntries: bundle.verificationMaterial.tlogEntries,
        timestampVerificationData: undefined,
      } as never;
      expect(thrownBy(() => bundleToLegacyAnnotations(noCertificate), OciError).message).toContain(
        'expected a certificate',
      );
    });
  },
);
