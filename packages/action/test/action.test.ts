import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bundle = new URL('../dist/index.js', import.meta.url).pathname;

/** Runs the committed bundle exactly as a runner does: inputs in INPUT_*, outputs in files. */
async function runAction(inputs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'oci-sd-action-'));
  const output = join(dir, 'output');
  writeFileSync(output, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, GITHUB_OUTPUT: output };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const result = await promisify(execFile)(process.execPath, [bundle], { env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  return { ...result, output: readFileSync(output, 'utf8') };
}

describe('the bundled action', () => {
  it('fails with the expected and found command on an unknown command', async () => {
    const r = await runAction({ command: 'bogus' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::input "command": expected one of');
    expect(r.stdout).toContain('found "bogus"');
  });
});
