import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../src/commands/index';
import { runMain } from './support/run-cli';

afterEach(() => vi.restoreAllMocks());

describe('lazy loading', () => {
  it('--help loads no command module', async () => {
    const loads = COMMANDS.map((c) => vi.spyOn(c, 'load'));
    expect((await runMain('--help')).code).toBe(0);
    for (const load of loads) expect(load).not.toHaveBeenCalled();
  });

  it('a command loads its own module only', async () => {
    const loads = new Map(COMMANDS.map((c) => [c.name, vi.spyOn(c, 'load')]));
    const { code, out } = await runMain('release', '--help');
    expect(code).toBe(0);
    expect(out).toContain('oci-sd release --resume');
    for (const [name, load] of loads)
      expect(load).toHaveBeenCalledTimes(name === 'release' ? 1 : 0);
  });

  it('demo --help shows the demo without starting anything', async () => {
    const { code, out } = await runMain('demo', '--help');
    expect(code).toBe(0);
    expect(out).toContain('--keep');
  });
});
