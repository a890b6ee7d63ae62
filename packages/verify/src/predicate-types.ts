/** cosign's `--type` short names; anything else is a predicate type URI used verbatim. */
export const PREDICATE_TYPE_SHORT_NAMES: Readonly<Record<string, string>> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

export function resolvePredicateType(type: string): string {
  return Object.hasOwn(PREDICATE_TYPE_SHORT_NAMES, type) ? PREDICATE_TYPE_SHORT_NAMES[type]! : type;
}
