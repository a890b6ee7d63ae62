#!/usr/bin/env node
// prepack / postpack of every published package: the `@oci-sd/source` export condition points at
// `src/`, which only the workspace has (tests, typecheck and the action's bundle resolve through it).
// `prepack` removes the condition from the package.json that npm packs, keeping the workspace's
// file aside (along with what else is the workspace's only, see below); `postpack` puts it back. npm runs both around `npm pack` and `npm publish`.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const SOURCE_CONDITION = '@oci-sd/source';
const MANIFEST = 'package.json';
const KEPT = '.package.workspace.json';

function withoutSourceCondition(exports) {
  if (exports === null || typeof exports !== 'object') return exports;
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([key]) => key !== SOURCE_CONDITION)
      .map(([key, value]) => [key, withoutSourceCondition(value)]),
  );
}

const step = process.argv[2];
if (step === 'prepack') {
  // A kept file means an earlier pack died before postpack: the kept one is the workspace's.
  const text = readFileSync(existsSync(KEPT) ? KEPT : MANIFEST, 'utf8');
  const manifest = JSON.parse(text);
  writeFileSync(KEPT, text);
  // What only the workspace uses goes too: scripts (workspace paths, and these two hooks), Nx's
  // target settings, and devDependencies (private test servers a consumer cannot resolve).
  const { scripts: _scripts, devDependencies: _devDependencies, nx: _nx, ...kept } = manifest;
  const published = { ...kept, exports: withoutSourceCondition(manifest.exports) };
  writeFileSync(MANIFEST, `${JSON.stringify(published, null, 2)}\n`);
} else if (step === 'postpack') {
  if (existsSync(KEPT)) renameSync(KEPT, MANIFEST);
} else {
  console.error('usage: pack-manifest.mjs prepack | postpack');
  process.exit(2);
}
