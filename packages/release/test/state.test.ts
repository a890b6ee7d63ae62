import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReleaseError } from '../src/errors';
import {
  loadState,
  newState,
  saveState,
  statePath,
  STEP_IDS,
  unfinishedReleases,
} from '../src/state';
import { tempDir } from '@oci-sd/test-support';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});
function dir(): string {
  const t = tempDir('oci-sd-state-');
  cleanup.push(t.remove);
  return t.dir;
}

describe('release state', () => {
  it('round-trips through .oci-sd/release-<version>.json and leaves no temp file', async () => {
    const root = dir();
    const state = newState('1.5.0', 'v1.5.0', 'acme/app', 'acme/app-tuf-on-ci');
    state.completed.push('preflight', 'changelog');
    state.facts.changelogPr = 4;
    await saveState(root, state);
    expect(statePath(root, '1.5.0')).toBe(join(root, '.oci-sd', 'release-1.5.0.json'));
    expect(readdirSync(join(root, '.oci-sd')).sort()).toEqual(['.gitignore', 'release-1.5.0.json']);
    expect(readFileSync(join(root, '.oci-sd', '.gitignore'), 'utf8')).toBe('*\n');
    expect(loadState(root, '1.5.0')).toEqual(state);
    expect(loadState(root, '1.6.0')).toBeUndefined();
  });

  it('lists only unfinished releases', async () => {
    const root = dir();
    const done = newState('1.4.0', 'v1.4.0', 'a/b', 'a/c');
    done.completed.push(...STEP_IDS);
    await saveState(root, done);
    await saveState(root, newState('1.5.0', 'v1.5.0', 'a/b', 'a/c'));
    expect(unfinishedReleases(root)).toEqual(['1.5.0']);
  });

  it('refuses a damaged or foreign state file, naming it', () => {
    const root = dir();
    mkdirSync(join(root, '.oci-sd'));
    writeFileSync(statePath(root, '1.5.0'), '{"schema":1,"version":"1.5.0"');
    expect(() => loadState(root, '1.5.0')).toThrow(ReleaseError);
    expect(() => loadState(root, '1.5.0')).toThrow(/release-1\.5\.0\.json: not valid JSON/);
    writeFileSync(
      statePath(root, '1.5.0'),
      JSON.stringify({ ...newState('1.5.0', 'v1.5.0', 'a/b', 'a/c'), completed: ['teleport'] }),
    );
    expect(() => loadState(root, '1.5.0')).toThrow(/not a release state file/);
    expect(existsSync(statePath(root, '1.5.0'))).toBe(true);
    expect(readFileSync(statePath(root, '1.5.0'), 'utf8')).toContain('teleport');
  });
});
