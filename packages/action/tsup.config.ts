import { defineConfig } from 'tsup';
import { thirdPartyNotices } from '../../tools/build/third-party-notices.ts';

export default defineConfig([
  {
    // The runner entry (`runs.main` in action.yml): one self-contained file, since a runner installs
    // nothing for an action, so every dependency is inlined. Importing it runs the action.
    entry: { main: 'src/main.ts' },
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
    esbuildPlugins: [thirdPartyNotices({ bundle: "@oci-sd/action's runner entry dist/main.js" })],
    banner: {
      js: "import { createRequire as __ociSdCreateRequire } from 'node:module'; const require = __ociSdCreateRequire(import.meta.url);",
    },
  },
  {
    // The library entry (the package's `exports`): the commands' building blocks, with types; its
    // dependencies stay external (they are the package's `dependencies`) and importing it runs nothing.
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    // one file: the commands' lazy imports stay lazy inside it, and dist/ holds no chunks to commit
    splitting: false,
    sourcemap: false,
    clean: false,
    dts: { compilerOptions: { customConditions: [] } },
    tsconfig: 'tsconfig.lib.json',
  },
]);
