#!/usr/bin/env node
// Sums every package's vitest JSON report into one closing line: "Tests: N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0,
  failed = 0,
  skipped = 0,
  reports = 0;
for (const group of ['packages', 'tools']) {
  for (const name of readdirSync(join(root, group))) {
    const file = join(root, group, name, '.vitest-results.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    reports++;
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
}
console.log(`${reports} test reports`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed || !reports ? 1 : 0);
