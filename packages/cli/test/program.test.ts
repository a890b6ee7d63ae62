import { describe, expect, it } from 'vitest';
import { runMain } from './support/run-cli';

describe('oci-sd', () => {
  it('lists every command in --help and exits 0', async () => {
    const { code, out } = await runMain('--help');
    expect(code).toBe(0);
    for (const name of ['release', 'changelog', 'verify', 'tuf', 'gh', 'demo'])
      expect(out).toContain(name);
  });

  it('exits 2 on an unknown command', async () => {
    const { code, err } = await runMain('no-such-command');
    expect(code).toBe(2);
    expect(err).toMatch(/no-such-command/);
  });
});
