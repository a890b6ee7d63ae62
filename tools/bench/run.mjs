#!/usr/bin/env node
// npm run bench: runs each workspace package's `bench` script one after another (never in
// parallel, so timings do not fight for the two cores). Each bench writes its own table
// into its package README between `<!-- bench:start -->` and `<!-- bench:end -->`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const only = process.argv.slice(2);
const dirs = ['packages', 'tools']
  .flatMap((d) => readdirSync(join(root, d)).map((p) => join(root, d, p)))
  .filter((d) => existsSync(join(d, 'package.json')));
let failed = 0;
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!pkg.scripts?.bench) continue;
  if (only.length && !only.some((o) => pkg.name.endsWith(o))) continue;
  console.log(`\n== ${pkg.name} ==`);
  try {
    execFileSync('npm', ['run', 'bench', '--silent'], { cwd: dir, stdio: 'inherit' });
  } catch {
    failed++;
  }
}
process.exit(failed ? 1 : 0);
