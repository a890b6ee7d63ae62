import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runAction } from './support';

const ACTION_YML = new URL('../action.yml', import.meta.url);
const SRC = new URL('../src/', import.meta.url);

/** Names declared in action.yml under `inputs:` or `outputs:` (two-space-indented keys). */
function declared(section: 'inputs' | 'outputs'): Set<string> {
  const text = readFileSync(ACTION_YML, 'utf8');
  const start = text.indexOf(`\n${section}:\n`);
  const end = section === 'inputs' ? text.indexOf('\noutputs:\n') : text.length;
  return new Set(
    [...text.slice(start, end).matchAll(/^ {2}([a-z][a-z0-9-]*):$/gm)].map((match) => match[1]!),
  );
}

async function sourceFiles(dir: URL): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? sourceFiles(new URL(`${entry.name}/`, dir))
        : [new URL(entry.name, dir).pathname],
    ),
  );
  return nested.flat().filter((path) => path.endsWith('.ts'));
}

describe('the bundled action', () => {
  it('fails with the expected and found command on an unknown command', async () => {
    const run = await runAction({ inputs: { command: 'bogus' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::input "command": expected one of release-notes, changelog-validate, release-metadata, tuf-publish, sign, attest, verify, found "bogus"',
    );
  });

  it('fails when the command input is missing', async () => {
    const run = await runAction({ inputs: {} });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::Input required and not supplied: command');
  });

  it('reads only inputs that action.yml declares, and declares none it does not read', async () => {
    const used = new Set<string>(['command', 'token']);
    for (const file of await sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:Input|getInput)\(\s*io,\s*'([a-z0-9-]+)'/g))
        used.add(match[1]!);
      for (const match of text.matchAll(/io\.getInput\(\s*'([a-z0-9-]+)'/g)) used.add(match[1]!);
    }
    expect([...used].sort()).toEqual([...declared('inputs')].sort());
  });

  it('sets only outputs that action.yml declares, and declares none it never sets', async () => {
    const set = new Set<string>();
    for (const file of await sourceFiles(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/setOutput\(\s*'([a-z0-9-]+)'/g))
        set.add(match[1]!);
    }
    expect([...set].sort()).toEqual([...declared('outputs')].sort());
  });

  it('runs on node24 from the committed bundle', () => {
    expect(readFileSync(ACTION_YML, 'utf8')).toMatch(
      /\nruns:\n {2}using: node24\n {2}main: dist\/main\.js\n/,
    );
  });

  it('masks the token input', async () => {
    const run = await runAction({ inputs: { command: 'bogus', token: 'ghs_secret123' } });
    expect(run.stdout).toContain('::add-mask::ghs_secret123');
    expect(run.stdout.replace('::add-mask::ghs_secret123', '')).not.toContain('ghs_secret123');
  });
});
