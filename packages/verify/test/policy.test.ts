import { describe, expect, it } from 'vitest';
import { assertIdentityPolicy, describePolicy, identityMismatches } from '../src/policy/identity';
import type { CertificateIdentity } from '../src/checks/certificate';
import { VerificationError } from '../src/index';

const WORKFLOW =
  'https://github.com/acme/app/.github/workflows/docker-build-push.yml@refs/tags/v1.5.0';
const ISSUER = 'https://token.actions.githubusercontent.com';
const certificate: CertificateIdentity = {
  subjectAlternativeNames: [WORKFLOW],
  issuer: ISSUER,
  notBefore: '',
  notAfter: '',
  extensions: {},
  legacyExtensions: {},
};

function withoutIssuer(identity: CertificateIdentity): CertificateIdentity {
  const { issuer: _issuer, ...rest } = identity;
  return rest;
}

describe('identity policy', () => {
  it('matches exactly: no prefix, suffix, case or regexp semantics in exact values', () => {
    expect(identityMismatches({ identity: WORKFLOW, issuer: ISSUER }, certificate)).toEqual([]);
    for (const identity of [
      WORKFLOW.slice(0, -1),
      `${WORKFLOW}1`,
      WORKFLOW.toUpperCase(),
      WORKFLOW.replaceAll('.', '\\.'),
      '.*',
    ]) {
      expect(identityMismatches({ identity, issuer: ISSUER }, certificate)).toEqual([
        { field: 'identity', expected: identity, found: [WORKFLOW] },
      ]);
    }
    expect(identityMismatches({ identity: WORKFLOW, issuer: `${ISSUER}/` }, certificate)).toEqual([
      { field: 'issuer', expected: `${ISSUER}/`, found: ISSUER },
    ]);
  });

  it('anchors regular expressions', () => {
    expect(
      identityMismatches(
        { identityRegExp: 'https://github\\.com/acme/app/.+', issuer: ISSUER },
        certificate,
      ),
    ).toEqual([]);
    expect(
      identityMismatches({ identityRegExp: 'github\\.com/acme', issuer: ISSUER }, certificate),
    ).toHaveLength(1);
    expect(
      identityMismatches({ identityRegExp: 'x|https://.*', issuer: ISSUER }, certificate),
    ).toEqual([]);
    expect(
      identityMismatches(
        { identityRegExp: 'https://.*|x', issuerRegExp: 'https://token\\.actions\\..*' },
        certificate,
      ),
    ).toEqual([]);
    expect(identityMismatches({ identity: WORKFLOW, issuerRegExp: 'token' }, certificate)).toEqual([
      { field: 'issuer', expected: '/^(?:token)$/', found: ISSUER },
    ]);
  });

  it('reports both mismatches, and a certificate without SAN or issuer never matches', () => {
    expect(
      identityMismatches({ identity: 'a', issuer: 'b' }, certificate).map((m) => m.field),
    ).toEqual(['identity', 'issuer']);
    expect(
      identityMismatches(
        { identityRegExp: '.*', issuerRegExp: '.*' },
        {
          ...withoutIssuer(certificate),
          subjectAlternativeNames: [],
        },
      ),
    ).toHaveLength(2);
  });

  it('needs exactly one of exact value or regexp for each, and valid regexps', () => {
    expect(() => assertIdentityPolicy({ issuer: ISSUER })).toThrow(VerificationError);
    expect(() =>
      assertIdentityPolicy({ identity: WORKFLOW, identityRegExp: '.*', issuer: ISSUER }),
    ).toThrow(/exactly one of certificate identity/);
    expect(() => assertIdentityPolicy({ identity: WORKFLOW })).toThrow(
      /exactly one of certificate OIDC issuer/,
    );
    expect(() => assertIdentityPolicy({ identityRegExp: '([', issuer: ISSUER })).toThrow(
      /invalid regular expression/,
    );
    expect(() => assertIdentityPolicy({ identity: WORKFLOW, issuer: ISSUER })).not.toThrow();
    expect(describePolicy({ identityRegExp: 'a', issuer: ISSUER })).toEqual({
      identity: '/^(?:a)$/',
      issuer: ISSUER,
    });
  });

  it('matches regexps with RE2 semantics: a pathological pattern on a long attacker-chosen SAN returns', () => {
    // A backtracking engine takes exponential time on `(a+)+$` against a's ending in something else.
    const san = `${'a'.repeat(50_000)}!`;
    const hostile = { ...certificate, subjectAlternativeNames: [san], issuer: san };
    expect(
      identityMismatches({ identityRegExp: '(a+)+$', issuerRegExp: '(a+)+$' }, hostile),
    ).toEqual([
      { field: 'identity', expected: '/^(?:(a+)+$)$/', found: [san] },
      { field: 'issuer', expected: '/^(?:(a+)+$)$/', found: san },
    ]);
    expect(identityMismatches({ identityRegExp: '(a+)+!', issuer: san }, hostile)).toEqual([]);
  });

  it('anchors as before under RE2: alternation stays inside the anchors, the match covers the whole SAN', () => {
    expect(
      identityMismatches({ identityRegExp: 'x|https://.*', issuer: ISSUER }, certificate),
    ).toEqual([]);
    expect(
      identityMismatches({ identityRegExp: 'https://github', issuer: ISSUER }, certificate),
    ).toHaveLength(1);
    expect(
      identityMismatches({ identityRegExp: '.*v1\\.5\\.0|nothing', issuer: ISSUER }, certificate),
    ).toEqual([]);
  });

  it('refuses what RE2 cannot compile (lookaround, backreferences) as INVALID_INPUT naming the field and pattern', () => {
    for (const [policy, field, pattern] of [
      [{ identityRegExp: '(?=x)', issuer: ISSUER }, 'identityRegExp', '(?=x)'],
      [{ identity: WORKFLOW, issuerRegExp: '(a)\\1' }, 'issuerRegExp', '(a)\\1'],
    ] as const) {
      let error: unknown;
      try {
        assertIdentityPolicy(policy);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(VerificationError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', found: pattern });
      expect((error as Error).message).toContain(
        `${field}: invalid regular expression ${JSON.stringify(pattern)}`,
      );
    }
  });
});
