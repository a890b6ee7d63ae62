// Test-file scaffolding on vitest's hooks (kept out of helpers.ts, which the bench imports too).
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import type { GitHubClient } from '../../src/index';
import { startServer, testClient } from './helpers';

/**
 * One test server for the calling test file, with a test client on it, handed to `onStart`. After
 * each test the faults are cleared and any OpenAPI violation the server saw fails the test.
 */
export function useTestServer(
  onStart: (started: { gh: GitHubApiServer; client: GitHubClient }) => unknown,
): void {
  let gh: GitHubApiServer | undefined;
  beforeAll(async () => {
    gh = await startServer();
    await onStart({ gh, client: await testClient(gh) });
  });
  afterAll(() => gh?.stop());
  afterEach(() => {
    gh?.faults.clear();
    gh?.assertNoViolations();
  });
}
