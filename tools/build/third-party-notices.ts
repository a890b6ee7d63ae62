import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import type { Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/** The name of the notices file written next to every bundle that inlines third-party code. */
const NOTICES_FILE = 'THIRD_PARTY_NOTICES.md';

interface BundledPackage {
  name: string;
  version: string;
  license: string;
  licenseText: string | undefined;
}

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$|^licen[cs]e[-.]/i;

/** `node_modules/<name>` or `node_modules/@scope/<name>`: the package an input path belongs to. */
function packageDirOf(input: string): string | undefined {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const length = parts[at + 1]!.startsWith('@') ? 2 : 1;
  return parts.slice(0, at + 1 + length).join(sep);
}

function licenseOf(manifest: Record<string, unknown>): string | undefined {
  const { license, licenses } = manifest as {
    license?: string | { type?: string };
    licenses?: { type?: string }[];
  };
  if (typeof license === 'string') return license;
  if (license?.type) return license.type;
  const types = licenses?.map((entry) => entry.type).filter(Boolean);
  return types?.length ? types.join(' OR ') : undefined;
}

function readPackage(dir: string): BundledPackage {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const license = licenseOf(manifest);
  const name = String(manifest.name);
  // A package without a licence cannot be redistributed: the build stops rather than ship it.
  if (!license || /^(unlicensed|see license in)/i.test(license)) {
    throw new Error(`${NOTICES_FILE}: bundled ${name} (${dir}) declares no usable licence`);
  }
  const files = readdirSync(dir)
    .filter((file) => LICENSE_FILE.test(file))
    .sort();
  const licenseText = files.length
    ? files.map((file) => readFileSync(join(dir, file), 'utf8').trim()).join('\n\n')
    : undefined;
  return { name, version: String(manifest.version), license, licenseText };
}

/** The notices document: one section per package, sorted by name, with its licence text. */
function formatNotices(bundle: string, packages: BundledPackage[]): string {
  const lines = [
    '# Third-party notices',
    '',
    `These packages are inlined in ${bundle}, each listed with its version, its licence (the`,
    'SPDX expression of its package.json) and the licence text it ships.',
    '',
  ];
  for (const pkg of packages) {
    lines.push(`## ${pkg.name}@${pkg.version}`, '', `License: ${pkg.license}`, '');
    if (pkg.licenseText) lines.push('```text', pkg.licenseText.replace(/```/g, "'''"), '```', '');
    else lines.push('(the package ships no licence file; its licence is the SPDX one above)', '');
  }
  return lines.join('\n');
}

export interface ThirdPartyNoticesOptions {
  /** Shown in the document's first line, e.g. `@oci-sd/action's dist/index.js`. */
  bundle: string;
  /**
   * Inputs that are not in node_modules but derive from a package's content (e.g. a trimmed copy
   * of a description file): input path suffix -> the package it derives from.
   */
  derivedFrom?: Record<string, string>;
}

/**
 * Writes THIRD_PARTY_NOTICES.md into the output directory from esbuild's metafile: every
 * `node_modules` package with at least one input in the bundle. (The plugin turns
 * the metafile on; tsup's own `metafile` option would also write it into dist, i.e. ship it.)
 */
export function thirdPartyNotices(options: ThirdPartyNoticesOptions): Plugin {
  return {
    name: 'third-party-notices',
    setup(build) {
      build.initialOptions.metafile = true;
      build.onEnd(async (result) => {
        if (result.errors.length || !result.metafile) return;
        const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
        const dirs = new Set<string>();
        // an input counts when any output (a chunk, with splitting) holds some of its bytes
        const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
          Object.entries(output.inputs)
            .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
            .map(([input]) => resolve(cwd, input)),
        );
        for (const path of new Set(inputs)) {
          const dir = packageDirOf(path);
          if (dir) dirs.add(dir);
          for (const [suffix, name] of Object.entries(options.derivedFrom ?? {})) {
            if (!path.endsWith(suffix)) continue;
            const manifest = createRequire(path).resolve(`${name}/package.json`);
            dirs.add(dirname(manifest));
          }
        }
        // one section per name@version, however many nested copies the bundle inlines
        const unique = new Map(
          [...dirs].map(readPackage).map((pkg) => [`${pkg.name}@${pkg.version}`, pkg]),
        );
        const packages = [...unique.values()].sort(
          (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
        );
        if (!packages.length) return;
        const outDir = resolve(cwd, build.initialOptions.outdir ?? 'dist');
        await mkdir(outDir, { recursive: true });
        await writeFile(join(outDir, NOTICES_FILE), formatNotices(options.bundle, packages));
      });
    },
  };
}
