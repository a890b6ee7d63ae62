import { vi } from 'vitest';
import { main } from '../../src/index';

export interface MainResult {
  /** The exit code main() returns. */
  code: number;
  out: string;
  err: string;
}

/** Runs `oci-sd ...args` in this process through main(), capturing what it writes to stdout and stderr. */
export async function runMain(...args: string[]): Promise<MainResult> {
  let out = '';
  let err = '';
  const stdout = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await main(['node', 'oci-sd', ...args]), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
