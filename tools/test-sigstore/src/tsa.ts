import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { HandlerFn } from '@sigstore/mock';
import { createCertificateHierarchy, randomSerial, toArrayBuffer } from './ca';
import type { CertificateHierarchy } from './ca';

export const TSA_TIMESTAMP_PATH = '/api/v1/timestamp';

const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sigstoreTsaPolicy: '1.3.6.1.4.1.57264.2',
  contentTypeSignedData: '1.2.840.113549.1.7.2',
  contentTypeTstInfo: '1.2.840.113549.1.9.16.1.4',
  attributeContentType: '1.2.840.113549.1.9.3',
  attributeSigningTime: '1.2.840.113549.1.9.5',
  attributeMessageDigest: '1.2.840.113549.1.9.4',
  attributeSigningCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

const HASH_OIDS: Record<string, string> = {
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

interface TimestampRequest {
  artifactHash?: string;
  hashAlgorithm?: string;
  nonce?: number;
  tsaPolicyOID?: string;
  certificates?: boolean;
}

/**
 * An RFC 3161 TSA answering sigstore-js' JSON timestamp requests (`POST /api/v1/timestamp`)
 * with a DER TimeStampResp: TSTInfo signed in CMS SignedData by a time-stamping certificate
 * under the TSA root, with the signing-certificate-v2 attribute. `genTime` has whole seconds
 * (sigstore-js parses fractions only as exactly three digits, which DER does not guarantee).
 */
export class TestTimestampAuthority {
  private readonly engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto });

  private constructor(
    private readonly hierarchy: CertificateHierarchy,
    private readonly now: () => Date,
  ) {}

  static async create(options: {
    organization?: string | undefined;
    validFrom: Date;
    validUntil: Date;
    now: () => Date;
  }): Promise<TestTimestampAuthority> {
    const hierarchy = await createCertificateHierarchy({
      name: 'oci-sd test tsa',
      purpose: 'time-stamping',
      ...options,
    });
    return new TestTimestampAuthority(hierarchy, options.now);
  }

  /** Chain for the trusted root, signer first. */
  get chain() {
    return [this.hierarchy.intermediate, this.hierarchy.root];
  }

  handler(): HandlerFn {
    return async (body) => {
      let request: Required<Omit<TimestampRequest, 'nonce'>> & {
        nonce?: number | undefined;
        hashOID: string;
      };
      try {
        const parsed = JSON.parse(body) as TimestampRequest;
        if (!parsed.artifactHash) throw new Error('artifactHash is required');
        const hashOID =
          HASH_OIDS[(parsed.hashAlgorithm ?? 'sha256').toLowerCase().replace('-', '')];
        if (!hashOID)
          throw new Error(
            `hashAlgorithm: expected sha256, sha384 or sha512, found "${parsed.hashAlgorithm}"`,
          );
        request = {
          artifactHash: parsed.artifactHash,
          hashAlgorithm: parsed.hashAlgorithm ?? 'sha256',
          tsaPolicyOID: parsed.tsaPolicyOID ?? OID.sigstoreTsaPolicy,
          certificates: parsed.certificates ?? false,
          nonce: parsed.nonce,
          hashOID,
        };
      } catch (error) {
        return {
          statusCode: 400,
          response: error instanceof Error ? error.message : String(error),
        };
      }
      return {
        statusCode: 201,
        contentType: 'application/timestamp-reply',
        response: await this.timestamp(request),
      };
    };
  }

  private async timestamp(request: {
    artifactHash: string;
    hashOID: string;
    tsaPolicyOID: string;
    certificates: boolean;
    nonce?: number | undefined;
  }) {
    const genTime = new Date(Math.floor(this.now().getTime() / 1000) * 1000);
    const tstInfo = new pkijs.TSTInfo({
      version: 1,
      policy: request.tsaPolicyOID,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: request.hashOID }),
        hashedMessage: new asn1js.OctetString({
          valueHex: toArrayBuffer(Buffer.from(request.artifactHash, 'base64')),
        }),
      }),
      serialNumber: new asn1js.Integer({
        valueHex: toArrayBuffer(Buffer.from(randomSerial(), 'hex')),
      }),
      genTime,
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ...(request.nonce === undefined
        ? {}
        : { nonce: new asn1js.Integer({ value: request.nonce }) }),
    });
    const tstInfoDER = Buffer.from(tstInfo.toSchema().toBER(false));
    const signer = pkijs.Certificate.fromBER(this.hierarchy.intermediate.rawData);

    const encapContentInfo = new pkijs.EncapsulatedContentInfo({
      eContentType: OID.contentTypeTstInfo,
    });
    // Set after construction: the constructor would split eContent into chunked OCTET STRINGs.
    encapContentInfo.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(tstInfoDER) });
    const signedData = new pkijs.SignedData({
      version: 3,
      encapContentInfo,
      ...(request.certificates ? { certificates: [signer] } : {}),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: signer.issuer,
            serialNumber: signer.serialNumber,
          }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              new pkijs.Attribute({
                type: OID.attributeContentType,
                values: [new asn1js.ObjectIdentifier({ value: OID.contentTypeTstInfo })],
              }),
              new pkijs.Attribute({
                type: OID.attributeSigningTime,
                values: [new asn1js.UTCTime({ valueDate: genTime })],
              }),
              new pkijs.Attribute({
                type: OID.attributeMessageDigest,
                values: [
                  new asn1js.OctetString({
                    valueHex: toArrayBuffer(createHash('sha384').update(tstInfoDER).digest()),
                  }),
                ],
              }),
              new pkijs.Attribute({
                type: OID.attributeSigningCertificateV2,
                values: [signingCertificateV2(signer, this.hierarchy)],
              }),
            ],
          }),
        }),
      ],
    });
    await signedData.sign(
      this.hierarchy.intermediateKeys.privateKey,
      0,
      'SHA-384',
      undefined,
      this.engine,
    );
    const response = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
      timeStampToken: new pkijs.ContentInfo({
        contentType: OID.contentTypeSignedData,
        content: signedData.toSchema(true),
      }),
    });
    return Buffer.from(response.toSchema().toBER(false));
  }
}

/** RFC 5035 SigningCertificateV2 { certs: [ESSCertIDv2 { certHash (SHA-256, the default), issuerSerial }] }. */
function signingCertificateV2(
  signer: pkijs.Certificate,
  hierarchy: CertificateHierarchy,
): asn1js.Sequence {
  const certHash = createHash('sha256')
    .update(Buffer.from(hierarchy.intermediate.rawData))
    .digest();
  const issuerSerial = new pkijs.IssuerSerial({
    issuer: new pkijs.GeneralNames({
      names: [new pkijs.GeneralName({ type: 4, value: signer.issuer })],
    }),
    serialNumber: signer.serialNumber,
  });
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(certHash) }), issuerSerial.toSchema()],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}
