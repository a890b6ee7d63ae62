/**
 * The parts of @sigstore/core's `X509Certificate` (and its ASN.1 tree) these helpers touch, described
 * structurally: core stays free of the Sigstore libraries it helps.
 */
interface DerNode {
  tag: { toDER(): number };
  value: Buffer;
  subs: DerNode[];
  toDER(): Buffer;
}

export interface ParsedCertificate {
  root: DerNode;
  verify(issuer?: ParsedCertificate): boolean;
  clone(): ParsedCertificate;
}

/** Bytes of a DER length field (short form below 128, else 0x80 | n and n big-endian bytes). */
function lengthOfLength(length: number): number {
  let bytes = 1;
  if (length >= 128) for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes++;
  return bytes;
}

function valueLength(node: DerNode): number {
  if (node.subs.length === 0) return node.value.length;
  let length = 0;
  for (const sub of node.subs) length += encodedLength(sub);
  return length;
}

function encodedLength(node: DerNode): number {
  const length = valueLength(node);
  return 1 + lengthOfLength(length) + length;
}

function writeNode(node: DerNode, out: Buffer, at: number): number {
  const length = valueLength(node);
  out[at++] = node.tag.toDER();
  if (length < 128) {
    out[at++] = length;
  } else {
    const bytes = lengthOfLength(length) - 1;
    out[at++] = 0x80 | bytes;
    for (let i = bytes - 1; i >= 0; i--) out[at++] = Math.floor(length / 256 ** i) % 256;
  }
  if (node.subs.length === 0) {
    node.value.copy(out, at);
    return at + node.value.length;
  }
  for (const sub of node.subs) at = writeNode(sub, out, at);
  return at;
}

/**
 * The DER of a parsed tree as it is now, byte for byte what @sigstore/core's `ASN1Obj.toDER` makes
 * (one tag byte, minimal length, the children's encodings or the value), written into one buffer of
 * the exact size instead of two growing 1 KiB streams per node.
 */
export function encodeDer(node: DerNode): Buffer {
  const out = Buffer.allocUnsafe(encodedLength(node));
  writeNode(node, out, 0);
  return out;
}

/**
 * @sigstore/core re-encodes DER from the parsed tree on every `equals`, `verify`, `subject`,
 * `issuer` and `publicKey` of a certificate, allocating two 1 KiB buffers per ASN.1 node: a chain
 * check makes six `equals` calls, and on a cold start the re-encoding cost ~45 ms of a `verify
 * release`. A parsed tree never changes, so the nodes those calls encode (the certificate, its
 * tbsCertificate and that one's fields) encode once, on first use, with encodeDer.
 */
export function encodeOnce(certificate: ParsedCertificate): void {
  cacheEncoding(certificate.root, 2);
  // The SCT check (RFC 6962 3.2) clones the certificate, removes the SCT extension from the copy
  // and encodes its tbsCertificate again. `clone()` would encode all of it and parse it back; a
  // copy of the tree (new nodes and child lists, the same read-only value bytes) is the same copy.
  const Certificate = certificate.constructor as new (root: DerNode) => ParsedCertificate;
  certificate.clone = () => new Certificate(copyTree(certificate.root));
}

/** A new tree of the same nodes, each encoding itself with encodeDer as it is when asked. */
function copyTree(node: DerNode): DerNode {
  const Node = node.constructor as new (
    tag: DerNode['tag'],
    value: Buffer,
    subs: DerNode[],
  ) => DerNode;
  const copy = new Node(node.tag, node.value, node.subs.map(copyTree));
  copy.toDER = () => encodeDer(copy);
  return copy;
}

function cacheEncoding(node: DerNode, depth: number): void {
  let der: Buffer | undefined;
  node.toDER = () => (der ??= encodeDer(node));
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
