/**
 * A copy of `values` without its undefined properties: optional fields stay absent rather than
 * present-and-undefined, as `exactOptionalPropertyTypes` requires and JSON output shows.
 */
export function definedOnly<T extends object>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
