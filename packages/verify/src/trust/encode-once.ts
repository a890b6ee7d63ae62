import type { ASN1Obj, X509Certificate } from '@sigstore/core';

/**
 * @sigstore/core re-encodes DER from the parsed tree on every `equals`, `verify`, `subject`,
 * `issuer` and `publicKey` of a certificate, allocating two 1 KiB buffers per ASN.1 node: a chain
 * check makes six `equals` calls, and on a cold start the re-encoding cost ~45 ms of a `verify
 * release`. A parsed tree never changes, so the nodes those calls encode (the certificate, its
 * tbsCertificate and that one's fields) encode once, on first use, for the certificates we hand
 * to the verifier. Copies (`clone()`, which the SCT check edits) are fresh trees and encode as before.
 */
export function encodeOnce(certificate: X509Certificate): void {
  cacheEncoding(certificate.root, 2);
}

function cacheEncoding(node: ASN1Obj, depth: number): void {
  const encode = node.toDER;
  let der: Buffer | undefined;
  node.toDER = () => (der ??= encode.call(node));
  if (depth > 0) for (const sub of node.subs) cacheEncoding(sub, depth - 1);
}
