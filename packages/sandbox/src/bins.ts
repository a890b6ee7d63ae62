import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Manifest {
  main?: string;
  bin?: string | Record<string, string>;
}

function manifestOf(pkg: string): { manifest: Manifest; url: string } {
  const url = import.meta.resolve(`${pkg}/package.json`);
  return { manifest: JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as Manifest, url };
}

/** The file a package's `main` names (the action's bundle, as `runs.main` in action.yml). */
export function packageEntry(pkg: string): string {
  const { manifest, url } = manifestOf(pkg);
  if (!manifest.main) throw new Error(`${pkg}: package.json names no main`);
  return fileURLToPath(new URL(manifest.main, url));
}

/** The file of a package's bin `name`, as npm links it. */
export function packageBin(pkg: string, name: string): string {
  const { manifest, url } = manifestOf(pkg);
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[name];
  if (!bin) throw new Error(`${pkg}: package.json names no bin ${name}`);
  return fileURLToPath(new URL(bin, url));
}
