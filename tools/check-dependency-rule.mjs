#!/usr/bin/env node
// The dependency rule, checked in CI on the workspace's manifests and sources:
// 1. Layers: shared leaves -> {changelog, gh, tuf, oci} -> {verify, release} -> {cli, action,
//    sandbox}. A package's runtime dependencies and its src/ imports of other workspace packages
//    point to lower layers only; the few same-layer edges are listed below with their reason.
// 2. No import cycles between the files of a package's src/, type-only imports included.
// 3. Published packages never depend on, nor bundle, private workspace packages; only the sandbox
//    (the zero-setup tour, which runs the private test servers) bundles them, and only those named
//    in its tsup config.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const LAYERS = [
  ['@oci-sd/core'],
  ['@oci-sd/changelog', '@oci-sd/gh', '@oci-sd/tuf', '@oci-sd/oci'],
  ['@oci-sd/verify', '@oci-sd/release'],
  ['@oci-sd/cli', '@oci-sd/action', '@oci-sd/sandbox'],
];
/** Same-layer edges, each with why it is not a layering mistake. */
const SAME_LAYER = new Map([
  ['@oci-sd/release -> @oci-sd/verify', "the release's last step verifies what it published"],
  ['@oci-sd/sandbox -> @oci-sd/cli', 'runs the oci-sd bin as a process (no import)'],
  ['@oci-sd/sandbox -> @oci-sd/action', "runs the action's dist as a process (no import)"],
]);
/** Private workspace packages the sandbox bundles (it alone may). */
const SANDBOX_BUNDLES = ['@oci-sd/test-sigstore', '@oci-sd/github-api-server'];

const layerOf = new Map(LAYERS.flatMap((names, rank) => names.map((name) => [name, rank])));
const workspaceDirs = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
).workspaces.flatMap((pattern) =>
  pattern.endsWith('/*')
    ? readdirSync(join(root, pattern.slice(0, -2))).map((d) => join(pattern.slice(0, -2), d))
    : [pattern],
);
const packages = new Map();
for (const dir of workspaceDirs) {
  const file = join(root, dir, 'package.json');
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  packages.set(manifest.name, { dir: join(root, dir), manifest });
}

const problems = [];
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => /\.(ts|mts)$/.test(f) && !/\.(test|d)\.ts$/.test(f) && statSync(f).isFile());
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
}

function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function checkEdge(from, to, how) {
  const a = layerOf.get(from);
  const b = layerOf.get(to);
  if (a === undefined || b === undefined) return;
  if (b < a) return;
  if (b === a && SAME_LAYER.has(`${from} -> ${to}`)) return;
  problems.push(`${from} ${how} ${to}: ${to} is not in a lower layer`);
}

for (const [name, { dir, manifest }] of packages) {
  // 1. layers, on the manifest's runtime dependencies
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (!packages.has(dep)) continue;
    checkEdge(name, dep, 'depends on');
    if (!manifest.private && packages.get(dep).manifest.private)
      problems.push(`${name} (published) has a runtime dependency on private ${dep}`);
  }
  // 1 and 2, on the sources
  const files = sourceFiles(join(dir, 'src'));
  const graph = new Map();
  for (const file of files) {
    const edges = [];
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (target) edges.push(target);
        continue;
      }
      const dep = packageName(specifier);
      if (!packages.has(dep) || dep === name) continue;
      checkEdge(name, dep, `imports (${relative(root, file)})`);
      const bundled = name === '@oci-sd/sandbox' && SANDBOX_BUNDLES.includes(dep);
      if (!manifest.private && packages.get(dep).manifest.private && !bundled)
        problems.push(`${relative(root, file)} (published ${name}) imports private ${dep}`);
    }
    graph.set(file, edges);
  }
  for (const cycle of cyclesOf(graph))
    problems.push(`import cycle in ${name}: ${cycle.map((f) => relative(dir, f)).join(' -> ')}`);
}

// 3. what published bundles may inline: tsup's noExternal lists
for (const [name, { dir, manifest }] of packages) {
  if (manifest.private) continue;
  const config = join(dir, 'tsup.config.ts');
  if (!existsSync(config)) continue;
  const text = readFileSync(config, 'utf8');
  for (const [dep, { manifest: depManifest }] of packages) {
    if (!depManifest.private || !text.includes(`'${dep}'`)) continue;
    if (name === '@oci-sd/sandbox' && SANDBOX_BUNDLES.includes(dep)) continue;
    problems.push(`${name} (published) bundles private ${dep} (tsup.config.ts)`);
  }
}

/** Every strongly connected component of more than one file (or a file importing itself). */
function cyclesOf(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), indices.get(next)));
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node))
        found.push(component.reverse());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

const names = [...packages.keys()].sort();
console.log(`dependency rule: ${names.length} packages (${names.join(', ')})`);
if (problems.length) {
  console.error(`dependency rule broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
