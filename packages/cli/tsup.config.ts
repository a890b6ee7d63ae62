import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The demo's private workspace parts (test Sigstore instance, GitHub API test server) and the
 * action's commands are not published: they are bundled into the demo chunk, from their sources.
 */
const BUNDLED = ['@oci-sd/test-sigstore', '@oci-sd/github-api-server', '@oci-sd/action'];

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
});
