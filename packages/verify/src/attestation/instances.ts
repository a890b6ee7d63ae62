import { ASN1Obj, X509Certificate } from '@sigstore/core';
import type { SerializedBundle } from '@sigstore/bundle';
import type { VerifierOptions } from '@sigstore/verify';
import type { LoadedTrustMaterial } from '../trust/trusted-root';

/** The leaf issuer organizations gh tells the two instances apart by (spec: "What is produced"). */
export const PUBLIC_GOOD_ISSUER_ORGANIZATION = 'sigstore.dev';
export const GITHUB_ISSUER_ORGANIZATION = 'GitHub, Inc.';

export type SigstoreInstance = 'public-good' | 'github' | 'custom';

/** What a bundle of an instance must carry, as gh configures sigstore-go for it. */
export interface InstanceRequirements {
  instance: SigstoreInstance;
  /** One SCT and one log entry (public good) or none (GitHub: the TSA is the only witness). */
  thresholds: VerifierOptions;
  /** GitHub's instance: at least one RFC 3161 timestamp, since there is no log time to verify at. */
  signedTimestamps: number;
}

export interface TrustChoice extends InstanceRequirements {
  trust: LoadedTrustMaterial;
}

export type TrustSelection =
  | { ok: true; choices: TrustChoice[]; issuer: string }
  | { ok: false; message: string; expected: unknown; found: unknown };

const ORGANIZATION_OID = '2.5.4.10';
const COMMON_NAME_OID = '2.5.4.3';

/** The leaf certificate of a bundle (v0.1/v0.2 chain or v0.3 certificate); undefined for keyed bundles. */
export function leafCertificate(bundle: SerializedBundle): X509Certificate | undefined {
  const material = bundle.verificationMaterial as unknown as {
    certificate?: { rawBytes?: string };
    x509CertificateChain?: { certificates?: { rawBytes?: string }[] };
  };
  const raw =
    material?.certificate?.rawBytes ?? material?.x509CertificateChain?.certificates?.[0]?.rawBytes;
  if (typeof raw !== 'string') return undefined;
  try {
    return X509Certificate.parse(Buffer.from(raw, 'base64'));
  } catch {
    // the bundle check reports the parse failure
    return undefined;
  }
}

/**
 * The trusted roots that can vouch for `leaf`: those with a certificate authority whose chain holds the
 * leaf's issuer (the same distinguished name). gh infers the policy from the issuer organization only and
 * uses the trusted root it was given: public good (SCT and log entry), GitHub (signed timestamps, no log);
 * any other instance gets what its root can witness (a log when it lists one, else a TSA).
 */
export function selectTrust(
  leaf: X509Certificate,
  roots: readonly LoadedTrustMaterial[],
  options: { noPublicGood: boolean },
): TrustSelection {
  const issuer = describeName(leaf.issuer);
  const organization = issuerOrganization(leaf);
  if (options.noPublicGood && organization === PUBLIC_GOOD_ISSUER_ORGANIZATION) {
    return {
      ok: false,
      message: `certificate issued by the public-good instance (${issuer}), refused without public good`,
      expected: `an issuer other than O=${PUBLIC_GOOD_ISSUER_ORGANIZATION}`,
      found: issuer,
    };
  }
  const matching = roots.filter((root) =>
    root.material.certificateAuthorities.some((authority) =>
      authority.certChain.some((certificate) => certificate.subject.equals(leaf.issuer)),
    ),
  );
  if (matching.length === 0) {
    return {
      ok: false,
      message: `no trusted root has a certificate authority for the leaf's issuer ${issuer}`,
      expected: roots.map((root) => root.source),
      found: issuer,
    };
  }
  return {
    ok: true,
    issuer,
    choices: matching.map((trust) => ({ trust, ...requirementsFor(organization, trust) })),
  };
}

function requirementsFor(
  organization: string | undefined,
  trust: LoadedTrustMaterial,
): InstanceRequirements {
  if (organization === PUBLIC_GOOD_ISSUER_ORGANIZATION)
    return { instance: 'public-good', thresholds: {}, signedTimestamps: 0 };
  if (organization === GITHUB_ISSUER_ORGANIZATION) return githubShaped('github');
  const { tlogs, ctlogs } = trust.material;
  if (tlogs.length === 0) return githubShaped('custom');
  return {
    instance: 'custom',
    thresholds: { ctlogThreshold: ctlogs.length > 0 ? 1 : 0 },
    signedTimestamps: 0,
  };
}

function githubShaped(instance: SigstoreInstance): InstanceRequirements {
  return {
    instance,
    thresholds: { ctlogThreshold: 0, tlogThreshold: 0, timestampThreshold: 1 },
    signedTimestamps: 1,
  };
}

/** The organization of the leaf's issuer: which instance issued it. */
export function issuerOrganization(leaf: X509Certificate): string | undefined {
  return nameAttribute(leaf.issuer, ORGANIZATION_OID);
}

/** `CN=..., O=...` of a DER Name, for messages. */
function describeName(name: Buffer): string {
  const parts = [
    ['CN', nameAttribute(name, COMMON_NAME_OID)],
    ['O', nameAttribute(name, ORGANIZATION_OID)],
  ].filter(([, value]) => value !== undefined);
  return parts.length === 0
    ? '(unnamed)'
    : parts.map(([key, value]) => `${key}=${value}`).join(', ');
}

/**
 * Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY } (RFC 5280 section 4.1.2.4);
 * @sigstore/core hands out the SEQUENCE's contents, so they are wrapped again to be parsed.
 */
function nameAttribute(contents: Buffer, oid: string): string | undefined {
  try {
    for (const set of ASN1Obj.parseBuffer(derSequence(contents)).subs) {
      for (const attribute of set.subs) {
        const [type, value] = attribute.subs;
        if (type && value && type.toOID() === oid) return value.value.toString('utf8');
      }
    }
  } catch {
    // a Name that does not parse has no such attribute
  }
  return undefined;
}

function derSequence(contents: Buffer): Buffer<ArrayBuffer> {
  const length = contents.length;
  const header =
    length < 0x80
      ? [0x30, length]
      : length < 0x100
        ? [0x30, 0x81, length]
        : [0x30, 0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from(header), contents]) as Buffer<ArrayBuffer>;
}
