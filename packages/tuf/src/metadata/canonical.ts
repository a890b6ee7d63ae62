import { TufError } from '../errors';

/**
 * OLPC canonical JSON, the bytes TUF signs: keys sorted by code unit, no whitespace,
 * only `"` and `\` escaped, integers only. Everything else (control characters,
 * non-ASCII) is written verbatim as UTF-8, as securesystemslib does.
 */
export function canonicalize(value: unknown): Buffer {
  return Buffer.from(canonicalString(value, '$'), 'utf8');
}

function canonicalString(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new TufError('METADATA_INVALID', `canonical JSON allows integers only, ${path} is ${value}`, { expected: 'integer', found: value });
      }
      return String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item, i) => canonicalString(item, `${path}[${i}]`)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      const parts: string[] = [];
      for (const key of keys) {
        if (record[key] === undefined) continue;
        parts.push(`${canonicalString(key, path)}:${canonicalString(record[key], `${path}.${key}`)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TufError('METADATA_INVALID', `canonical JSON cannot encode ${typeof value} at ${path}`, { expected: 'JSON value', found: typeof value });
  }
}
