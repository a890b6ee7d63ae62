// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { initializeCTLog } from '@sigstore/mock';
import type { CertificateExtensionValue, CertificateSubject } from './identity';

const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';
const CA_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-384' } as const;
const LEAF_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const CA_SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-384' } as const;
/** Fulcio certificates live ten minutes. */
export const LEAF_LIFETIME_MS = 10 * 60 * 1000;

const crypto = webcrypto;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CTLog = Awaited<ReturnType<typeof initializeCTLog>>;

export interface CertificateRequest {
  /** DER SubjectPublicKeyInfo of the signer's key. */
  publicKey: Uint8Array;
  subject: CertificateSubject;
  extensions: CertificateExtensionValue[];
}

export interface CertificateHierarchy {
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  intermediateKeys: CryptoKeyPair;
}

/**
 * A self-signed root and a second certificate under it (P-384, ECDSA-SHA384), valid over the
 * given window: a code-signing intermediate CA for Fulcio, or a time-stamping signer for a TSA.
 */
export async function createCertificateHierarchy(options: {
  name: string;
  /** Subject organization of both certificates (a leaf's issuer organization names the instance). */
  organization?: string | undefined;
  purpose: 'code-signing-ca' | 'time-stamping';
  validFrom: Date;
  validUntil: Date;
}): Promise<CertificateHierarchy> {
  const isCA = options.purpose === 'code-signing-ca';
  const rootKeys = (await crypto.subtle.generateKey(CA_KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const intermediateKeys = (await crypto.subtle.generateKey(CA_KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  // RFC 4514 string form: `GitHub, Inc.` needs its comma escaped to stay one attribute.
  const organization = (options.organization ?? 'oci-sd.test').replace(/[,+"\\<>;=]/g, '\\$&');
  const rootName = `CN=${options.name} root,O=${organization}`;
  const validity = { notBefore: options.validFrom, notAfter: options.validUntil };
  const root = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: rootName,
      ...validity,
      signingAlgorithm: CA_SIGNING_ALGORITHM,
      keys: rootKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const intermediate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${options.name} ${isCA ? 'intermediate' : 'signer'},O=${organization}`,
      issuer: rootName,
      ...validity,
      signingAlgorithm: CA_SIGNING_ALGORITHM,
      publicKey: intermediateKeys.publicKey,
      signingKey: rootKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(isCA, isCA ? 0 : undefined, true),
        new x509.KeyUsagesExtension(
          isCA
            ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
            : x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        new x509.ExtendedKeyUsageExtension(
          [isCA ? x509.ExtendedKeyUsage.codeSigning : x509.ExtendedKeyUsage.timeStamping],
          !isCA,
        ),
        await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { root, intermediate, intermediateKeys };
}

/**
 * A Fulcio-shaped CA: a self-signed root and an intermediate (P-384, ECDSA-SHA384), issuing
 * ten-minute code-signing leaves with the requested SAN and extensions and an embedded SCT
 * from the CT log (none without a CT log, as GitHub's instance). The chain is valid from
 * `validFrom` so that a clock in the past still yields verifiable certificates.
 */
export class TestCertificateAuthority {
  private constructor(
    private readonly intermediateKeys: CryptoKeyPair,
    readonly root: x509.X509Certificate,
    readonly intermediate: x509.X509Certificate,
    private readonly ctLog: CTLog | undefined,
    private readonly now: () => Date,
  ) {}

  static async create(options: {
    ctLog?: CTLog;
    organization?: string | undefined;
    validFrom: Date;
    validUntil: Date;
    now: () => Date;
  }): Promise<TestCertificateAuthority> {
    const hierarchy = await createCertificateHierarchy({
      name: 'oci-sd test fulcio',
      ...(options.organization === undefined ? {} : { organization: options.organization }),
      purpose: 'code-signing-ca',
      validFrom: options.validFrom,
      validUntil: options.validUntil,
    });
    return new TestCertificateAuthority(
      hierarchy.intermediateKeys,
      hierarchy.root,
      hierarchy.intermediate,
      options.ctLog,
      options.now,
    );
  }

  /** Chain for the trusted root and Fulcio responses, intermediate first. */
  get chain(): x509.X509Certificate[] {
    return [this.intermediate, this.root];
  }

  async issue(request: CertificateRequest): Promise<x509.X509Certificate> {
    const publicKey = await crypto.subtle.importKey(
      'spki',
      request.publicKey,
      LEAF_KEY_ALGORITHM,
      true,
      ['verify'],
    );
    const notBefore = this.now();
    const tbs = {
      serialNumber: randomSerial(),
      issuer: this.intermediate.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + LEAF_LIFETIME_MS),
      signingAlgorithm: CA_SIGNING_ALGORITHM,
      publicKey,
      signingKey: this.intermediateKeys.privateKey,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
        new x509.SubjectAlternativeNameExtension(
          [{ type: request.subject.type, value: request.subject.value }],
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(
          this.intermediateKeys.publicKey,
          false,
          crypto,
        ),
        ...request.extensions.map(
          (extension) =>
            new x509.Extension(
              extension.oid,
              false,
              extension.legacy
                ? Buffer.from(extension.value, 'utf8')
                : derUtf8String(extension.value),
            ),
        ),
      ],
    };
    // The CT log signs the certificate without its SCT list (RFC 6962 precertificate TBS);
    // verifiers rebuild that TBS by removing the extension again.
    const precertificate = await x509.X509CertificateGenerator.create(tbs, crypto);
    if (!this.ctLog) return precertificate;
    const issuerKeyHash = createHash('sha256')
      .update(Buffer.from(this.intermediate.publicKey.rawData))
      .digest();
    const sct = Buffer.from(
      await this.ctLog.log(precertificate.rawData, toArrayBuffer(issuerKeyHash)),
    );
    tbs.extensions.push(new x509.Extension(SCT_LIST_OID, false, derOctetString(sctList(sct))));
    return x509.X509CertificateGenerator.create(tbs, crypto);
  }
}

/** TLS `SignedCertificateTimestampList`: a u16 length, then the serialized SCTs (each already u16-prefixed). */
function sctList(serializedSct: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(serializedSct.length);
  return Buffer.concat([length, serializedSct]);
}

export function randomSerial(): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive INTEGER
  return serial.toString('hex');
}

function derUtf8String(value: string): Buffer {
  return derTagged(0x0c, Buffer.from(value, 'utf8'));
}

function derOctetString(value: Buffer): Buffer {
  return derTagged(0x04, value);
}

function derTagged(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
