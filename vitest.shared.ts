import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings: in-repo packages resolve to their `src/` through the
 * `@oci-sd/source` export condition, so tests never need a build first.
 */
export function packageTestConfig(overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['@oci-sd/source', 'module', 'node', 'import', 'default'] },
    ssr: {
      resolve: {
        conditions: ['@oci-sd/source', 'node', 'import', 'default'],
        externalConditions: ['@oci-sd/source'],
      },
    },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      // The TUF metadata cache (and anything else XDG) of code under test stays out of the user's home.
      env: { XDG_CACHE_HOME: join(tmpdir(), 'oci-sd-test-xdg-cache') },
      // The JSON report lets .ci/run print one 'N passed, N failed' line for the whole workspace.
      reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    },
  });
}
