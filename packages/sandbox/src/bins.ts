import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Manifest {
  bin?: string | Record<string, string>;
}

function manifestOf(pkg: string): { manifest: Manifest; url: string } {
  const url = import.meta.resolve(`${pkg}/package.json`);
  return { manifest: JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as Manifest, url };
}

/**
 * The file an action package's action.yml names as `runs.main`: what a runner starts (the
 * package's `main` is its library entry, which runs nothing).
 */
export function actionRunner(pkg: string): string {
  const { url } = manifestOf(pkg);
  const actionYml = readFileSync(fileURLToPath(new URL('action.yml', url)), 'utf8');
  const main = /^runs:\n(?:[ \t]+.*\n)*?[ \t]+main:[ \t]*['"]?([^'"\s]+)/m.exec(actionYml)?.[1];
  if (!main) throw new Error(`${pkg}: action.yml names no runs.main`);
  return fileURLToPath(new URL(main, url));
}

/** The file of a package's bin `name`, as npm links it. */
export function packageBin(pkg: string, name: string): string {
  const { manifest, url } = manifestOf(pkg);
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[name];
  if (!bin) throw new Error(`${pkg}: package.json names no bin ${name}`);
  return fileURLToPath(new URL(bin, url));
}
