import { describe, expect, it } from 'vitest';
import { resolvePredicateType } from '../src/index';

describe('resolvePredicateType', () => {
  it('maps cosign short names', () => {
    expect(resolvePredicateType('cyclonedx')).toBe('https://cyclonedx.org/bom');
    expect(resolvePredicateType('slsaprovenance')).toBe('https://slsa.dev/provenance/v0.2');
    expect(resolvePredicateType('slsaprovenance1')).toBe('https://slsa.dev/provenance/v1');
  });

  it('uses anything else verbatim, including names that shadow Object.prototype', () => {
    const seed = 'https://github.com/amaanx86/oci-prometheus-sd-proxy/release-metadata';
    expect(resolvePredicateType(seed)).toBe(seed);
    expect(resolvePredicateType('toString')).toBe('toString');
  });
});
