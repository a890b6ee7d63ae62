import { defineConfig } from 'tsup';

/**
 * The private test servers (test Sigstore instance, GitHub API test server) are not published:
 * they are bundled into this package's dist from their sources; their runtime dependencies are
 * this package's.
 */
const BUNDLED = ['@oci-sd/test-sigstore', '@oci-sd/github-api-server'];

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  noExternal: BUNDLED,
  esbuildOptions(options) {
    // bundled workspace packages resolve to their `src/`
    options.conditions = ['@oci-sd/source'];
  },
  // their types too: a consumer of this package's types never resolves a private package
  dts: { compilerOptions: { customConditions: [] }, resolve: BUNDLED },
  tsconfig: 'tsconfig.lib.json',
  sourcemap: true,
  clean: true,
});
