import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository every sample changelog links to. */
export const CHANGELOG_BASE = 'https://github.com/o/r';

/** Unreleased with one entry, two releases with compare/tag links, and a link definition no release owns. */
export const SMALL_CHANGELOG = `# Changelog

## [Unreleased]

### Added

- a feature

## [1.1.0] - 2024-02-01

### Fixed

- a fix

## [1.0.0] - 2024-01-01

- first

[kac]: https://keepachangelog.com
[Unreleased]: ${CHANGELOG_BASE}/compare/v1.1.0...HEAD
[1.1.0]: ${CHANGELOG_BASE}/compare/v1.0.0...v1.1.0
[1.0.0]: ${CHANGELOG_BASE}/releases/tag/v1.0.0
`;

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
