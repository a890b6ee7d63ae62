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

- first

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
