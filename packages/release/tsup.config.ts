import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  dts: { compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.lib.json',
  // No source maps: they would point at src/, which the package does not ship.
  sourcemap: false,
  clean: true,
});
