import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSemVer, parseChangelog } from '../src/index';
import type { Section, SemVer } from '../src/index';

// Release lookups against a plain linear scan, on files in any order with repeats, prereleases,
// build metadata, `v` labels and headings the in-place reader leaves to the full parser, and for
// enough lookups that the lookup map takes over from the binary search.

const core = fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4)).map(([a, b, c]) => `${a}.${b}.${c}`);
const version = fc
  .tuple(
    core,
    fc.option(fc.constantFrom('-rc.1', '-rc.2', '-beta', '-0.3'), { nil: undefined }),
    fc.option(fc.constantFrom('+b1', '+b2'), { nil: undefined }),
  )
  .map(([c, pre, build]) => `${c}${pre ?? ''}${build ?? ''}`);
const heading = fc
  .tuple(
    version,
    fc.constantFrom(
      '## [%] - 2024-01-02',
      '## [v%] - 2024-01-02',
      '## [V%]',
      '## [%]',
      '## % - 2024-01-02',
      '## [%] - 2024-01-02 [YANKED]',
      '## [%] - 2024-01-02 ##',
      '  ## [%]',
      '## [%] - 2024-01-02\t\r',
      '## [%] – 2024-01-02',
      '## [%](https://example.com) - 2024-01-02',
      '##  [%]  -  2024-01-02',
      '## [0%] - 2024-01-02',
      '## [%] - 2024-1-2',
      '## [%] - 2024-01-02 - extra',
      '## [%] - ##',
    ),
  )
  .map(([v, shape]) => shape.replace('%', v));

/** What a lookup must find: the first section in the file whose version equals `v` in precedence. */
function firstEqual(releases: readonly Section[], v: SemVer): Section | undefined {
  return releases.find((s) => compareSemVer(s.semver!, v) === 0);
}

/** The nearest lower release, skipping a final release's own prereleases (first in the file among equals). */
function naivePrevious(releases: readonly Section[], v: SemVer): Section | undefined {
  const lower = releases.filter((s) => compareSemVer(s.semver!, v) < 0);
  const final = v.prerelease.length === 0;
  const sameCore = (s: Section) =>
    s.semver!.major === v.major && s.semver!.minor === v.minor && s.semver!.patch === v.patch;
  const candidates = final ? lower.filter((s) => !sameCore(s)) : lower;
  const finals = final ? candidates.filter((s) => s.semver!.prerelease.length === 0) : candidates;
  const pick = (list: Section[]) =>
    list.reduce<Section | undefined>(
      (best, s) => (!best || compareSemVer(s.semver!, best.semver!) > 0 ? s : best),
      undefined,
    );
  const best = pick(finals) ?? pick(candidates);
  return best && firstEqual(releases, best.semver!);
}

describe('release lookups', () => {
  it('find the first equal release and the previous one, by binary search and by map alike', () => {
    fc.assert(
      fc.property(
        fc.array(heading, { minLength: 1, maxLength: 60 }),
        fc.array(version, { minLength: 40, maxLength: 80 }),
        (headings, queries) => {
          const cl = parseChangelog(
            `# C\n\n## [Unreleased]\n\n${headings.map((h) => `${h}\n\n- x\n`).join('\n')}`,
          );
          const releases = cl.releases;
          // The flat table (headings read in place where it can) and the sections agree on every heading.
          expect(releases).toEqual(cl.sections.filter((section) => section.kind === 'release'));
          expect(releases.every((section) => section.semver !== undefined)).toBe(true);
          const latest = releases.reduce<Section | undefined>(
            (best, s) => (!best || compareSemVer(s.semver!, best.semver!) > 0 ? s : best),
            undefined,
          );
          expect(cl.latestRelease()).toBe(latest && firstEqual(releases, latest.semver!));
          for (const query of [...queries, ...releases.map((s) => s.version!)]) {
            const v = parseChangelog(`## [${query}]\n`).sections[0]!.semver!;
            expect(cl.findRelease(v)).toBe(firstEqual(releases, v));
            expect(cl.previousRelease(v)).toBe(naivePrevious(releases, v));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
