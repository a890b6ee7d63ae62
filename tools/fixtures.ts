import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/**
 * Real public data lives beside the project in `../shared/fixtures` and is read in place,
 * never copied. `OCI_SD_FIXTURES` points elsewhere; tests skip, naming the folder, without it.
 */
export const FIXTURES_DIR = resolve(
  process.env.OCI_SD_FIXTURES ?? fileURLToPath(new URL('../../shared/fixtures', import.meta.url)),
);

export const haveFixtures = existsSync(FIXTURES_DIR);

export const fixturesSkipReason = `real fixtures not found at ${FIXTURES_DIR} (set OCI_SD_FIXTURES)`;

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES_DIR, ...parts);
}
