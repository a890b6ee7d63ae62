import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxReporter } from '../src/output';
import { runDemo } from '../src/run';
import { buildCliForTests } from './support/cli-binary';

// `oci-sd` as the demo runs it: a process, here the CLI bundled from its sources
let cliBin: string;
beforeAll(async () => void (cliBin = await buildCliForTests()));
afterAll(() => rmSync(cliBin, { force: true }));

describe('oci-sd demo', () => {
  it('releases the sample project end to end in a sandbox and verifies it as a consumer', async () => {
    const lines: string[] = [];
    const out = { write: (chunk: string) => lines.push(chunk) };
    const reporter = sandboxReporter(false, out);
    let result;
    try {
      result = await runDemo({ reporter, out, cliBin, pollIntervalMs: 100 });
    } catch (error) {
      // the transcript says where it stopped
      process.stderr.write(lines.join(''));
      throw error;
    } finally {
      reporter.close();
    }
    expect(result.tag).toBe('v1.5.0');
    expect(result.verifyExitCode).toBe(0);
    expect(result.violations).toEqual([]);
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const transcript = lines.join('');
    for (let step = 1; step <= 7; step++)
      expect(transcript).toMatch(new RegExp(`\\[${step}/7\\] ✓ `));
    expect(transcript).toContain('oci-sd tuf sign sign/release-1-5-0-');
    expect(transcript).toMatch(/Demo done in \d+\.\ds: released v1\.5\.0/);
  }, 120_000);

  it('--json: every line is one JSON event, the consumer checks included', async () => {
    const chunks: string[] = [];
    const out = { write: (chunk: string) => chunks.push(chunk) };
    const reporter = sandboxReporter(true, out);
    try {
      await runDemo({ reporter, out, cliBin, json: true, pollIntervalMs: 100 });
    } finally {
      reporter.close();
    }
    const events = chunks
      .join('')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; step?: string; ok?: boolean });
    const consumer = events.filter((e) => e.type === 'check' && e.step === 'consumer');
    expect(consumer.length).toBeGreaterThanOrEqual(10);
    expect(consumer.every((e) => e.ok)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'done' });
  }, 120_000);
});
