#!/usr/bin/env node
// Every third-party module inlined in a built bundle (packages/*/dist) has its notice: esbuild
// marks each inlined module with a `// <path>/node_modules/<package>/<file>` comment, read here
// independently of the build's own notices plugin (tools/build/third-party-notices.ts), so a
// bundle whose notices are missing, stale or without a licence fails.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const NOTICES = 'THIRD_PARTY_NOTICES.md';
const MODULE_COMMENT = /^\/\/ (?:\S*\/)?node_modules\/((?:@[^/\s]+\/)?[^/\s]+)\/\S*$/gm;
const SECTION = /^## ((?:@[^/\s]+\/)?[^@\s]+)@(\S+)\n\nLicense: (.*)$/gm;

const problems = [];
let bundles = 0;
let modules = 0;
for (const pkg of readdirSync('packages').sort()) {
  const dist = join('packages', pkg, 'dist');
  if (!existsSync(dist)) {
    problems.push(`${dist}: not built (run the build first)`);
    continue;
  }
  const inlined = new Set();
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) {
    for (const [, name] of readFileSync(join(dist, file), 'utf8').matchAll(MODULE_COMMENT))
      inlined.add(name);
  }
  const noticesFile = join(dist, NOTICES);
  // (a notices file without inlined node_modules is a bundle's derived content, e.g. the
  // sandbox's trimmed copy of GitHub's OpenAPI description, declared in its tsup config)
  if (!inlined.size) continue;
  bundles++;
  modules += inlined.size;
  if (!existsSync(noticesFile)) {
    problems.push(`${noticesFile}: missing (${inlined.size} inlined modules)`);
    continue;
  }
  const licenses = new Map();
  for (const [, name, , license] of readFileSync(noticesFile, 'utf8').matchAll(SECTION))
    licenses.set(name, license.trim());
  for (const name of [...inlined].sort()) {
    const license = licenses.get(name);
    if (license === undefined) problems.push(`${noticesFile}: no notice for inlined ${name}`);
    else if (!license || /^(unknown|unlicensed|see license)/i.test(license))
      problems.push(`${noticesFile}: ${name} has no known licence (found "${license}")`);
  }
}
console.log(`third-party notices: ${bundles} bundles, ${modules} inlined modules checked`);
if (problems.length) {
  console.error(`third-party notices incomplete:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
