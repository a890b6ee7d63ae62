/**
 * The JSON shape a check reads, declared once: everything a signer or a pusher chose (statements, predicates,
 * bundles) may have any JSON type, so it is checked against its shape before any field is used.
 * Fields a shape does not name are ignored (in-toto and protobuf JSON readers ignore unknown fields).
 */
export type Shape =
  | 'string'
  | 'boolean'
  | 'integer'
  /** protobuf JSON's int64: a safe integer or a decimal string. */
  | 'int64'
  | 'any'
  /** An object with these fields; absent ones are fine unless listed in `required`. */
  | { fields: Readonly<Record<string, Shape>>; required?: readonly string[] }
  /** An object whose every value has one shape (a DigestSet, annotations). */
  | { values: Shape }
  | { items: Shape; nonEmpty?: boolean }
  /** A field that may be JSON null as well (GitHub's event payloads write `"base_ref": null`). */
  | { nullable: Shape };

/** How messages name a value's JSON type. */
export function jsonType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'empty array' : 'array';
  return typeof value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const EXCERPT_CHARS = 200;

/**
 * A value chosen by whoever signed or pushed it, as text for a message: JSON, cut to an excerpt. Never
 * `String(value)`: `{"toString": 1}` makes that throw.
 */
export function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? jsonType(value));
  return text.length > EXCERPT_CHARS
    ? `${text.slice(0, EXCERPT_CHARS)}… (${text.length} characters)`
    : text;
}

/** Where a value breaks its shape: the JSON path, what the shape wanted, the value there. */
export interface ShapeProblem {
  path: string;
  expected: string;
  found: unknown;
}

/** The first place `value` breaks `shape`, depth first in field order; undefined when it fits. */
export function shapeProblem(value: unknown, shape: Shape, path: string): ShapeProblem | undefined {
  const problem = (expected: string): ShapeProblem => ({ path, expected, found: value });
  if (shape === 'any') return undefined;
  if (shape === 'string' || shape === 'boolean')
    return typeof value === shape ? undefined : problem(shape);
  if (shape === 'integer') return Number.isSafeInteger(value) ? undefined : problem('integer');
  if (shape === 'int64')
    return Number.isSafeInteger(value) || (typeof value === 'string' && /^-?\d{1,19}$/.test(value))
      ? undefined
      : problem('integer (number or decimal string)');
  if ('nullable' in shape)
    return value === null ? undefined : shapeProblem(value, shape.nullable, path);
  if ('items' in shape) {
    if (!Array.isArray(value)) return problem('array');
    if (shape.nonEmpty && value.length === 0) return problem('non-empty array');
    for (const [index, item] of value.entries()) {
      const inner = shapeProblem(item, shape.items, `${path}[${index}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (!isRecord(value)) return problem('object');
  if ('values' in shape) {
    for (const [key, item] of Object.entries(value)) {
      const inner = shapeProblem(item, shape.values, fieldPath(path, key));
      if (inner) return inner;
    }
    return undefined;
  }
  for (const key of shape.required ?? []) {
    if (value[key] === undefined)
      return {
        path: fieldPath(path, key),
        expected: describeShape(shape.fields[key]!),
        found: undefined,
      };
  }
  for (const [key, fieldShape] of Object.entries(shape.fields)) {
    // Absent and undefined alike: JSON has no undefined, objects built in code (legacy bundles) may.
    if (!Object.hasOwn(value, key) || value[key] === undefined) continue;
    const inner = shapeProblem(value[key], fieldShape, fieldPath(path, key));
    if (inner) return inner;
  }
  return undefined;
}

/** `statement.subject[0].digest.sha256: expected string, found number` */
export function describeProblem(problem: ShapeProblem): string {
  return `${problem.path}: expected ${problem.expected}, found ${jsonType(problem.found)}`;
}

/** Large attacker-chosen values stay out of reports: an excerpt stands in for them. */
export function excerpt(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text !== undefined && text.length > EXCERPT_CHARS ? describeValue(value) : value;
}

function describeShape(shape: Shape): string {
  if (typeof shape === 'string') return shape === 'any' ? 'a value' : shape;
  if ('nullable' in shape) return `${describeShape(shape.nullable)} or null`;
  if ('items' in shape) return shape.nonEmpty ? 'non-empty array' : 'array';
  return 'object';
}

function fieldPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
