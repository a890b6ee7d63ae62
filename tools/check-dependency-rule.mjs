#!/usr/bin/env node
// The one-way rule, checked on Nx's project graph: libraries never depend on the compositions
// (cli, action), and published packages never depend at runtime on the private workspace tools.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COMPOSITIONS = new Set(['@oci-sd/cli', '@oci-sd/action', '@oci-sd/sandbox']);
const file = join(mkdtempSync(join(tmpdir(), 'oci-sd-graph-')), 'graph.json');
execFileSync('npx', ['nx', 'graph', `--file=${file}`], { stdio: 'ignore' });
const { graph } = JSON.parse(readFileSync(file, 'utf8'));
const problems = [];
for (const [project, deps] of Object.entries(graph.dependencies)) {
  if (COMPOSITIONS.has(project)) continue;
  for (const { target } of deps)
    if (COMPOSITIONS.has(target)) problems.push(`${project} depends on ${target}`);
}
for (const [project, node] of Object.entries(graph.nodes)) {
  const pkg = JSON.parse(readFileSync(join(node.data.root, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    const target = graph.nodes[dep];
    if (
      target &&
      JSON.parse(readFileSync(join(target.data.root, 'package.json'), 'utf8')).private
    ) {
      problems.push(`${project} (published) has a runtime dependency on private ${dep}`);
    }
  }
}
const projects = Object.keys(graph.nodes).sort();
console.log(`dependency rule: ${projects.length} projects (${projects.join(', ')})`);
if (problems.length) {
  console.error(`dependency rule broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
