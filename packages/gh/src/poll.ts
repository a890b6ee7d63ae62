import { GitHubError } from './errors';

/** How a wait polls: tests inject the clock and sleep to run instantly. */
export interface PollOptions {
  /** Between polls (default 10 s). */
  intervalMs?: number;
  /** Give up after (default 30 min). */
  timeoutMs?: number;
  /** Milliseconds clock (default Date.now). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type PollStep<T> = { done: true; value: T } | { done: false; state: string };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `step` until it is done, or fails with TIMEOUT naming the last state seen. */
export async function poll<T>(
  what: string,
  options: PollOptions,
  step: () => Promise<PollStep<T>>,
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const interval = options.intervalMs ?? 10_000;
  const timeout = options.timeoutMs ?? 30 * 60_000;
  const deadline = now() + timeout;
  for (;;) {
    const result = await step();
    if (result.done) return result.value;
    if (now() + interval > deadline) {
      throw new GitHubError(
        'TIMEOUT',
        `${what}: gave up after ${Math.round(timeout / 1000)} s, last state: ${result.state}`,
        {
          expected: `done within ${timeout} ms`,
          found: result.state,
        },
      );
    }
    await sleep(interval);
  }
}
