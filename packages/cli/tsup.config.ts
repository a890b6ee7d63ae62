import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';
import type { Options } from 'tsup';
import { thirdPartyNotices } from '../../tools/build/third-party-notices.ts';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as { version: string };

const BUILTIN_IMPORT = /^import (\w+|\{[\w\s,]+\}) from '(node:[\w/]+)';$/gm;

/**
 * commander imports Node builtins as ES modules, and Node builds a builtin's whole namespace for
 * that: for `node:process` it opens stdin, stdout and stderr and loads some 30 internal modules
 * before the CLI has parsed a flag (~3 ms of a 75 ms `changelog notes`). Bundled, commander gets
 * them through require(), which builds nothing. Should commander change how it imports them, the
 * pattern matches nothing and the plain imports stay: slower, never wrong.
 */
const requireBuiltins: Plugin = {
  name: 'commander-require-builtins',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(
        BUILTIN_IMPORT,
        (_, binding: string, specifier: string) =>
          `const ${binding.replace(/\s+as\s+/g, ': ')} = __nodeRequire('${specifier}');`,
      );
      return {
        contents:
          contents === source
            ? source
            : `import { createRequire as __createRequire } from 'node:module';\nconst __nodeRequire = __createRequire(import.meta.url);\n${contents}`,
        loader: 'js',
      };
    });
  },
};

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  // Commands are dynamic imports, so each lands in its own chunk and `--help` loads none of them.
  splitting: true,
  // commander is bundled too, for its builtin imports (see requireBuiltins).
  noExternal: ['commander'],
  esbuildPlugins: [requireBuiltins, thirdPartyNotices({ bundle: "@oci-sd/cli's dist/ chunks" })],
  dts: { compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.lib.json',
  // No source maps: they would point at src/, which the package does not ship.
  sourcemap: false,
  clean: true,
  define: { __OCI_SD_VERSION__: JSON.stringify(version) },
});
