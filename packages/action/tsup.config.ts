import { defineConfig } from 'tsup';

// One self-contained file: a runner installs nothing for an action, so every dependency is inlined.
export default defineConfig({
  entry: { index: 'src/main.ts' },
  format: ['esm'],
  target: 'node24',
  platform: 'node',
  noExternal: [/.*/],
  splitting: false,
  sourcemap: false,
  // Overwrite in place: a clean would leave a window with no bundle for anyone running it meanwhile.
  clean: false,
  tsconfig: 'tsconfig.lib.json',
  esbuildOptions(options) {
    options.conditions = ['@oci-sd/source', 'import', 'node', 'default'];
  },
  banner: {
    js: "import { createRequire as __ociSdCreateRequire } from 'node:module'; const require = __ociSdCreateRequire(import.meta.url);",
  },
});
