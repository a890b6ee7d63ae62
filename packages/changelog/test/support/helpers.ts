import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ChangelogError } from '../../src/index';

export const BASE = 'https://github.com/o/r';

/** Unreleased with one entry, two releases with compare/tag links, and a link definition no release owns. */
export const SMALL = `# Changelog

## [Unreleased]

### Added

- a feature

## [1.1.0] - 2024-02-01

### Fixed

- a fix

## [1.0.0] - 2024-01-01

- first (see [kac])

[kac]: https://keepachangelog.com
[Unreleased]: ${BASE}/compare/v1.1.0...HEAD
[1.1.0]: ${BASE}/compare/v1.0.0...v1.1.0
[1.0.0]: ${BASE}/releases/tag/v1.0.0
`;

/** The ChangelogError `fn` throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): ChangelogError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ChangelogError);
    return error as ChangelogError;
  }
  throw new Error('expected a ChangelogError');
}

/** A temp root holding one fresh directory with a CHANGELOG.md per `fresh()` call; `remove()` deletes it all. */
export function changelogDirs(
  prefix: string,
  defaultText: string,
): { root: string; fresh(text?: string): { dir: string; file: string }; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    root,
    fresh(text = defaultText) {
      const dir = join(root, String(n++));
      mkdirSync(dir);
      const file = join(dir, 'CHANGELOG.md');
      writeFileSync(file, text);
      return { dir, file };
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
