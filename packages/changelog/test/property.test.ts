import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSemVer, parseChangelog, parseSemVer } from '../src/index';
import type { SemVer } from '../src/index';

// Generated changelogs: random versions (prereleases included), headings with and without
// brackets, yanked releases, nested lists, code blocks holding `##` lines, unrelated link
// references, LF or CRLF, with or without a final newline, with or without version links.

const word = fc.stringMatching(/^[a-z]{1,8}$/);
const words = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const entry = fc.oneof(
  words.map((w) => [`- ${w}`]),
  fc.tuple(words, words).map(([a, b]) => [`- ${a}`, `  - ${b}`, `    - ${b}`]),
  words.map((w) => [`- ${w}`, '', '  ```sh', '## [9.9.9] - 2020-01-01', '### Removed', '  ```']),
  words.map((w) => [`1. ${w}`, '', '~~~', '# not a title', '~~~']),
);
const subsection = fc.record({
  title: fc.constantFrom(
    'Added',
    'Changed',
    'Deprecated',
    'Removed',
    'Fixed',
    'Security',
    'Technical Details',
    'Performance',
  ),
  entries: fc.array(entry, { minLength: 1, maxLength: 3 }),
});
const version = fc
  .tuple(
    fc.nat(3),
    fc.nat(3),
    fc.nat(3),
    fc.option(fc.tuple(fc.constantFrom('rc', 'beta'), fc.nat(3)), { nil: undefined }),
  )
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre[0]}.${pre[1]}` : ''}`);
const day = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const release = fc.record({
  date: day,
  yanked: fc.boolean(),
  bracketed: fc.boolean(),
  subsections: fc.array(subsection, { minLength: 1, maxLength: 3 }),
});

const model = fc.record({
  eol: fc.constantFrom('\n', '\r\n'),
  finalNewline: fc.boolean(),
  unreleased: fc.array(subsection, { maxLength: 3 }),
  versions: fc.uniqueArray(version, { maxLength: 7 }),
  releases: fc.array(release, { minLength: 7, maxLength: 7 }),
  links: fc.boolean(),
  kac: fc.boolean(),
  base: fc.constantFrom(
    'https://github.com/o/r',
    'https://ghe.corp/a/b',
    'https://gitlab.com/g/p/-',
  ),
  tagPrefix: fc.constantFrom('v', ''),
});
type Model = typeof model extends fc.Arbitrary<infer T> ? T : never;

const semver = (v: string) => parseSemVer(v)!;
const descending = (m: Model) =>
  [...m.versions].sort((a, b) => compareSemVer(semver(b), semver(a)));

/** The oracle for the previous tag, written independently of the library. */
function previousOf(version: string, all: string[]): string | undefined {
  const v = semver(version);
  const lower = all
    .filter((o) => compareSemVer(semver(o), v) < 0)
    .sort((a, b) => compareSemVer(semver(b), semver(a)));
  if (v.prerelease.length) return lower[0];
  const core = (s: SemVer) => `${s.major}.${s.minor}.${s.patch}`;
  const others = lower.filter((o) => core(semver(o)) !== core(v));
  return others.find((o) => semver(o).prerelease.length === 0) ?? others[0];
}

function renderSubsections(subsections: Model['unreleased']): string[] {
  return subsections.flatMap((s) => [`### ${s.title}`, '', ...s.entries.flat(), '']);
}

function render(m: Model): string {
  const versions = descending(m);
  const lines = [
    '# Changelog',
    '',
    'All notable changes to this project are documented here, see [kac].',
    '',
    '## [Unreleased]',
    '',
    ...renderSubsections(m.unreleased),
  ];
  versions.forEach((v, i) => {
    const r = m.releases[i]!;
    lines.push(
      `## ${r.bracketed ? `[${v}]` : v} - ${r.date}${r.yanked ? ' [YANKED]' : ''}`,
      '',
      ...renderSubsections(r.subsections),
    );
  });
  if (m.kac) lines.push('[kac]: https://keepachangelog.com/en/1.1.0/');
  if (m.links) {
    const tag = (v: string) => `${m.tagPrefix}${v}`;
    lines.push(`[Unreleased]: ${m.base}/compare/${versions[0] ? tag(versions[0]) : 'HEAD'}...HEAD`);
    for (const v of versions) {
      const prev = previousOf(v, versions);
      lines.push(
        `[${v}]: ${prev ? `${m.base}/compare/${tag(prev)}...${tag(v)}` : m.base.endsWith('/-') ? `${m.base}/tags/${tag(v)}` : `${m.base}/releases/tag/${tag(v)}`}`,
      );
    }
  }
  const text = lines.join(m.eol);
  return m.finalNewline ? `${text}${m.eol}` : text;
}

const expectedBody = (subsections: Model['unreleased']) =>
  subsections.map((s) => `## ${s.title}\n\n${s.entries.flat().join('\n')}`).join('\n\n');

describe('property: generated changelogs', () => {
  it('parse then print gives the same bytes, and the structure that was written', () => {
    fc.assert(
      fc.property(model, (m) => {
        const text = render(m);
        const cl = parseChangelog(text);
        expect(cl.toString()).toBe(text);
        expect(cl.sections.map((s) => s.version ?? s.kind)).toEqual([
          'unreleased',
          ...descending(m),
        ]);
        expect(cl.unreleased!.subsections.map((s) => s.heading.text)).toEqual(
          m.unreleased.map((s) => s.title),
        );
        expect(cl.validate({ today: '2100-01-01' }).filter((p) => p.severity === 'error')).toEqual(
          [],
        );
      }),
      { numRuns: 300 },
    );
  });

  it('promote then notes gives back the Unreleased entries and the right compare link, touching nothing else', () => {
    fc.assert(
      fc.property(
        model.filter((m) => m.unreleased.length > 0),
        day,
        fc.constantFrom('major', 'minor', 'patch') as fc.Arbitrary<'major' | 'minor' | 'patch'>,
        (m, date, bump) => {
          const before = parseChangelog(render(m));
          const promoted = before.promote(bump, { date, tagPrefix: m.tagPrefix });
          const after = parseChangelog(promoted.text);
          expect(after.toString()).toBe(promoted.text);
          expect(
            after.validate({ today: '2100-01-01' }).filter((p) => p.severity === 'error'),
          ).toEqual([]);
          expect(after.unreleased!.hasEntries).toBe(false);
          expect(after.sections[1]).toMatchObject({ version: promoted.version, date });

          const versions = [promoted.version, ...descending(m)];
          const previous = previousOf(promoted.version, versions);
          expect(promoted.previousVersion).toBe(previous);
          const options = { repo: 'o/r', serverUrl: 'https://example.com', tagPrefix: m.tagPrefix };
          const notes = after.notes(promoted.version, options);
          const tag = `${m.tagPrefix}${promoted.version}`;
          const link = previous
            ? `https://example.com/o/r/compare/${m.tagPrefix}${previous}...${tag}`
            : `https://example.com/o/r/commits/${tag}`;
          expect(notes.body).toBe(`${expectedBody(m.unreleased)}\n\n**Full Changelog**: ${link}`);
          // Every older release reads exactly as before.
          for (const v of descending(m))
            expect(after.notes(v, options)).toEqual(before.notes(v, options));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('property: any text', () => {
  const markdownish = fc.string({
    unit: fc.constantFrom(
      '#',
      ' ',
      '\n',
      '\r',
      '[',
      ']',
      ':',
      '`',
      '~',
      '<',
      '!',
      '-',
      '>',
      'a',
      '1',
      '.',
      '\t',
      'é',
      '😀',
    ),
    maxLength: 400,
  });
  it('parses without throwing and prints back the same text', () => {
    fc.assert(
      fc.property(fc.oneof(markdownish, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        const cl = parseChangelog(text);
        expect(cl.toString()).toBe(text);
        cl.validate();
      }),
      { numRuns: 1000 },
    );
  });
});
