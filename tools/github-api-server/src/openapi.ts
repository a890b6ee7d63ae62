import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import trimmedDescription from './api.github.com.trimmed.json' with { type: 'json' };
import { FULL_DESCRIPTION } from './description-files';
import { OPERATION_INDEX_KEY, operationIndex, type OperationIndex } from './trim';

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Json;
}

export interface Operation {
  operationId: string;
  method: string;
  /** The path template exactly as the description writes it, e.g. `/repos/{owner}/{repo}/pulls`. */
  template: string;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
  responses: Record<string, { content?: Record<string, { schema?: Json }> } | { $ref: string }>;
}

export interface MatchedOperation {
  operation: Operation;
  pathParams: Record<string, string>;
}

/** An operation a trimmed description only indexes: the server knows its name, nothing to validate against. */
export interface IndexedOperation {
  operationId: string;
  operation?: undefined;
}

/**
 * Statuses GitHub may answer on any endpoint although the description lists them only where it
 * bothers to (bad credentials, rate limits, missing resources, validation failures such as
 * "No ref found", upstream failures). Their bodies must still be a `basic-error`.
 */
const STATUSES_ANY_ENDPOINT = new Set([401, 403, 404, 422, 429, 500, 502, 503]);

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * GitHub's REST description, loaded once per process; schemas compile lazily on first use and
 * are cached, so starting a server costs one JSON parse.
 */
export class OpenApiContract {
  readonly document: Json;
  private readonly ajv: Ajv;
  private readonly coercingAjv: Ajv;
  private readonly routes: {
    regex: RegExp;
    template: string;
    names: string[];
    greedy: boolean;
    operations: Map<string, Operation | string>;
  }[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: Json) {
    readNullableAsGitHubDoes(document);
    this.document = document;
    // One instance validates bodies as sent; the other coerces query/path strings to the declared types.
    this.ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
    // GitHub's own format: a repository's "name with owner".
    this.ajv.addFormat('repo.nwo', /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
    this.ajv.addSchema(document, 'github');
    this.coercingAjv = addFormats(
      new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes: 'array' }),
    );
    const paths = document.paths as Record<string, Record<string, Json>>;
    // A trimmed description details some operations and indexes all; a full one details all.
    const index =
      (document[OPERATION_INDEX_KEY] as OperationIndex | undefined) ?? operationIndex(paths);
    for (const [template, methods] of Object.entries(index)) {
      const item = paths[template] ?? {};
      const names: string[] = [];
      // A git ref may hold slashes (`heads/sign/release-1`), sent raw or as %2F.
      const source = template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\{([^}]+)\}/g, (_m, name: string) => {
          names.push(name);
          return name === 'ref' ? '(.+?)' : '([^/]+)';
        });
      const operations = new Map<string, Operation | string>();
      for (const [method, operationId] of Object.entries(methods)) {
        const op = item[method];
        if (!op) {
          operations.set(method.toUpperCase(), operationId);
          continue;
        }
        const parameters = [
          ...((item.parameters as Json[] | undefined) ?? []),
          ...((op.parameters as Json[] | undefined) ?? []),
        ].map((p) => this.deref(p) as unknown as Parameter);
        operations.set(method.toUpperCase(), {
          operationId: op.operationId as string,
          method: method.toUpperCase(),
          template,
          parameters,
          ...(op.requestBody
            ? {
                requestBody: this.deref(op.requestBody as Json) as NonNullable<
                  Operation['requestBody']
                >,
              }
            : {}),
          responses: op.responses as Operation['responses'],
        });
      }
      this.routes.push({
        regex: new RegExp(`^${source}$`),
        template,
        names,
        greedy: names.includes('ref'),
        operations,
      });
    }
    // Literal segments beat parameters (`/releases/latest` is not `/releases/{release_id}`); a
    // slash-eating `{ref}` is tried only after every exact shape, longest template first
    // (`/commits/{ref}/check-runs` before `/commits/{ref}`).
    this.routes.sort(
      (a, b) =>
        Number(a.greedy) - Number(b.greedy) ||
        (a.greedy ? b.template.length - a.template.length : a.names.length - b.names.length),
    );
  }

  private deref(node: Json): Json {
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    let target: unknown = this.document;
    for (const part of ref.replace(/^#\//, '').split('/'))
      target = (target as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return this.deref(target as Json);
  }

  /** Every operationId in the description (for a trimmed one: in the full description it was cut from). */
  operationIds(): Set<string> {
    return new Set(
      this.routes.flatMap((route) =>
        [...route.operations.values()].map((op) => (typeof op === 'string' ? op : op.operationId)),
      ),
    );
  }

  /** The operationIds whose parameters, bodies and responses this description holds. */
  detailedOperationIds(): Set<string> {
    return new Set(
      this.routes.flatMap((route) =>
        [...route.operations.values()].flatMap((op) =>
          typeof op === 'string' ? [] : [op.operationId],
        ),
      ),
    );
  }

  /** Does the description have this method on this path template? */
  hasOperation(method: string, template: string): boolean {
    return this.routes.some(
      (route) => route.template === template && route.operations.has(method.toUpperCase()),
    );
  }

  /**
   * The operation a request is for: `operation` when the description details it, only
   * `operationId` when a trimmed description merely indexes it.
   */
  match(method: string, pathname: string): MatchedOperation | IndexedOperation | undefined {
    for (const route of this.routes) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      const operation = route.operations.get(method);
      if (!operation) continue;
      if (typeof operation === 'string') return { operationId: operation };
      const pathParams: Record<string, string> = {};
      route.names.forEach((name, i) => (pathParams[name] = decodeURIComponent(m[i + 1]!)));
      return { operation, pathParams };
    }
    return undefined;
  }

  /** Checks path and query parameters and the JSON body; returns the problems found (empty when the request fits). */
  checkRequest(
    match: MatchedOperation,
    query: URLSearchParams,
    contentType: string | undefined,
    body: unknown,
  ): string[] {
    const { operation } = match;
    const problems: string[] = [];
    const known = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of new Set(query.keys()))
      if (!known.has(name)) problems.push(`query parameter "${name}" is not in the description`);
    for (const param of operation.parameters) {
      if (param.in !== 'path' && param.in !== 'query') continue;
      const raw =
        param.in === 'path' ? match.pathParams[param.name] : (query.get(param.name) ?? undefined);
      if (raw === undefined) {
        if (param.required) problems.push(`${param.in} parameter "${param.name}" is required`);
        continue;
      }
      if (!param.schema) continue;
      const holder = { value: raw as unknown };
      const validate = this.compile(
        `param:${operation.operationId}:${param.name}`,
        { type: 'object', properties: { value: this.deref(param.schema) } },
        this.coercingAjv,
      );
      if (!validate(holder))
        problems.push(
          `${param.in} parameter "${param.name}"=${JSON.stringify(raw)}: ${describe(validate.errors)}`,
        );
    }
    const requestBody = operation.requestBody;
    const jsonSchema = requestBody?.content?.['application/json']?.schema;
    if (body === undefined) {
      if (requestBody?.required && jsonSchema) problems.push('request body is required');
    } else if (jsonSchema) {
      if (!contentType?.includes('json'))
        problems.push(
          `request body must be application/json, found ${contentType ?? 'no content-type'}`,
        );
      const pointer = `github#/paths/${escapePointer(operation.template)}/${operation.method.toLowerCase()}/requestBody/content/${escapePointer('application/json')}/schema`;
      const validate = this.compile(pointer, { $ref: pointer }, this.ajv);
      if (!validate(body)) problems.push(`request body: ${describe(validate.errors)}`);
    } else if (!requestBody) {
      problems.push('request body sent to an operation that takes none');
    }
    return problems;
  }

  /** Checks a response status and JSON body against the operation's documented responses. */
  checkResponse(operation: Operation, status: number, body: unknown): string[] {
    const documented = operation.responses[String(status)];
    if (!documented) {
      if (!STATUSES_ANY_ENDPOINT.has(status))
        return [`status ${status} is not documented for ${operation.operationId}`];
      return this.checkAgainst('github#/components/schemas/basic-error', body, `${status} body`);
    }
    const resolved = this.deref(documented as Json) as {
      content?: Record<string, { schema?: Json }>;
    };
    const schema = resolved.content?.['application/json']?.schema;
    if (!schema) {
      if (body === undefined) return [];
      // Some documented errors (the upload's 422) come without a schema; GitHub still sends its error object.
      if (status >= 400)
        return this.checkAgainst('github#/components/schemas/basic-error', body, `${status} body`);
      return [
        `status ${status} of ${operation.operationId} has no body in the description, but one was sent`,
      ];
    }
    if (body === undefined)
      return [`status ${status} of ${operation.operationId} must have a JSON body`];
    const pointer =
      '$ref' in documented
        ? `github#/${(documented.$ref as string).replace(/^#\//, '')}/content/${escapePointer('application/json')}/schema`
        : `github#/paths/${escapePointer(operation.template)}/${operation.method.toLowerCase()}/responses/${status}/content/${escapePointer('application/json')}/schema`;
    return this.checkAgainst(pointer, body, `${status} body`);
  }

  private checkAgainst(pointer: string, body: unknown, what: string): string[] {
    const validate = this.compile(pointer, { $ref: pointer }, this.ajv);
    return validate(body) ? [] : [`${what}: ${describe(validate.errors)}`];
  }

  private compile(key: string, schema: Json, ajv: Ajv): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = ajv.compile(schema);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/**
 * Reads OpenAPI 3.0 `nullable` as GitHub means it, for Ajv: GitHub marks fields like a check
 * run's `conclusion` `nullable` with an `enum` that leaves null out and sends null there, so null
 * joins the enum; `nullable` beside `oneOf` without a `type` (a commit's `author`) becomes an
 * explicit "or null".
 */
function readNullableAsGitHubDoes(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) readNullableAsGitHubDoes(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  for (const value of Object.values(schema)) readNullableAsGitHubDoes(value);
  if (schema.nullable !== true) return;
  if (Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum = [...schema.enum, null];
  if (!('type' in schema)) {
    const { nullable: _nullable, ...rest } = schema;
    for (const key of Object.keys(schema)) delete schema[key];
    schema.anyOf = [rest, { type: 'null' }];
  }
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params && 'missingProperty' in e.params ? '' : ` ${JSON.stringify(e.params)}`}`,
    )
    .join('; ');
}

let contract: OpenApiContract | undefined;
let fullContract: OpenApiContract | undefined;

/**
 * The process-wide contract the server holds itself to: the trimmed description (see
 * `src/trim.ts`), imported as a module so that any bundle of the server carries it, and read on
 * first call, then shared by every server and test.
 */
export function loadContract(): OpenApiContract {
  contract ??= new OpenApiContract(trimmedDescription as Json);
  return contract;
}

/** GitHub's whole description (the @octokit/openapi devDependency): for contract tests of clients, never for the server. */
export function loadFullContract(): OpenApiContract {
  fullContract ??= new OpenApiContract(loadFullDescription());
  return fullContract;
}

/** The full description as published, untouched (a fresh parse on every call). */
export function loadFullDescription(): Json {
  return JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve(FULL_DESCRIPTION), 'utf8'),
  ) as Json;
}
