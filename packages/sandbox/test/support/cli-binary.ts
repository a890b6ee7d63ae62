import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const PACKAGE_DIR = join(import.meta.dirname, '..', '..');

/**
 * Bundles the CLI from src/ (workspace packages through their `@oci-sd/source` condition) into
 * node_modules/.cache, so child processes run the code under test without a prior build.
 * Third-party packages stay external and resolve from the workspace's node_modules.
 */
export async function buildCliForTests(): Promise<string> {
  const outdir = join(PACKAGE_DIR, 'node_modules', '.cache', 'oci-sd-test');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `oci-sd-${process.pid}.mjs`);
  await build({
    entryPoints: [join(PACKAGE_DIR, 'test', 'support', 'cli-entry.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    conditions: ['@oci-sd/source'],
    logLevel: 'warning',
    define: { __OCI_SD_VERSION__: '"0.0.0-test"' },
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'third-party-external',
        setup(b) {
          // bare imports that are not workspace packages load from node_modules at run time,
          // except commander: the CLI's own version, bundled as its build bundles it
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            /^(@oci-sd\/|node:|commander$)/.test(args.path)
              ? undefined
              : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return outfile;
}
