import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  dts: { compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.lib.json',
  sourcemap: true,
  clean: true,
});
