// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { bundleToJSON, toMessageSignatureBundle } from '@sigstore/bundle';
import type { BundleWithMessageSignature, SerializedBundle } from '@sigstore/bundle';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
} from '@sigstore/sign';
import type { Artifact, Signature, Witness } from '@sigstore/sign';
import { createHash } from 'node:crypto';

export interface SignOptions {
  /** Also get an RFC 3161 timestamp from the TSA (default false). */
  tsa?: boolean;
  /** Rekor entry kind for DSSE: `dsse` (cosign v3, default) or `intoto` (0.0.2). */
  rekorEntryType?: 'dsse' | 'intoto';
}

export interface SigningEndpoints {
  fulcioURL: string;
  /** Absent for an instance without a transparency log (GitHub's): the TSA is then the only witness. */
  rekorURL?: string;
  tsaURL: string;
  token: string;
}

// Loopback services answer at once; no retries keeps request counts exact.
const FETCH_OPTIONS = { timeout: 10_000, retry: false } as const;

/**
 * sigstore-js builds v0.2 bundles (a one-element certificate chain) for message signatures;
 * cosign and securesystemslib write v0.3 (`certificate`), so package the same parts as v0.3.
 */
class MessageSignatureV03BundleBuilder extends MessageSignatureBundleBuilder {
  protected override async package(
    artifact: Artifact,
    signature: Signature,
  ): Promise<BundleWithMessageSignature> {
    if (signature.key.$case !== 'x509Certificate')
      throw new Error('expected a Fulcio certificate from the signer');
    return toMessageSignatureBundle({
      digest: createHash('sha256').update(artifact.data).digest(),
      signature: signature.signature,
      certificate: Buffer.from(new x509.X509Certificate(signature.key.certificate).rawData),
      certificateChain: false,
    });
  }
}

function parts(endpoints: SigningEndpoints, options: SignOptions) {
  const signer = new FulcioSigner({
    fulcioBaseURL: endpoints.fulcioURL,
    identityProvider: { getToken: async () => endpoints.token },
    ...FETCH_OPTIONS,
  });
  const witnesses: Witness[] = [];
  if (endpoints.rekorURL !== undefined)
    witnesses.push(
      new RekorWitness({
        rekorBaseURL: endpoints.rekorURL,
        entryType: options.rekorEntryType ?? 'dsse',
        fetchOnConflict: false,
        ...FETCH_OPTIONS,
      }),
    );
  if (options.tsa || endpoints.rekorURL === undefined)
    witnesses.push(new TSAWitness({ tsaBaseURL: endpoints.tsaURL, ...FETCH_OPTIONS }));
  return { signer, witnesses };
}

export async function signMessage(
  endpoints: SigningEndpoints,
  message: Uint8Array,
  options: SignOptions = {},
): Promise<SerializedBundle> {
  const bundle = await new MessageSignatureV03BundleBuilder(parts(endpoints, options)).create({
    data: Buffer.from(message),
  });
  return bundleToJSON(bundle);
}

export async function signDsse(
  endpoints: SigningEndpoints,
  payload: Uint8Array,
  payloadType: string,
  options: SignOptions = {},
): Promise<SerializedBundle> {
  const builder = new DSSEBundleBuilder({ ...parts(endpoints, options), certificateChain: false });
  const bundle = await builder.create({ data: Buffer.from(payload), type: payloadType });
  return bundleToJSON(bundle);
}
