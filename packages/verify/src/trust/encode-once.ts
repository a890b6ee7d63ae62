import type { ASN1Obj, X509Certificate } from '@sigstore/core';

/**
 * @sigstore/core re-encodes DER from the parsed tree on every `equals`, `verify`, `subject` and
 * `issuer` of a certificate, allocating two 1 KiB buffers per ASN.1 node: a chain check makes six
 * `equals` calls, and on a cold start the re-encoding cost ~45 ms of a `verify release`. A parsed
 * tree never changes, so each node of a certificate we hand to the verifier encodes once, on first
 * use. Copies (`clone()`, which the SCT check edits) are fresh trees and encode as before.
 */
export function encodeOnce(certificate: X509Certificate): void {
  cacheEncoding(certificate.root);
}

function cacheEncoding(node: ASN1Obj): void {
  const encode = node.toDER.bind(node);
  let der: Buffer | undefined;
  node.toDER = () => (der ??= encode());
  for (const sub of node.subs) cacheEncoding(sub);
}
