/** Python's `json.dumps` default `ensure_ascii=True`: every non-ASCII UTF-16 code unit as `\uXXXX`. */
function asciiOnly(json: string): string {
  return json.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/**
 * TUF-on-CI metadata bytes: `json.dumps(indent=1, sort_keys=True)`, no trailing newline,
 * so a file we rewrite diffs only where its content changed.
 */
export function formatMetadata(value: unknown): string {
  return asciiOnly(JSON.stringify(sortKeys(value), null, 1));
}

/** The release workflow's bytes: `json.dumps(indent=2)` in field order, plus a newline. */
export function formatManifestJson(value: unknown): string {
  return `${asciiOnly(JSON.stringify(value, null, 2))}\n`;
}
