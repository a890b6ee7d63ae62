import { describe, expect, it } from 'vitest';
import { CoreError, compareSemVer, requireSemVer } from '../src/index';

const cmp = (a: string, b: string) => compareSemVer(requireSemVer(a), requireSemVer(b));

describe('compareSemVer', () => {
  it('orders by semver precedence, prereleases below their release', () => {
    const sorted = [
      '1.0.0',
      '1.0.0-rc.1',
      '1.0.0-alpha',
      '0.9.9',
      '1.0.0-alpha.1',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '1.5.2-rc',
      '1.10.0',
    ];
    sorted.sort(cmp);
    expect(sorted).toEqual([
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.5.2-rc',
      '1.10.0',
    ]);
  });

  it('ignores build metadata', () => {
    expect(cmp('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
  });

  it('rejects what is not semver, naming what it found', () => {
    expect(() => requireSemVer('v1.0')).toThrow(CoreError);
    try {
      requireSemVer('1.02.0');
    } catch (e) {
      expect((e as CoreError).code).toBe('INVALID_VERSION');
      expect((e as CoreError).found).toBe('1.02.0');
    }
  });
});
