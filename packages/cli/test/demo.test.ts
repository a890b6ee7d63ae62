import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo/run';
import { createReporter } from '../src/ui/reporter';

describe('oci-sd demo', () => {
  it('releases the sample project end to end in a sandbox and verifies it as a consumer', async () => {
    const lines: string[] = [];
    const reporter = createReporter('plain', { write: (chunk: string) => (process.env.OCI_SD_DEMO_LOG ? process.stderr.write(chunk) : lines.push(chunk)) }, {});
    let result;
    try {
      result = await runDemo({ reporter, pollIntervalMs: 100 });
    } finally {
      reporter.close();
      process.stderr.write(lines.join(''));
    }
    expect(result.tag).toBe('v1.5.0');
    expect(result.verifyExitCode).toBe(0);
    expect(result.violations).toEqual([]);
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  }, 120_000);
});
