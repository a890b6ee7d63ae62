/**
 * The parts of @sigstore/core's `X509Certificate` (and its ASN.1 tree) these helpers touch, described
 * structurally: core stays free of the Sigstore libraries it helps.
 */
interface DerNode {
  toDER(): Buffer;
  subs: DerNode[];
}

export interface ParsedCertificate {
  root: DerNode;
  verify(issuer?: ParsedCertificate): boolean;
}

/**
 * @sigstore/core re-encodes DER from the parsed tree on every `equals`, `verify`, `subject`,
 * `issuer` and `publicKey` of a certificate, allocating two 1 KiB buffers per ASN.1 node: a chain
 * check makes six `equals` calls, and on a cold start the re-encoding cost ~45 ms of a `verify
 * release`. A parsed tree never changes, so the nodes those calls encode (the certificate, its
 * tbsCertificate and that one's fields) encode once, on first use. Copies (`clone()`, which the SCT
 * check edits) are fresh trees and encode as before.
 */
export function encodeOnce(certificate: ParsedCertificate): void {
  cacheEncoding(certificate.root, 2);
}

function cacheEncoding(node: DerNode, depth: number): void {
  const encode = node.toDER;
  let der: Buffer | undefined;
  node.toDER = () => (der ??= encode.call(node));
  if (depth > 0) for (const sub of node.subs) cacheEncoding(sub, depth - 1);
}

/**
 * A trusted CA chain (a trusted root's certificate authority): DER encoded once, and each
 * certificate's signature check against a certificate of the same chain (the root's own, the
 * intermediate's by the root) computed once. @sigstore/verify builds the path from every leaf up
 * through these and checks both signatures again per bundle; trusted material does not change
 * between bundles. A check against any other certificate (one a bundle brought) runs every time.
 */
export function prepareTrustedChain(chain: readonly ParsedCertificate[]): void {
  for (const certificate of chain) {
    encodeOnce(certificate);
    const verify = certificate.verify.bind(certificate);
    const verdicts = new Map<ParsedCertificate | undefined, boolean>();
    certificate.verify = (issuer) => {
      if (issuer !== undefined && !chain.includes(issuer)) return verify(issuer);
      let verdict = verdicts.get(issuer);
      if (verdict === undefined) {
        verdict = verify(issuer);
        verdicts.set(issuer, verdict);
      }
      return verdict;
    };
  }
}
