import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../src/commands/index';
import { main } from '../src/index';

function quiet() {
  let out = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return { text: () => out, restore: () => (stdout.mockRestore(), stderr.mockRestore()) };
}

afterEach(() => vi.restoreAllMocks());

describe('lazy loading', () => {
  it('--help loads no command module', async () => {
    const loads = COMMANDS.map((c) => vi.spyOn(c, 'load'));
    const io = quiet();
    try {
      expect(await main(['node', 'oci-sd', '--help'])).toBe(0);
    } finally {
      io.restore();
    }
    for (const load of loads) expect(load).not.toHaveBeenCalled();
  });

  it('a command loads its own module only', async () => {
    const loads = new Map(COMMANDS.map((c) => [c.name, vi.spyOn(c, 'load')]));
    const io = quiet();
    try {
      expect(await main(['node', 'oci-sd', 'release', '--help'])).toBe(0);
    } finally {
      io.restore();
    }
    expect(io.text()).toContain('oci-sd release --resume');
    for (const [name, load] of loads) expect(load).toHaveBeenCalledTimes(name === 'release' ? 1 : 0);
  });

  it('demo --help shows the demo without starting anything', async () => {
    const io = quiet();
    try {
      expect(await main(['node', 'oci-sd', 'demo', '--help'])).toBe(0);
    } finally {
      io.restore();
    }
    expect(io.text()).toContain('--keep');
  });
});
