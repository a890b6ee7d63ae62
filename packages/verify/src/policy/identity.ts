import { RE2JS } from 're2js';
import { VerificationError } from '../errors';
import type { CertificateIdentity } from '../checks/certificate';

/**
 * Who must have signed. Exact comparisons by default; regular expressions only when asked for,
 * and then anchored (a bare `@sigstore/verify` string policy is an unanchored regexp) and matched with
 * RE2 semantics, as cosign matches them with Go's regexp: linear in the SAN's length, which the signer chose.
 */
export interface IdentityPolicy {
  identity?: string;
  identityRegExp?: string;
  issuer?: string;
  issuerRegExp?: string;
}

export interface IdentityMismatch {
  field: 'identity' | 'issuer';
  expected: string;
  found: string | string[] | undefined;
}

export function assertIdentityPolicy(policy: IdentityPolicy): void {
  if ((policy.identity === undefined) === (policy.identityRegExp === undefined)) {
    throw new VerificationError(
      'INVALID_INPUT',
      'identity policy needs exactly one of certificate identity or certificate identity regexp',
      {
        expected: 'identity XOR identityRegExp',
        found: { identity: policy.identity, identityRegExp: policy.identityRegExp },
      },
    );
  }
  if ((policy.issuer === undefined) === (policy.issuerRegExp === undefined)) {
    throw new VerificationError(
      'INVALID_INPUT',
      'identity policy needs exactly one of certificate OIDC issuer or issuer regexp',
      {
        expected: 'issuer XOR issuerRegExp',
        found: { issuer: policy.issuer, issuerRegExp: policy.issuerRegExp },
      },
    );
  }
  for (const [field, pattern] of [
    ['identityRegExp', policy.identityRegExp],
    ['issuerRegExp', policy.issuerRegExp],
  ] as const) {
    if (pattern !== undefined) anchored(pattern, field);
  }
}

/** The mismatches between a certificate and the policy; empty when it matches. */
export function identityMismatches(
  policy: IdentityPolicy,
  found: CertificateIdentity,
): IdentityMismatch[] {
  const mismatches: IdentityMismatch[] = [];
  const sanMatches =
    policy.identity !== undefined
      ? found.subjectAlternativeNames.includes(policy.identity)
      : found.subjectAlternativeNames.some((san) =>
          anchored(policy.identityRegExp!, 'identityRegExp').testExact(san),
        );
  if (!sanMatches) {
    mismatches.push({
      field: 'identity',
      expected: describeExpectation(policy.identity, policy.identityRegExp),
      found: found.subjectAlternativeNames,
    });
  }
  const issuerMatches =
    found.issuer !== undefined &&
    (policy.issuer !== undefined
      ? found.issuer === policy.issuer
      : anchored(policy.issuerRegExp!, 'issuerRegExp').testExact(found.issuer));
  if (!issuerMatches) {
    mismatches.push({
      field: 'issuer',
      expected: describeExpectation(policy.issuer, policy.issuerRegExp),
      found: found.issuer,
    });
  }
  return mismatches;
}

export function describePolicy(policy: IdentityPolicy): { identity: string; issuer: string } {
  return {
    identity: describeExpectation(policy.identity, policy.identityRegExp),
    issuer: describeExpectation(policy.issuer, policy.issuerRegExp),
  };
}

function describeExpectation(exact: string | undefined, pattern: string | undefined): string {
  return exact ?? `/^(?:${pattern})$/`;
}

const compiled = new Map<string, RE2JS>();

/** Why RE2 cannot compile `pattern` (cosign's Go regexp refuses the same), or undefined when it compiles. */
export function regExpSyntaxProblem(pattern: string): string | undefined {
  try {
    anchored(pattern, 'identityRegExp');
    return undefined;
  } catch (error) {
    return ((error as VerificationError).cause as Error).message;
  }
}

/** The pattern compiled by RE2 (no backreferences or lookaround); `testExact` matches the whole value. */
function anchored(pattern: string, field: 'identityRegExp' | 'issuerRegExp'): RE2JS {
  let regexp = compiled.get(pattern);
  if (!regexp) {
    try {
      regexp = RE2JS.compile(pattern);
    } catch (cause) {
      throw new VerificationError(
        'INVALID_INPUT',
        `${field}: invalid regular expression ${JSON.stringify(pattern)}: ${(cause as Error).message}`,
        {
          expected: 'an RE2 regular expression (the syntax cosign accepts)',
          found: pattern,
          cause,
        },
      );
    }
    compiled.set(pattern, regexp);
  }
  return regexp;
}
