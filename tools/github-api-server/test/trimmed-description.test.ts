import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IMPLEMENTED_OPERATIONS,
  OPERATION_INDEX_KEY,
  loadContract,
  loadFullDescription,
  refsIn,
  resolvePointer,
  startGitHubApiServer,
  trimDescription,
  type GitHubApiServer,
} from '../src/index';

type Json = Record<string, unknown>;

const committed = JSON.parse(
  readFileSync(new URL('../src/api.github.com.trimmed.json', import.meta.url), 'utf8'),
) as Json;
const full = loadFullDescription();

/** `METHOD template` → operation object, for every operation a description details. */
function detailed(description: Json): Map<string, Json> {
  const operations = new Map<string, Json>();
  for (const [template, item] of Object.entries(description.paths as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(item))
      if (method !== 'parameters') operations.set(`${method} ${template}`, operation as Json);
  }
  return operations;
}

function schemasOf(holder: unknown): unknown {
  const content =
    (holder as { content?: Record<string, { schema?: unknown }> } | undefined)?.content ?? {};
  return Object.fromEntries(Object.entries(content).map(([type, media]) => [type, media.schema]));
}

describe('the trimmed OpenAPI description', () => {
  it('is what the trim script makes of the full description today (run `npm run trim-openapi` when this fails)', () => {
    expect(committed).toEqual(trimDescription(full, IMPLEMENTED_OPERATIONS));
  });

  it('details exactly the implemented operations, each as validation reads it in the full description', () => {
    const kept = detailed(committed);
    expect([...kept.values()].map((op) => op.operationId).sort()).toEqual(
      [...IMPLEMENTED_OPERATIONS].sort(),
    );
    expect([...loadContract().detailedOperationIds()].sort()).toEqual(
      [...IMPLEMENTED_OPERATIONS].sort(),
    );
    const original = detailed(full);
    for (const [key, operation] of kept) {
      const source = original.get(key)!;
      const [, template] = key.split(' ') as [string, string];
      expect(operation.parameters, key).toEqual(source.parameters);
      expect((committed.paths as Record<string, Json>)[template]!.parameters, key).toEqual(
        (full.paths as Record<string, Json>)[template]!.parameters,
      );
      expect(schemasOf(operation.requestBody), key).toEqual(schemasOf(source.requestBody));
      const responses = (r: unknown) =>
        Object.fromEntries(
          Object.entries(r as Json).map(([status, response]) => [
            status,
            '$ref' in (response as Json) ? response : schemasOf(response),
          ]),
        );
      expect(responses(operation.responses), key).toEqual(responses(source.responses));
    }
  });

  it('indexes every operation of the full description, in its order, so requests route as against it', () => {
    const index = committed[OPERATION_INDEX_KEY] as Record<string, Record<string, string>>;
    const fromFull = [...detailed(full)].map(([key, op]) => `${key} ${op.operationId as string}`);
    expect(
      Object.entries(index)
        .flatMap(([template, methods]) =>
          Object.entries(methods).map(([method, id]) => `${method} ${template} ${id}`),
        )
        .sort(),
    ).toEqual(fromFull.sort());
    expect(Object.keys(index)).toEqual(Object.keys(full.paths as Json));
    expect(loadContract().operationIds().size).toBe(fromFull.length);
  });

  it('resolves every $ref inside itself, and holds each component exactly as the full description does', () => {
    const refs = [...refsIn(committed)];
    expect(refs.length).toBeGreaterThan(50);
    expect(refs.filter((ref) => resolvePointer(committed, ref) === undefined)).toEqual([]);
    for (const [kind, entries] of Object.entries(committed.components as Record<string, Json>)) {
      for (const [name, component] of Object.entries(entries)) {
        const source = resolvePointer(full, `#/components/${kind}/${name}`);
        expect(kind === 'responses' ? schemasOf(component) : component, `${kind}/${name}`).toEqual(
          kind === 'responses' ? schemasOf(source) : source,
        );
      }
    }
    // nothing unreferenced rides along
    const reachable = new Set(refs);
    const components = Object.entries(committed.components as Record<string, Json>).flatMap(
      ([kind, entries]) => Object.keys(entries).map((name) => `#/components/${kind}/${name}`),
    );
    expect(components.filter((ref) => !reachable.has(ref))).toEqual([]);
  });

  it('refuses an operation the description lacks and a $ref that resolves nowhere', () => {
    expect(() => trimDescription(full, ['repos/get', 'repos/no-such-operation'])).toThrow(
      /not in the OpenAPI description: repos\/no-such-operation/,
    );
    const dangling = {
      openapi: '3.0.3',
      info: {},
      paths: {
        '/x': {
          get: {
            operationId: 'x/get',
            responses: { 200: { $ref: '#/components/responses/missing' } },
          },
        },
      },
      components: {},
    };
    expect(() => trimDescription(dangling, ['x/get'])).toThrow(
      /unresolvable \$ref.*#\/components\/responses\/missing/,
    );
  });
});

describe('a server on the trimmed description', () => {
  let gh: GitHubApiServer;
  beforeAll(async () => {
    gh = await startGitHubApiServer();
    gh.state.createRepo('octo/trimmed');
  });
  afterAll(() => gh.stop());

  it('names a call to an operation it lacks, even under a template it implements', async () => {
    // `/commits/{ref}` is implemented and its {ref} takes slashes; `/commits/{ref}/status` is not.
    const status = await fetch(`${gh.url}/repos/octo/trimmed/commits/main/status`);
    expect(status.status).toBe(404);
    const generateNotes = await fetch(`${gh.url}/repos/octo/trimmed/releases/generate-notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"tag_name":"v1"}',
    });
    expect(generateNotes.status).toBe(404);
    expect(gh.violations).toEqual([
      'request GET /repos/octo/trimmed/commits/main/status: repos/get-combined-status-for-ref is in the description but this test server does not implement it',
      'request POST /repos/octo/trimmed/releases/generate-notes: repos/generate-release-notes is in the description but this test server does not implement it',
    ]);
    expect(gh.requests.map((r) => r.operationId)).toEqual([
      'repos/get-combined-status-for-ref',
      'repos/generate-release-notes',
    ]);
    gh.violations.length = 0;
  });
});
