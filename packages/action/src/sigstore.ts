import { PUBLIC_GOOD_FULCIO_URL, PUBLIC_GOOD_REKOR_URL } from '@oci-sd/core';
import { bundleToJSON } from '@sigstore/bundle';
import type { SerializedBundle } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness } from '@sigstore/sign';
import type { Witness } from '@sigstore/sign';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface SigstoreEndpoints {
  fulcioUrl?: string;
  rekorUrl?: string;
  /** RFC 3161 timestamps when set (e.g. https://timestamp.sigstore.dev/api/v1/timestamp). */
  tsaUrl?: string;
}

/** An in-toto v1 statement about one image digest, as cosign v3 signs and attests. */
export function inTotoStatement(
  subjectName: string,
  digest: `sha256:${string}`,
  predicateType: string,
  predicate: unknown,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: subjectName, digest: { sha256: digest.slice('sha256:'.length) } }],
      predicateType,
      predicate,
    }),
  );
}

/**
 * Keyless DSSE signing (cosign v3 `sign`/`attest`): a Fulcio certificate for the OIDC identity,
 * a Rekor `dsse` entry, optionally a TSA timestamp; a v0.3 bundle. Sigstore requests time out
 * and are retried on 5xx/429.
 */
export async function signStatement(
  statement: Buffer,
  identityToken: string,
  endpoints: SigstoreEndpoints = {},
): Promise<SerializedBundle> {
  const fetchOptions = { timeout: 30_000, retry: { retries: 2, factor: 2, minTimeout: 500 } };
  const witnesses: Witness[] = [
    new RekorWitness({
      rekorBaseURL: endpoints.rekorUrl ?? PUBLIC_GOOD_REKOR_URL,
      entryType: 'dsse',
      ...fetchOptions,
    }),
  ];
  if (endpoints.tsaUrl)
    witnesses.push(new TSAWitness({ tsaBaseURL: endpoints.tsaUrl, ...fetchOptions }));
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({
      identityProvider: { getToken: async () => identityToken },
      fulcioBaseURL: endpoints.fulcioUrl ?? PUBLIC_GOOD_FULCIO_URL,
      ...fetchOptions,
    }),
    witnesses,
    certificateChain: false,
  });
  return bundleToJSON(await builder.create({ data: statement, type: IN_TOTO_PAYLOAD_TYPE }));
}
