import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The demo's private workspace parts (test Sigstore instance, GitHub API test server) and the
 * action's commands are not published: they are bundled into the demo chunk, from their sources.
 */
const BUNDLED = ['@oci-sd/test-sigstore', '@oci-sd/github-api-server', '@oci-sd/action'];

/** The GitHub API test server reads its trimmed OpenAPI description next to its module: here, the chunks in dist/. */
const GITHUB_OPENAPI = join(dirname(createRequire(import.meta.url).resolve('@oci-sd/github-api-server/package.json')), 'src', 'api.github.com.trimmed.json');

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  // Commands are dynamic imports, so each lands in its own chunk and `--help` loads none of them.
  splitting: true,
  noExternal: BUNDLED,
  esbuildOptions(options) {
    // bundled workspace packages resolve to their `src/` (the action's `dist/` is its runnable entry)
    options.conditions = ['@oci-sd/source'];
  },
  dts: { compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.lib.json',
  sourcemap: true,
  clean: true,
  define: { __OCI_SD_VERSION__: JSON.stringify(version) },
  onSuccess: async () => copyFileSync(GITHUB_OPENAPI, 'dist/api.github.com.trimmed.json'),
});
