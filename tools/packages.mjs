// The workspace's published packages (packages/*, not private) and `npm pack` of all of them,
// shared by the package checks (tools/check-packages.mjs) and the install test.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WORKSPACE = resolve(import.meta.dirname, '..');

/** `{ name, dir, manifest }` of every package under packages/ that npm would publish. */
export function publishedPackages() {
  return readdirSync(join(WORKSPACE, 'packages'))
    .sort()
    .map((entry) => {
      const dir = join(WORKSPACE, 'packages', entry);
      return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
    })
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir, manifest }));
}

/**
 * Packs every published package into `destination` as `npm publish` would (prepack/postpack
 * included), one npm process for all; returns each tarball's path and file list.
 */
export function packAll(destination) {
  const packages = publishedPackages();
  const output = execFileSync(
    'npm',
    [
      'pack',
      '--json',
      '--loglevel=error',
      '--foreground-scripts=false',
      '--pack-destination',
      destination,
      ...packages.flatMap(({ name }) => ['-w', name]),
    ],
    { cwd: WORKSPACE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const packed = JSON.parse(output);
  return packages.map((pkg) => {
    const entry = packed.find((p) => p.name === pkg.name);
    if (!entry) throw new Error(`npm pack wrote no tarball for ${pkg.name}`);
    return {
      ...pkg,
      tarball: join(destination, entry.filename),
      files: entry.files.map((file) => ({ path: file.path, size: file.size })),
      size: entry.size,
      unpackedSize: entry.unpackedSize,
    };
  });
}
