import type { SerializedBundle, SerializedEnvelope } from '@sigstore/bundle';
import { VerificationError } from '../errors';
import {
  BUNDLE_V01_MEDIA_TYPE,
  COSIGN_ANNOTATIONS,
  pemToDerBase64,
  sha256Digest,
  type CosignRekorBundle,
  type Descriptor,
} from '@oci-sd/oci';

function malformed(where: string, field: string, expected: string, found: unknown): never {
  throw new VerificationError(
    'MALFORMED',
    `${where}: ${field}: expected ${expected}, found ${JSON.stringify(found)?.slice(0, 200)}`,
    { expected, found },
  );
}

function parseJson(text: string, where: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return malformed(where, field, 'JSON', text);
  }
}

function parseRekorBundle(text: string, where: string): CosignRekorBundle {
  const field = `annotation ${COSIGN_ANNOTATIONS.bundle}`;
  const json = parseJson(text, where, field) as Partial<CosignRekorBundle> | null;
  const payload = json?.Payload;
  if (typeof json?.SignedEntryTimestamp !== 'string')
    malformed(
      where,
      `${field}.SignedEntryTimestamp`,
      'a base64 string',
      json?.SignedEntryTimestamp,
    );
  if (typeof payload?.body !== 'string')
    malformed(where, `${field}.Payload.body`, 'a base64 string', payload?.body);
  if (!Number.isSafeInteger(payload.integratedTime))
    malformed(where, `${field}.Payload.integratedTime`, 'an integer', payload.integratedTime);
  if (!Number.isSafeInteger(payload.logIndex))
    malformed(where, `${field}.Payload.logIndex`, 'an integer', payload.logIndex);
  if (typeof payload.logID !== 'string' || !/^[a-f0-9]+$/.test(payload.logID))
    malformed(where, `${field}.Payload.logID`, 'a hex string', payload.logID);
  return json as CosignRekorBundle;
}

/** Rekor's `kind` and `apiVersion`, read from the entry body: sigstore-js needs them as kindVersion. */
function kindVersion(body: string, where: string): { kind: string; version: string } {
  const decoded = parseJson(
    Buffer.from(body, 'base64').toString('utf8'),
    where,
    `annotation ${COSIGN_ANNOTATIONS.bundle} Payload.body`,
  ) as { kind?: unknown; apiVersion?: unknown } | null;
  if (typeof decoded?.kind !== 'string' || typeof decoded.apiVersion !== 'string') {
    malformed(
      where,
      `annotation ${COSIGN_ANNOTATIONS.bundle} Payload.body`,
      'a Rekor entry with kind and apiVersion',
      decoded,
    );
  }
  return { kind: decoded.kind, version: decoded.apiVersion };
}

function parseEnvelope(blob: Buffer, where: string): SerializedEnvelope {
  const json = parseJson(
    blob.toString('utf8'),
    where,
    'DSSE envelope layer',
  ) as Partial<SerializedEnvelope> | null;
  if (typeof json?.payloadType !== 'string')
    malformed(where, 'envelope.payloadType', 'a string', json?.payloadType);
  if (typeof json.payload !== 'string')
    malformed(where, 'envelope.payload', 'a base64 string', json.payload);
  if (!Array.isArray(json.signatures) || json.signatures.length === 0)
    malformed(where, 'envelope.signatures', 'a non-empty array', json.signatures);
  const signatures = json.signatures.map((signature, i) => {
    if (typeof signature?.sig !== 'string')
      malformed(where, `envelope.signatures[${i}].sig`, 'a base64 string', signature?.sig);
    return {
      sig: signature.sig,
      keyid: typeof signature.keyid === 'string' ? signature.keyid : '',
    };
  });
  return { payloadType: json.payloadType, payload: json.payload, signatures };
}

/**
 * Converts one cosign v2 layer (`.sig`: simple-signing payload; `.att`: DSSE envelope) and its
 * annotations into a Sigstore bundle v0.1, the form @sigstore/verify accepts: certificate chain,
 * tlog entry with inclusion promise, RFC3161 timestamp when present. `blob` must already be checked
 * against the layer digest. Nothing is verified here.
 */
export function legacyLayerToBundle(
  layer: Descriptor,
  blob: Buffer,
  kind: 'signature' | 'attestation',
  where: string,
): SerializedBundle {
  const annotations = layer.annotations ?? {};
  const certificatePem = annotations[COSIGN_ANNOTATIONS.certificate];
  const leaf = pemToDerBase64(certificatePem ?? '');
  if (certificatePem !== undefined && leaf.length !== 1)
    malformed(
      where,
      `annotation ${COSIGN_ANNOTATIONS.certificate}`,
      'one PEM certificate',
      certificatePem,
    );
  // The chain only means something after a leaf; without one the layer is key-signed.
  const certificates =
    leaf.length === 1
      ? [...leaf, ...pemToDerBase64(annotations[COSIGN_ANNOTATIONS.chain] ?? '')].map(
          (rawBytes) => ({ rawBytes }),
        )
      : [];

  const rekorText = annotations[COSIGN_ANNOTATIONS.bundle];
  const tlogEntries: SerializedBundle['verificationMaterial']['tlogEntries'] = [];
  if (rekorText !== undefined) {
    const rekor = parseRekorBundle(rekorText, where);
    tlogEntries.push({
      logIndex: String(rekor.Payload.logIndex),
      logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
      kindVersion: kindVersion(rekor.Payload.body, where),
      integratedTime: String(rekor.Payload.integratedTime),
      inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
      inclusionProof: undefined,
      canonicalizedBody: rekor.Payload.body,
    });
  }

  let timestampVerificationData: SerializedBundle['verificationMaterial']['timestampVerificationData'];
  const timestampText = annotations[COSIGN_ANNOTATIONS.rfc3161Timestamp];
  // cosign timestamps a signature's raw bytes (as bundles do) but an attestation's whole envelope JSON,
  // which a bundle cannot express: attestations keep only their log time.
  if (timestampText !== undefined && kind === 'signature') {
    const timestamp = parseJson(
      timestampText,
      where,
      `annotation ${COSIGN_ANNOTATIONS.rfc3161Timestamp}`,
    ) as { SignedRFC3161Timestamp?: unknown } | null;
    if (typeof timestamp?.SignedRFC3161Timestamp !== 'string')
      malformed(
        where,
        `annotation ${COSIGN_ANNOTATIONS.rfc3161Timestamp}.SignedRFC3161Timestamp`,
        'a base64 string',
        timestamp,
      );
    timestampVerificationData = {
      rfc3161Timestamps: [{ signedTimestamp: timestamp.SignedRFC3161Timestamp }],
    };
  }

  // Key-based cosign signatures carry no certificate: the verifier then needs the key (hint left empty).
  const verificationMaterial = {
    ...(certificates.length > 0
      ? { x509CertificateChain: { certificates } }
      : { publicKey: { hint: '' } }),
    tlogEntries,
    timestampVerificationData,
  } as SerializedBundle['verificationMaterial'];

  if (kind === 'attestation') {
    return {
      mediaType: BUNDLE_V01_MEDIA_TYPE,
      verificationMaterial,
      dsseEnvelope: parseEnvelope(blob, where),
    } as SerializedBundle;
  }
  const signature = annotations[COSIGN_ANNOTATIONS.signature];
  if (typeof signature !== 'string' || signature === '')
    malformed(where, `annotation ${COSIGN_ANNOTATIONS.signature}`, 'a base64 signature', signature);
  return {
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial,
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: Buffer.from(sha256Digest(blob).slice('sha256:'.length), 'hex').toString('base64'),
      },
      signature,
    },
  } as SerializedBundle;
}
