/**
 * Writes src/api.github.com.trimmed.json: GitHub's REST description (the @octokit/openapi
 * devDependency, 13 MB) cut down to the operations this server implements and what they reference.
 * Run by `build`; test/trimmed-description.test.ts fails when the committed file is stale.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { IMPLEMENTED_OPERATIONS } from '../src/operations.ts';
import { FULL_DESCRIPTION, TRIMMED_DESCRIPTION_FILE } from '../src/description-files.ts';
import { trimDescription } from '../src/trim.ts';

const full = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve(FULL_DESCRIPTION), 'utf8'),
) as Record<string, unknown>;
const target = new URL(`../src/${TRIMMED_DESCRIPTION_FILE}`, import.meta.url);
const temporary = new URL(`${target.href}.${process.pid}.tmp`);
writeFileSync(temporary, `${JSON.stringify(trimDescription(full, IMPLEMENTED_OPERATIONS))}\n`);
renameSync(temporary, target);
