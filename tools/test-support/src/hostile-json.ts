import fc from 'fast-check';

/**
 * Arbitrary JSON substituted at every path of a real document: what anyone who can sign or push may send
 * in place of a field. For property tests of readers of untrusted JSON (statements, bundles, manifests, TUF
 * metadata): each mutation must be read or refused with the reader's own error, never crash it.
 */

export type JsonPath = (string | number)[];

/** Every path in `document`, the root (`[]`) included, depth first. */
export function jsonPaths(document: unknown, prefix: JsonPath = []): JsonPath[] {
  const paths: JsonPath[] = [prefix];
  if (Array.isArray(document)) {
    document.forEach((item, index) => paths.push(...jsonPaths(item, [...prefix, index])));
  } else if (typeof document === 'object' && document !== null) {
    for (const [key, value] of Object.entries(document))
      paths.push(...jsonPaths(value, [...prefix, key]));
  }
  return paths;
}

/** A copy of `document` with `replacement` at `path` (own data properties: a `__proto__` key stays a key). */
export function substitute(document: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (
    Array.isArray(document) ? [...(document as unknown[])] : { ...(document as object) }
  ) as Record<string | number, unknown>;
  Object.defineProperty(copy, head!, {
    value: substitute(copy[head!], rest, replacement),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/** Values picked for the crashes they cause in careless readers, beside fast-check's arbitrary JSON. */
const NASTY: unknown[] = [
  null,
  {},
  [],
  '',
  0,
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  true,
  { toString: 1 },
  { valueOf: null, toString: null },
  ['a', 1, null],
  'sha256:' + '0'.repeat(64),
  '\u0000\u001b[31m',
];

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY) },
);

export interface Mutation {
  path: JsonPath;
  replacement: unknown;
  /** The document with `replacement` at `path`, as JSON text (what a reader receives). */
  json: string;
}

/** One substitution at one of the document's paths (those `keep` accepts, when given). */
export function mutationOf(
  document: unknown,
  keep: (path: JsonPath) => boolean = () => true,
): fc.Arbitrary<Mutation> {
  const paths = jsonPaths(document).filter(keep);
  return fc
    .record({ path: fc.constantFrom(...paths), replacement: hostileValue })
    .map(({ path, replacement }) => ({
      path,
      replacement,
      json: JSON.stringify(substitute(document, path, replacement)),
    }));
}

/** Runs per property: enough to visit every path of the fixtures several times, within the CI minute. */
export function hostileRuns(fallback: number): number {
  const fromEnv = Number(process.env.OCI_SD_PROPERTY_RUNS);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}
