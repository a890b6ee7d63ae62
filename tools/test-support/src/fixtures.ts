import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableOrRequired } from './required.ts';

/**
 * Real public data lives beside the project in `../shared/fixtures` and is read in place, never
 * copied. `OCI_SD_FIXTURES` points elsewhere; suites skip, naming the folder, without it (or fail,
 * when `OCI_SD_REQUIRE` lists `fixtures`).
 */
export const FIXTURES_DIR = resolve(
  process.env.OCI_SD_FIXTURES ??
    fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url)),
);

export const fixturesSkipReason = `real fixtures not found at ${FIXTURES_DIR} (set OCI_SD_FIXTURES)`;

export const haveFixtures = availableOrRequired(
  'fixtures',
  existsSync(FIXTURES_DIR),
  fixturesSkipReason,
);

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES_DIR, ...parts);
}
