import { defineConfig } from 'tsup';
import { thirdPartyNotices } from '../../tools/build/third-party-notices.ts';

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
  esbuildPlugins: [
    thirdPartyNotices({
      bundle: "@oci-sd/sandbox's dist/index.js",
      // the GitHub API test server inlines a trimmed copy of GitHub's OpenAPI description
      derivedFrom: { 'api.github.com.trimmed.json': '@octokit/openapi' },
    }),
  ],
  esbuildOptions(options) {
    // bundled workspace packages resolve to their `src/`
    options.conditions = ['@oci-sd/source'];
  },
  // their types too: a consumer of this package's types never resolves a private package
  dts: { compilerOptions: { customConditions: [] }, resolve: BUNDLED },
  tsconfig: 'tsconfig.lib.json',
  // No source maps: they would point at src/, which the package does not ship.
  sourcemap: false,
  clean: true,
});
