import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  // Commands are dynamic imports, so each lands in its own chunk and `--help` loads none of them.
  splitting: true,
  dts: { compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.lib.json',
  sourcemap: true,
  clean: true,
  define: { __OCI_SD_VERSION__: JSON.stringify(version) },
});
