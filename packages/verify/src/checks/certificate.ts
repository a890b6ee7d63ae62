import { ASN1Obj } from '@sigstore/core';
import type { X509Certificate } from '@sigstore/core';

/** Fulcio certificate extensions worth reporting (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md). */
export const FULCIO_EXTENSIONS = {
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerURI: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryURI: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerURI: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigURI: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationURI: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibilityAtSigning: '1.3.6.1.4.1.57264.1.22',
} as const;

export type FulcioExtensionName = keyof typeof FULCIO_EXTENSIONS;

/** Fulcio's first GitHub extensions (1.1 to 1.6, raw bytes, not DER strings): certificates before 2023 have only these. */
export const LEGACY_FULCIO_EXTENSIONS = {
  issuer: '1.3.6.1.4.1.57264.1.1',
  githubWorkflowTrigger: '1.3.6.1.4.1.57264.1.2',
  githubWorkflowSha: '1.3.6.1.4.1.57264.1.3',
  githubWorkflowName: '1.3.6.1.4.1.57264.1.4',
  githubWorkflowRepository: '1.3.6.1.4.1.57264.1.5',
  githubWorkflowRef: '1.3.6.1.4.1.57264.1.6',
} as const;

export type LegacyFulcioExtensionName = keyof typeof LEGACY_FULCIO_EXTENSIONS;

export interface CertificateIdentity {
  /** Every SAN value (URI, email, otherName) in the certificate. */
  subjectAlternativeNames: string[];
  issuer?: string;
  notBefore: string;
  notAfter: string;
  extensions: Partial<Record<FulcioExtensionName, string>>;
  legacyExtensions: Partial<Record<LegacyFulcioExtensionName, string>>;
}

export function certificateIdentity(cert: X509Certificate): CertificateIdentity {
  const extensions: Partial<Record<FulcioExtensionName, string>> = {};
  for (const [name, oid] of Object.entries(FULCIO_EXTENSIONS) as [FulcioExtensionName, string][]) {
    const value = derStringExtension(cert, oid);
    if (value !== undefined) extensions[name] = value;
  }
  const legacyExtensions: Partial<Record<LegacyFulcioExtensionName, string>> = {};
  for (const [name, oid] of Object.entries(LEGACY_FULCIO_EXTENSIONS) as [
    LegacyFulcioExtensionName,
    string,
  ][]) {
    const value = cert.extension(oid)?.value.toString('utf8');
    if (value !== undefined) legacyExtensions[name] = value;
  }
  const issuer = extensions.issuer ?? legacyExtensions.issuer;
  return {
    subjectAlternativeNames: subjectAlternativeNames(cert),
    ...(issuer === undefined ? {} : { issuer }),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    extensions,
    legacyExtensions,
  };
}

/** Fulcio v2 extensions (1.8 on) wrap their value in a DER UTF8String. */
function derStringExtension(cert: X509Certificate, oid: string): string | undefined {
  const extension = cert.extension(oid);
  if (!extension) return undefined;
  try {
    return ASN1Obj.parseBuffer(Buffer.from(extension.value)).value.toString('utf8');
  } catch {
    return undefined;
  }
}

const SAN_OTHER_NAME = 0;
const SAN_EMAIL = 1;
const SAN_URI = 6;

function subjectAlternativeNames(cert: X509Certificate): string[] {
  // extnValue OCTET STRING > GeneralNames SEQUENCE > GeneralName [n]
  const generalNames = cert.extSubjectAltName?.valueObj.subs[0]?.subs ?? [];
  const names: string[] = [];
  for (const name of generalNames) {
    if (name.tag.isContextSpecific(SAN_URI) || name.tag.isContextSpecific(SAN_EMAIL)) {
      names.push(name.value.toString('utf8'));
    } else if (name.tag.isContextSpecific(SAN_OTHER_NAME)) {
      // otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT UTF8String } (Fulcio's username SAN)
      const value = name.subs[1]?.subs[0]?.value;
      if (value) names.push(value.toString('utf8'));
    }
  }
  return names;
}
