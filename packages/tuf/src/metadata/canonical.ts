import { TufError } from '../errors';

const NEEDS_ESCAPE = /["\\]/;

/**
 * OLPC canonical JSON, the bytes TUF signs: keys sorted by code unit, no whitespace,
 * only `"` and `\` escaped, integers only. Everything else (control characters,
 * non-ASCII) is written verbatim as UTF-8, as securesystemslib does.
 */
export function canonicalize(value: unknown): Buffer {
  // The path is kept as a stack and joined only for an error: targets maps hold thousands of keys.
  const path: string[] = ['$'];
  return Buffer.from(encode(value, path), 'utf8');
}

function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
}

function encode(value: unknown, path: string[]): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new TufError(
          'METADATA_INVALID',
          `canonical JSON allows integers only, ${path.join('')} is ${value}`,
          { expected: 'integer', found: value },
        );
      }
      return String(value);
    case 'object': {
      let out: string;
      if (Array.isArray(value)) {
        out = '[';
        for (let i = 0; i < value.length; i++) {
          path.push(`[${i}]`);
          out += (i === 0 ? '' : ',') + encode(value[i], path);
          path.pop();
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        path.push(`.${key}`);
        out += `${first ? '' : ','}${quote(key)}:${encode(item, path)}`;
        path.pop();
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TufError(
        'METADATA_INVALID',
        `canonical JSON cannot encode ${typeof value} at ${path.join('')}`,
        { expected: 'JSON value', found: typeof value },
      );
  }
}
