import type { SerializedBundle } from '@sigstore/bundle';

/** Layer annotations cosign v2 writes on `sha256-<hex>.sig` / `.att` manifests. */
export const COSIGN_ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
  predicateType: 'predicateType',
} as const;

/** Manifest annotations cosign v3 writes on OCI 1.1 referrer bundles. */
export const BUNDLE_ANNOTATIONS = {
  content: 'dev.sigstore.bundle.content',
  predicateType: 'dev.sigstore.bundle.predicateType',
  created: 'org.opencontainers.image.created',
} as const;

/** `dev.sigstore.cosign/bundle`: cosign's own record of the Rekor entry (body, time, index, log id, SET). */
export interface CosignRekorBundle {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

export const BUNDLE_V01_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

/** The in-toto predicate type `cosign sign` (v3) uses for image signatures carried as DSSE bundles. */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

export function pemToDerBase64(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map(
    (match) => match[1]!.replace(/\s+/g, ''),
  );
}

export function derBase64ToPem(der: string): string {
  const lines = der.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The predicate type of the in-toto statement in a DSSE bundle; unverified, for sorting and labelling only. */
export function inTotoPredicateType(bundle: SerializedBundle): string | undefined {
  if (!bundle.dsseEnvelope) return undefined;
  try {
    const statement = JSON.parse(
      Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'),
    ) as { predicateType?: unknown };
    return typeof statement.predicateType === 'string' ? statement.predicateType : undefined;
  } catch {
    return undefined;
  }
}
