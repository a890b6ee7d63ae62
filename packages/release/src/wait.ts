import { setTimeout as sleep } from 'node:timers/promises';
import { ReleaseError } from './errors';

export interface WaitOptions {
  /** Give up after this long (a resume continues the wait). */
  timeoutMs: number;
  /** Time between two looks at the remote state. */
  intervalMs: number;
}

/**
 * Asks `look` until it returns a value. `what` names the awaited thing in the timeout error;
 * `pending()` describes what is still missing at that moment.
 */
export async function waitFor<T>(
  what: string,
  look: () => Promise<T | undefined>,
  options: WaitOptions,
  pending: () => string = () => 'not there yet',
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await look();
    if (value !== undefined) return value;
    if (Date.now() + options.intervalMs > deadline) {
      throw new ReleaseError(
        'TIMEOUT',
        `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${what}: ${pending()}; run again with --resume to keep waiting`,
        {
          expected: what,
          found: pending(),
        },
      );
    }
    await sleep(options.intervalMs);
  }
}
