import type { Digest } from '../types';

/** The result of one claim check: what was expected, what was found, and whether they agree. */
export interface ClaimOutcome {
  ok: boolean;
  message: string;
  expected: unknown;
  found: unknown;
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
  predicate?: unknown;
}

export type ParsedStatement =
  { ok: true; statement: InTotoStatement } | { ok: false; outcome: ClaimOutcome };

export function parseInTotoStatement(payloadType: string, payload: Buffer): ParsedStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return invalid(`DSSE payloadType is not in-toto`, IN_TOTO_PAYLOAD_TYPE, payloadType);
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (cause) {
    return invalid(
      `DSSE payload is not JSON: ${(cause as Error).message}`,
      'an in-toto statement',
      `${payload.length} bytes`,
    );
  }
  const statement = json as Partial<InTotoStatement> | null;
  if (
    typeof statement !== 'object' ||
    statement === null ||
    !IN_TOTO_STATEMENT_TYPES.includes(statement._type as string)
  ) {
    return invalid(
      'payload field _type is not an in-toto statement type',
      IN_TOTO_STATEMENT_TYPES,
      statement?._type,
    );
  }
  if (
    !Array.isArray(statement.subject) ||
    statement.subject.some((s) => typeof s?.digest !== 'object' || s.digest === null)
  ) {
    return invalid(
      'statement field subject is not a list of {name, digest}',
      'subject[].digest',
      statement.subject,
    );
  }
  if (typeof statement.predicateType !== 'string') {
    return invalid(
      'statement field predicateType is missing',
      'a predicate type URI',
      statement.predicateType,
    );
  }
  return { ok: true, statement: statement as InTotoStatement };
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

/** Legacy `.sig`: the simple-signing payload names the image digest it signs. */
export function checkSimpleSigning(payload: Buffer, digest: Digest): ClaimOutcome {
  let json: {
    critical?: {
      type?: unknown;
      image?: { 'docker-manifest-digest'?: unknown };
      identity?: { 'docker-reference'?: unknown };
    };
  };
  try {
    json = JSON.parse(payload.toString('utf8')) as typeof json;
  } catch (cause) {
    return {
      ok: false,
      message: `simple-signing payload is not JSON: ${(cause as Error).message}`,
      expected: 'simple-signing JSON',
      found: `${payload.length} bytes`,
    };
  }
  if (json?.critical?.type !== SIMPLE_SIGNING_TYPE) {
    return {
      ok: false,
      message: 'simple-signing payload field critical.type is wrong',
      expected: SIMPLE_SIGNING_TYPE,
      found: json?.critical?.type,
    };
  }
  const signed = json.critical.image?.['docker-manifest-digest'];
  const ok = signed === digest;
  return {
    ok,
    message: ok
      ? `critical.image.docker-manifest-digest is ${digest}`
      : `critical.image.docker-manifest-digest is ${String(signed)}, not ${digest}`,
    expected: digest,
    found: signed,
  };
}

function invalid(message: string, expected: unknown, found: unknown): ParsedStatement {
  return { ok: false, outcome: { ok: false, message, expected, found } };
}
