import type { Digest } from '../types';
import { describeProblem, describeValue, excerpt, shapeProblem } from './json-shape';
import type { Shape } from './json-shape';

/** The result of one claim check: what was expected, what was found, and whether they agree. */
export interface ClaimOutcome {
  ok: boolean;
  message: string;
  expected: unknown;
  found: unknown;
  /** Set when the claim could not be read at all (a field of the wrong JSON type). */
  code?: 'MALFORMED';
}

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const IN_TOTO_STATEMENT_TYPES = [
  'https://in-toto.io/Statement/v0.1',
  'https://in-toto.io/Statement/v1',
];
const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

export interface InTotoStatement {
  _type: string;
  subject: { name?: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate?: Record<string, unknown>;
}

/**
 * An in-toto statement (v0.1 and v1): `subject` a non-empty list of {name?, digest: DigestSet}, `predicateType`
 * a string, `predicate` an object when present. Its signer chose every field, so a field of another JSON
 * type is a malformed statement (that candidate fails alone), never a crash.
 */
export const IN_TOTO_STATEMENT_SHAPE: Shape = {
  fields: {
    _type: 'string',
    subject: {
      items: { fields: { name: 'string', digest: { values: 'string' } }, required: ['digest'] },
      nonEmpty: true,
    },
    predicateType: 'string',
    predicate: { values: 'any' },
  },
  required: ['_type', 'subject', 'predicateType'],
};

export type ParsedStatement =
  { ok: true; statement: InTotoStatement } | { ok: false; outcome: ClaimOutcome };

export function parseInTotoStatement(payloadType: string, payload: Buffer): ParsedStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    // A DSSE envelope of another payload type is not the statement it is filed as.
    return malformed(
      `envelope.payloadType: expected ${IN_TOTO_PAYLOAD_TYPE}, found ${describeValue(payloadType)}`,
      IN_TOTO_PAYLOAD_TYPE,
      excerpt(payloadType),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (cause) {
    return malformed(
      `statement: DSSE payload is not JSON: ${(cause as Error).message}`,
      'an in-toto statement',
      `${payload.length} bytes`,
    );
  }
  const problem = shapeProblem(json, IN_TOTO_STATEMENT_SHAPE, 'statement');
  if (problem) return malformed(describeProblem(problem), problem.expected, excerpt(problem.found));
  const statement = json as InTotoStatement;
  if (!IN_TOTO_STATEMENT_TYPES.includes(statement._type)) {
    return malformed(
      `statement._type: expected an in-toto statement type, found ${describeValue(statement._type)}`,
      IN_TOTO_STATEMENT_TYPES,
      excerpt(statement._type),
    );
  }
  return { ok: true, statement };
}

/** Some `subject[].digest.sha256` equals the digest (an image digest, or an artifact's sha256). */
export function checkSubjectDigest(statement: InTotoStatement, digest: Digest): ClaimOutcome {
  const hex = digest.slice('sha256:'.length).toLowerCase();
  const found = statement.subject.map((s) =>
    s.digest.sha256 === undefined ? `${s.name ?? '?'} (no sha256)` : `sha256:${s.digest.sha256}`,
  );
  const ok = statement.subject.some((s) => s.digest.sha256?.toLowerCase() === hex);
  return {
    ok,
    message: ok ? `statement subject has ${digest}` : `no statement subject has ${digest}`,
    expected: digest,
    found,
  };
}

export function checkPredicateType(statement: InTotoStatement, expected: string): ClaimOutcome {
  const ok = statement.predicateType === expected;
  return {
    ok,
    message: ok
      ? `predicate type ${expected}`
      : `predicate type is ${statement.predicateType}, not ${expected}`,
    expected,
    found: statement.predicateType,
  };
}

/** cosign's simple-signing payload (containers/image "atomic container signature"), as far as it is checked. */
const SIMPLE_SIGNING_SHAPE: Shape = {
  fields: {
    critical: {
      fields: {
        type: 'string',
        image: { fields: { 'docker-manifest-digest': 'string' } },
        identity: { fields: { 'docker-reference': 'string' } },
      },
      required: ['type', 'image'],
    },
  },
  required: ['critical'],
};

interface SimpleSigningPayload {
  critical: { type: string; image: { 'docker-manifest-digest'?: string } };
}

/** Legacy `.sig`: the simple-signing payload names the image digest it signs. */
export function checkSimpleSigning(payload: Buffer, digest: Digest): ClaimOutcome {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (cause) {
    return {
      ok: false,
      code: 'MALFORMED',
      message: `simple-signing payload is not JSON: ${(cause as Error).message}`,
      expected: 'simple-signing JSON',
      found: `${payload.length} bytes`,
    };
  }
  const problem = shapeProblem(json, SIMPLE_SIGNING_SHAPE, 'payload');
  if (problem)
    return {
      ok: false,
      code: 'MALFORMED',
      message: describeProblem(problem),
      expected: problem.expected,
      found: excerpt(problem.found),
    };
  const { critical } = json as SimpleSigningPayload;
  if (critical.type !== SIMPLE_SIGNING_TYPE) {
    return {
      ok: false,
      message: 'simple-signing payload field critical.type is wrong',
      expected: SIMPLE_SIGNING_TYPE,
      found: excerpt(critical.type),
    };
  }
  const signed = critical.image['docker-manifest-digest'];
  const ok = signed === digest;
  return {
    ok,
    message: ok
      ? `critical.image.docker-manifest-digest is ${digest}`
      : `critical.image.docker-manifest-digest is ${describeValue(signed)}, not ${digest}`,
    expected: digest,
    found: excerpt(signed),
  };
}

function malformed(message: string, expected: unknown, found: unknown): ParsedStatement {
  return { ok: false, outcome: { ok: false, code: 'MALFORMED', message, expected, found } };
}
