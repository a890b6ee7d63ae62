#!/usr/bin/env node
// prepack / postpack of every published package: the `@oci-sd/source` export condition points at
// `src/`, which only the workspace has (tests, typecheck and the action's bundle resolve through
// it). `prepack` removes it, and what else only the workspace uses (see below), from the
// package.json that npm packs, keeping the workspace's file aside; `postpack` puts it back.
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
} else if (step === 'postpack' && process.env.npm_command === 'publish') {
  // `npm publish` reads package.json again after postpack and sends that file to the registry as
  // the version's metadata, so under publish the published form stays: `restore` (or the next
  // prepack, which reads the kept file) brings the workspace's back.
  console.error(
    `${MANIFEST}: published form kept for npm publish; 'pack-manifest.mjs restore' undoes it`,
  );
} else if (step === 'postpack' || step === 'restore') {
  if (existsSync(KEPT)) renameSync(KEPT, MANIFEST);
} else {
  console.error('usage: pack-manifest.mjs prepack | postpack | restore');
  process.exit(2);
}
