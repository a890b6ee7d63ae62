import { startGitHubApiServer, type GitHubApiServer } from '@oci-sd/github-api-server';
import {
  createGitHubClient,
  type GitHubClient,
  type GitHubClientOptions,
  type PollOptions,
} from '../../src/index';

/** Shaped like a real PAT so the redaction of token shapes is exercised too. */
export const TOKEN = `ghp_${'Z9y8X7w6'.repeat(5)}`;

export function startServer(): Promise<GitHubApiServer> {
  return startGitHubApiServer({ token: TOKEN });
}

/** A client tuned for tests: waits shrunk to 1 ms units, no write spacing, short timeouts. */
export function testClient(
  gh: GitHubApiServer,
  options: GitHubClientOptions = {},
): Promise<GitHubClient> {
  return createGitHubClient({
    token: TOKEN,
    apiUrl: gh.url,
    ghCli: false,
    backoffUnitMs: 1,
    minWriteIntervalMs: 0,
    requestTimeoutMs: 5_000,
    ...options,
  });
}

/**
 * A virtual clock: sleeping advances it instantly. `onSleep` runs at each poll, so a test can move
 * the world along (finish a check, complete a run) between two polls.
 */
export function virtualTime(
  onSleep: (poll: number) => void | Promise<void> = () => {},
  intervalMs = 1_000,
  timeoutMs = 60_000,
): PollOptions & { polls: () => number } {
  let now = 0;
  let polls = 0;
  return {
    intervalMs,
    timeoutMs,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      await onSleep(++polls);
    },
    polls: () => polls,
  };
}

let repoCounter = 0;
/** A fresh repository name per test, so tests sharing a server never see each other's state. */
export function uniqueRepo(prefix = 'repo'): string {
  return `octo/${prefix}-${++repoCounter}`;
}
