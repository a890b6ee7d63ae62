import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/index';

describe('oci-sd', () => {
  it('lists every command in --help and exits 0', async () => {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    try {
      expect(await main(['node', 'oci-sd', '--help'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    for (const name of ['release', 'changelog', 'verify', 'tuf', 'gh', 'demo']) expect(out).toContain(name);
  });

  it('exits 2 on an unknown command', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['node', 'oci-sd', 'no-such-command'])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
