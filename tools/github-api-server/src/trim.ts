/**
 * Cuts GitHub's REST description (13 MB) down to what the test server validates against: the
 * implemented operations, every component they reference (transitively), and a bare index of every
 * operation in the description's order, so requests route exactly as against the full description
 * (a call to `/commits/{ref}/status` must not pass as `/commits/{ref}`) and a call to an operation
 * the server lacks is named as such. Only what validation never reads goes: examples, prose, tags, webhooks.
 */

type Json = Record<string, unknown>;

/** `{ [template]: { [method]: operationId } }` for every operation of the full description, in its order. */
export type OperationIndex = Record<string, Record<string, string>>;

export const OPERATION_INDEX_KEY = 'x-operation-index';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];
/** The parts of an operation validation reads. */
const OPERATION_KEYS = ['operationId', 'parameters', 'requestBody', 'responses'];

function pick(object: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((key) => key in object).map((key) => [key, object[key]]));
}

/** Media types keep their schema only (examples are documentation). */
function withoutExamples(holder: unknown): unknown {
  if (typeof holder !== 'object' || holder === null || !('content' in holder)) return holder;
  const content = (holder as { content: Record<string, Json> }).content;
  return {
    ...holder,
    content: Object.fromEntries(
      Object.entries(content).map(([type, media]) => [type, pick(media, ['schema'])]),
    ),
  };
}

function trimOperation(operation: Json): Json {
  const kept = pick(operation, OPERATION_KEYS);
  if (kept.requestBody) kept.requestBody = withoutExamples(kept.requestBody);
  kept.responses = Object.fromEntries(
    Object.entries(operation.responses as Json).map(([status, response]) => [
      status,
      withoutExamples(response),
    ]),
  );
  return kept;
}

/** Every operation of an OpenAPI `paths` object, in its order. */
export function operationIndex(paths: Record<string, Json>): OperationIndex {
  const index: OperationIndex = {};
  for (const [template, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (operation) (index[template] ??= {})[method] = operation.operationId as string;
    }
  }
  return index;
}

/** Every `$ref` string anywhere under `node`. */
export function refsIn(node: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) refsIn(item, found);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.add(value);
      else refsIn(value, found);
    }
  }
  return found;
}

/** Resolves a local JSON pointer (`#/components/schemas/release`) in `document`. */
export function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    if (typeof target !== 'object' || target === null) return undefined;
    target = (target as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return target;
}

export function trimDescription(full: Json, operationIds: readonly string[]): Json {
  const wanted = new Set(operationIds);
  const fullPaths = full.paths as Record<string, Json>;
  const index = operationIndex(fullPaths);
  const paths: Record<string, Json> = {};
  for (const [template, methods] of Object.entries(index)) {
    for (const [method, operationId] of Object.entries(methods)) {
      if (!wanted.delete(operationId)) continue;
      const item = fullPaths[template]!;
      paths[template] ??= item.parameters ? { parameters: item.parameters } : {};
      paths[template][method] = trimOperation(item[method] as Json);
    }
  }
  if (wanted.size)
    throw new Error(`operations not in the OpenAPI description: ${[...wanted].join(', ')}`);

  // Copy every component reachable from the kept operations, following refs inside components too.
  const components: Record<string, Json> = {};
  const pending = [...refsIn(paths)];
  const copied = new Set<string>();
  while (pending.length) {
    const ref = pending.pop()!;
    if (copied.has(ref)) continue;
    copied.add(ref);
    const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
    const target = resolvePointer(full, ref);
    if (!match || target === undefined)
      throw new Error(`unresolvable $ref in the OpenAPI description: ${ref}`);
    const [, kind, name] = match as unknown as [string, string, string];
    const trimmed = kind === 'responses' ? withoutExamples(target) : target;
    (components[kind] ??= {})[name] = trimmed;
    pending.push(...refsIn(trimmed));
  }
  const sorted = (object: Json): Json =>
    Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    openapi: full.openapi,
    info: pick(full.info as Json, ['title', 'version']),
    paths,
    // components in a stable order (the traversal order would change with every new reference)
    components: sorted(
      Object.fromEntries(
        Object.entries(components).map(([kind, entries]) => [kind, sorted(entries)]),
      ),
    ),
    [OPERATION_INDEX_KEY]: index,
  };
}
