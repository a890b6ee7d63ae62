import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { encodeDer, encodeOnce, prepareTrustedChain } from '../src/certificates';
import { publicGoodTrustedRoot } from '../src/index';

interface Authority {
  certChain: { certificates: { rawBytes: string }[] };
}

/** The public-good Fulcio chains: real certificates with extensions, key identifiers and long lengths. */
function chains(): X509Certificate[][] {
  const root = publicGoodTrustedRoot() as { certificateAuthorities: Authority[] };
  return root.certificateAuthorities.map((authority) =>
    authority.certChain.certificates.map((certificate) =>
      X509Certificate.parse(Buffer.from(certificate.rawBytes, 'base64')),
    ),
  );
}

describe('encodeDer', () => {
  it("is byte for byte @sigstore/core's toDER, for whole certificates and every node", () => {
    for (const certificate of chains().flat()) {
      const raw = certificate.root.toDER();
      expect(encodeDer(certificate.root).equals(raw)).toBe(true);
      const nodes = [certificate.root];
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i]!;
        expect(encodeDer(node).equals(node.toDER())).toBe(true);
        nodes.push(...node.subs);
      }
    }
  });

  it('encodes an edited tree as @sigstore/core does (an extension removed, as the SCT check does)', () => {
    for (const certificate of chains().flat()) {
      const edited = X509Certificate.parse(Buffer.from(certificate.root.toDER()));
      expect(edited.extensions.length).toBeGreaterThan(1);
      edited.extensions.splice(0, 1);
      const expected = edited.tbsCertificate.toDER();
      expect(encodeDer(edited.tbsCertificate).equals(expected)).toBe(true);
      expect(expected.length).toBeLessThan(certificate.tbsCertificate.toDER().length);
    }
  });
});

describe('encodeOnce and prepareTrustedChain', () => {
  it('keep every answer: encodings, the clone the SCT check edits, signature checks', () => {
    for (const chain of chains()) {
      const fresh = chain.map((certificate) =>
        X509Certificate.parse(Buffer.from(certificate.root.toDER())),
      );
      prepareTrustedChain(chain);
      chain.forEach(encodeOnce);
      chain.forEach((certificate, i) => {
        expect(certificate.root.toDER().equals(fresh[i]!.root.toDER())).toBe(true);
        expect(certificate.tbsCertificate.toDER().equals(fresh[i]!.tbsCertificate.toDER())).toBe(
          true,
        );
        const copy = certificate.clone();
        const freshCopy = fresh[i]!.clone();
        copy.extensions.splice(0, 1);
        freshCopy.extensions.splice(0, 1);
        expect(copy.tbsCertificate.toDER().equals(freshCopy.tbsCertificate.toDER())).toBe(true);
      });
      const root = chain[chain.length - 1]!;
      expect(root.verify()).toBe(true);
      expect(root.verify()).toBe(true);
      if (chain.length > 1) {
        expect(chain[0]!.verify(root)).toBe(fresh[0]!.verify(fresh[fresh.length - 1]));
        // Against a certificate from outside the chain (a copy counts as outside) the check runs again.
        const outsider = fresh[fresh.length - 1]!;
        expect(chain[0]!.verify(outsider)).toBe(true);
        expect(chain[0]!.verify(chain[0])).toBe(false);
      }
    }
  });
});
