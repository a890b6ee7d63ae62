import { PUBLIC_GOOD_FULCIO_URL, PUBLIC_GOOD_REKOR_URL } from '@oci-sd/core';
import { bundleToJSON } from '@sigstore/bundle';
import type { MessageSignatureBundleBuilder, Witness } from '@sigstore/sign';
import type { SigstoreTrustedRootJSON, TufKey } from '../crypto';
import { TufError } from '../errors';
import { identityFromToken, type IdentityTokenProvider, type TokenIdentity } from './identity';
import type { SignatureMaterial, TufSigner } from './types';

export interface SigstoreSignerOptions {
  token: IdentityTokenProvider;
  fulcioUrl?: string;
  rekorUrl?: string;
  /** RFC 3161 timestamp authority; none by default (Rekor's integrated time suffices). */
  tsaUrl?: string;
  /** The certificate identity and issuer as they go in the key; derived from the token by default. */
  identity?: string;
  issuer?: string;
  /** Trusted root that verifies bundles from these services (public good when omitted). */
  trustedRoot?: SigstoreTrustedRootJSON;
  timeoutMs?: number;
  /** Retries on 5xx/429 for each Sigstore request. */
  retries?: number;
}

/**
 * Keyless signing as tuf-on-ci does: a Fulcio certificate for the OIDC identity, a message
 * signature over the canonical metadata, a hashedrekord entry in Rekor, all in a v0.3 bundle;
 * `sig` carries the signature in base64. The token is fetched once and reused for every role.
 */
export function sigstoreSigner(options: SigstoreSignerOptions): TufSigner {
  let token: Promise<string> | undefined;
  const getToken = () => (token ??= options.token.getToken());
  const identity = async (): Promise<TokenIdentity> => {
    if (options.identity && options.issuer)
      return { identity: options.identity, issuer: options.issuer };
    const derived = identityFromToken(await getToken());
    return {
      identity: options.identity ?? derived.identity,
      issuer: options.issuer ?? derived.issuer,
    };
  };
  let builder: Promise<MessageSignatureBundleBuilder> | undefined;
  const bundleBuilder = () => (builder ??= createBundleBuilder(options, getToken));
  return {
    description: `Sigstore (${options.token.description}, Fulcio ${options.fulcioUrl ?? PUBLIC_GOOD_FULCIO_URL})`,
    ...(options.trustedRoot ? { sigstoreTrustedRoot: options.trustedRoot } : {}),
    async publicKey(): Promise<TufKey> {
      const { identity: id, issuer } = await identity();
      return { keytype: 'sigstore-oidc', scheme: 'Fulcio', keyval: { identity: id, issuer } };
    },
    async sign(signedBytes: Uint8Array): Promise<SignatureMaterial> {
      let bundle;
      try {
        bundle = await (await bundleBuilder()).create({ data: Buffer.from(signedBytes) });
      } catch (error) {
        throw new TufError('SIGNER', `Sigstore signing failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (bundle.content.$case !== 'messageSignature')
        throw new TufError('SIGNER', 'Sigstore returned a bundle without a message signature');
      return {
        sig: Buffer.from(bundle.content.messageSignature.signature).toString('base64'),
        bundle: bundleToJSON(bundle),
      };
    },
  };
}

/**
 * @sigstore/sign (and the HTTP stack under it) loads on the first signature, not with this package:
 * verifying TUF metadata never signs, and the import costs more than the whole verification.
 */
async function createBundleBuilder(
  options: SigstoreSignerOptions,
  getToken: () => Promise<string>,
): Promise<MessageSignatureBundleBuilder> {
  const { FulcioSigner, MessageSignatureBundleBuilder, RekorWitness, TSAWitness } =
    await import('@sigstore/sign');
  const fetchOptions = {
    timeout: options.timeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 2, factor: 2, minTimeout: 500 },
  };
  const witnesses: Witness[] = [
    new RekorWitness({ rekorBaseURL: options.rekorUrl ?? PUBLIC_GOOD_REKOR_URL, ...fetchOptions }),
  ];
  if (options.tsaUrl)
    witnesses.push(new TSAWitness({ tsaBaseURL: options.tsaUrl, ...fetchOptions }));
  return new MessageSignatureBundleBuilder({
    signer: new FulcioSigner({
      identityProvider: { getToken },
      fulcioBaseURL: options.fulcioUrl ?? PUBLIC_GOOD_FULCIO_URL,
      ...fetchOptions,
    }),
    witnesses,
  });
}
