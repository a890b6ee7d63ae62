import { createPublicKey, verify } from 'node:crypto';
import type { HandlerFn } from '@sigstore/mock';
import type { TestCertificateAuthority } from './ca';
import { certificateExtensions, certificateSubject } from './identity';
import type { TestOidcProvider } from './oidc';

export const FULCIO_SIGNING_CERT_PATH = '/api/v2/signingCert';

interface SigningCertRequest {
  credentials?: { oidcIdentityToken?: string };
  publicKeyRequest?: { publicKey?: { content?: string }; proofOfPossession?: string };
}

/**
 * Fulcio's `POST /api/v2/signingCert`: checks the identity token against the test OIDC
 * provider and the proof of possession (a signature over the token subject, as sigstore-js
 * sends it), then issues a certificate whose SAN and extensions follow Fulcio's claim rules.
 */
export function fulcioSigningCertHandler(
  ca: TestCertificateAuthority,
  oidc: TestOidcProvider,
): HandlerFn {
  return async (body) => {
    let certificatePem: string;
    try {
      const request = JSON.parse(body) as SigningCertRequest;
      const token = request.credentials?.oidcIdentityToken;
      const publicKeyPem = request.publicKeyRequest?.publicKey?.content;
      const proof = request.publicKeyRequest?.proofOfPossession;
      if (!token) throw new Error('credentials.oidcIdentityToken is missing');
      if (!publicKeyPem || !proof)
        throw new Error(
          'publicKeyRequest.publicKey.content and publicKeyRequest.proofOfPossession are required',
        );
      const claims = oidc.verify(token);
      const subject = certificateSubject(claims);
      const publicKey = createPublicKey(publicKeyPem);
      // sigstore-js signs the email claim when present, else `sub`.
      const challenge = typeof claims.email === 'string' ? claims.email : String(claims.sub);
      if (!verify('sha256', Buffer.from(challenge), publicKey, Buffer.from(proof, 'base64'))) {
        throw new Error(
          `proof of possession does not verify: expected a signature over "${challenge}" by the submitted key`,
        );
      }
      const certificate = await ca.issue({
        publicKey: publicKey.export({ format: 'der', type: 'spki' }),
        subject,
        extensions: certificateExtensions(claims),
      });
      certificatePem = certificate.toString('pem');
    } catch (error) {
      return { statusCode: 400, response: error instanceof Error ? error.message : String(error) };
    }
    const chain = [certificatePem, ...ca.chain.map((certificate) => certificate.toString('pem'))];
    return {
      statusCode: 201,
      contentType: 'application/json',
      response: JSON.stringify({
        signedCertificateEmbeddedSct: { chain: { certificates: chain } },
      }),
    };
  };
}
