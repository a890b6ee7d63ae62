import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { TRIMMED_DESCRIPTION_FILE } from './src/description-files';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  dts: { compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.lib.json',
  sourcemap: true,
  clean: true,
  // the server reads its OpenAPI description next to its module
  onSuccess: async () => copyFileSync(`src/${TRIMMED_DESCRIPTION_FILE}`, `dist/${TRIMMED_DESCRIPTION_FILE}`),
});
