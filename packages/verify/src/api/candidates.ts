import type { TrustMaterial } from '@sigstore/verify';
import { verdictFailure, verifySigstoreBundle } from '../checks/bundle';
import type { BundleVerdict, StageOutcome } from '../checks/bundle';
import {
  checkPredicateType,
  checkSimpleSigning,
  checkSubjectDigest,
  parseInTotoStatement,
} from '../checks/claims';
import type { ClaimOutcome, InTotoStatement } from '../checks/claims';
import { describeProblem, excerpt, shapeProblem } from '../checks/json-shape';
import type { Shape } from '../checks/json-shape';
import type { VerificationErrorCode } from '../errors';
import type { IdentityPolicy } from '../policy/identity';
import type { CheckResult, Digest, RejectedCandidate, SignatureCandidate } from '../types';

/** One discovered signature or attestation, checked end to end against one image digest. */
export interface CandidateResult {
  found: SignatureCandidate;
  verdict: BundleVerdict;
  claims: ClaimOutcome[];
  statement?: InTotoStatement;
  ok: boolean;
  /** Why it failed, for the report: the first failing stage. */
  failure?: { code: VerificationErrorCode; message: string; expected?: unknown; found?: unknown };
}

const NOT_READ: StageOutcome = {
  status: 'skip',
  message: 'not checked: malformed, not a signature that can be read',
};
/** A malformed candidate's verdict: nothing could be checked. */
const UNREAD: BundleVerdict = {
  ok: false,
  signature: NOT_READ,
  identity: NOT_READ,
  artifact: NOT_READ,
  evidence: {},
};

/**
 * A malformed candidate fails with its reason (code MALFORMED). A readable one is checked for signature
 * (chain, SCT, log, signature), identity, then claims: a legacy simple-signing payload names
 * the digest; a DSSE statement has the digest as a subject and the expected predicate type
 * (`cosign sign` v3 statements for image signatures).
 */
export function evaluateCandidate(
  found: SignatureCandidate,
  digest: Digest,
  policy: IdentityPolicy,
  trust: TrustMaterial,
  predicateType: string,
  predicateShape?: Shape,
): CandidateResult {
  if ('malformed' in found)
    return {
      found,
      verdict: UNREAD,
      claims: [],
      ok: false,
      failure: { code: 'MALFORMED', ...found.malformed },
    };
  const verdict = verifySigstoreBundle(found.bundle, {
    trust,
    policy,
    ...(found.payload ? { artifact: { bytes: found.payload } } : {}),
  });
  const claims: ClaimOutcome[] = [];
  let statement: InTotoStatement | undefined;
  if (verdict.envelope) {
    const parsed = parseInTotoStatement(verdict.envelope.payloadType, verdict.envelope.payload);
    if (parsed.ok) {
      statement = parsed.statement;
      claims.push(
        checkPredicateType(statement, predicateType),
        checkSubjectDigest(statement, digest),
      );
      if (predicateShape && statement.predicateType === predicateType)
        claims.push(checkPredicateShape(statement, predicateShape));
    } else {
      claims.push(parsed.outcome);
    }
  } else if (verdict.signature.status === 'pass') {
    claims.push(
      found.payload
        ? checkSimpleSigning(found.payload, digest)
        : {
            ok: false,
            message: 'message-signature bundle without its signed payload',
            expected: 'a simple-signing payload',
            found: 'none',
          },
    );
  }
  const result: CandidateResult = {
    found,
    verdict,
    claims,
    ok: verdict.ok && claims.length > 0 && claims.every((claim) => claim.ok),
    ...(statement ? { statement } : {}),
  };
  if (!result.ok) result.failure = candidateFailure(verdict, claims, predicateType);
  return result;
}

function candidateFailure(
  verdict: BundleVerdict,
  claims: ClaimOutcome[],
  predicateType: string,
): NonNullable<CandidateResult['failure']> {
  const stage = verdictFailure(verdict);
  if (stage) {
    const code: VerificationErrorCode =
      stage.code ??
      (stage === verdict.identity
        ? 'IDENTITY_MISMATCH'
        : stage === verdict.artifact
          ? 'DIGEST_MISMATCH'
          : 'SIGNATURE_INVALID');
    return { code, message: stage.message, expected: stage.expected, found: stage.found };
  }
  // A claim that could not be read says more than one that was read and differs.
  const claim = claims.find((c) => !c.ok && c.code === 'MALFORMED') ?? claims.find((c) => !c.ok);
  if (!claim) return { code: 'SIGNATURE_INVALID', message: 'signature did not verify' };
  return {
    code:
      claim.code ?? (claim.expected === predicateType ? 'PREDICATE_MISMATCH' : 'DIGEST_MISMATCH'),
    message: claim.message,
    expected: claim.expected,
    found: claim.found,
  };
}

/** The predicate has the shape the check reads (SLSA provenance, release metadata) before any field is used. */
function checkPredicateShape(statement: InTotoStatement, shape: Shape): ClaimOutcome {
  const problem = shapeProblem(statement.predicate, shape, 'statement.predicate');
  if (!problem)
    return {
      ok: true,
      message: 'predicate has the expected shape',
      expected: 'a predicate',
      found: 'one',
    };
  return {
    ok: false,
    code: 'MALFORMED',
    message: describeProblem(problem),
    expected: problem.expected,
    found: excerpt(problem.found),
  };
}

/** Evidence worth keeping from a verified candidate. */
export function candidateEvidence(candidate: CandidateResult): Record<string, unknown> {
  const { evidence } = candidate.verdict;
  return {
    location: candidate.found.location,
    layout: candidate.found.layout,
    tlog: evidence.tlog,
    ...(evidence.timestampAuthorityTimes
      ? { timestampAuthorityTimes: evidence.timestampAuthorityTimes }
      : {}),
    certificate: evidence.certificate,
  };
}

/** How a check describes its passing candidate, when the default (location, log entry) is not enough. */
export interface PassDescription {
  summary?: (winner: CandidateResult) => string;
  evidence?: (winner: CandidateResult) => Record<string, unknown>;
}

/**
 * One report entry for a set of candidates: pass when any verifies; otherwise "none found"
 * (NO_SIGNATURES) and "found, none verify" stay distinct. Either way `evidence.rejected` lists every
 * candidate that failed, with its reason: on a pass, what else was stored next to the signature that counted.
 */
export function summarizeCandidates(
  check: string,
  what: string,
  candidates: CandidateResult[],
  expected: unknown,
  pass: PassDescription = {},
): CheckResult {
  const winner = candidates.find((candidate) => candidate.ok);
  const rejected = candidates.filter((candidate) => !candidate.ok).map(rejection);
  if (winner) {
    const others =
      rejected.length === 0
        ? ''
        : `; ${rejected.length} other${rejected.length === 1 ? '' : 's'} rejected`;
    const passEvidence = pass.evidence ?? candidateEvidence;
    return {
      check,
      status: 'pass',
      summary: `${pass.summary?.(winner) ?? `${what} verified (${winner.found.location}, ${describeLog(winner)})`}${others}`,
      expected,
      found: winner.verdict.evidence.certificate?.subjectAlternativeNames,
      evidence: { ...passEvidence(winner), ...(rejected.length === 0 ? {} : { rejected }) },
    };
  }
  if (candidates.length === 0) {
    return {
      check,
      status: 'fail',
      code: 'NO_SIGNATURES',
      summary: `no ${what} found`,
      expected,
      found: 'none',
    };
  }
  // The candidate that got furthest explains the failure best: identity over chain, claims over identity.
  const best = [...candidates].sort((a, b) => progress(b) - progress(a))[0]!;
  return {
    check,
    status: 'fail',
    code: best.failure!.code,
    summary: `${candidates.length} ${what}${candidates.length === 1 ? '' : 's'} found, none verify: ${best.found.location}: ${best.failure!.message}`,
    expected: best.failure!.expected ?? expected,
    found: best.failure!.found,
    evidence: { rejected },
  };
}

function rejection({ found, failure }: CandidateResult): RejectedCandidate {
  return {
    location: found.location,
    layout: found.layout,
    code: failure!.code,
    reason: failure!.message,
    ...(failure!.expected === undefined ? {} : { expected: failure!.expected }),
    ...(failure!.found === undefined ? {} : { found: failure!.found }),
  };
}

function progress(candidate: CandidateResult): number {
  const { verdict } = candidate;
  // A readable signature that fails says more than bytes that are not a signature at all.
  if (verdict === UNREAD) return -1;
  if (verdict.signature.status !== 'pass') return 0;
  if (verdict.identity.status === 'fail') return 1;
  return 2;
}

function describeLog(candidate: CandidateResult): string {
  const entry = candidate.verdict.evidence.tlog?.[0];
  return entry
    ? `log index ${entry.logIndex}${entry.integratedTime ? ` at ${entry.integratedTime}` : ''}`
    : 'no log entry';
}
