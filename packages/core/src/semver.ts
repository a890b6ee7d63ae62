import { CoreError } from './errors';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  build: string[];
  raw: string;
}

const IDENTIFIER = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)';
/** `-PRERELEASE` and `+BUILD` as semver.org writes them, two capture groups; the changelog's in-place heading reader uses it too. */
export const PRERELEASE_AND_BUILD = `(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?`;
const SEMVER = new RegExp(`^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)${PRERELEASE_AND_BUILD}$`);

const DOT = 0x2e;
const ZERO = 0x30;
/** Digits a double holds exactly, so summing them gives what Number() gives. */
const SAFE_DIGITS = 15;

/**
 * `MAJOR.MINOR.PATCH` with nothing after it, read char by char: the common case, and a large file
 * has thousands of them. Undefined when the text is anything else; the regex then decides.
 */
function parsePlainCore(raw: string): SemVer | undefined {
  const major = readNumber(raw, 0);
  if (major < 0 || raw.charCodeAt(end) !== DOT) return undefined;
  const minor = readNumber(raw, end + 1);
  if (minor < 0 || raw.charCodeAt(end) !== DOT) return undefined;
  const patch = readNumber(raw, end + 1);
  if (patch < 0 || end !== raw.length) return undefined;
  return { major, minor, patch, prerelease: [], build: [], raw };
}

/** Where the last {@link readNumber} stopped; a module variable so reading a version allocates nothing but its result. */
let end = 0;

/** A semver number (no leading zero) starting at `at`, else -1; sets `end`. */
function readNumber(raw: string, at: number): number {
  const start = at;
  let value = 0;
  for (let c = raw.charCodeAt(at); c >= ZERO && c <= ZERO + 9; c = raw.charCodeAt(++at))
    value = value * 10 + (c - ZERO);
  end = at;
  const digits = at - start;
  return digits === 0 || digits > SAFE_DIGITS || (digits > 1 && raw.charCodeAt(start) === ZERO)
    ? -1
    : value;
}

export function parseSemVer(raw: string): SemVer | undefined {
  const plain = parsePlainCore(raw);
  if (plain) return plain;
  const m = SEMVER.exec(raw);
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split('.') : [],
    build: m[5] ? m[5].split('.') : [],
    raw,
  };
}

export function requireSemVer(raw: string): SemVer {
  const v = parseSemVer(raw);
  if (!v)
    throw new CoreError('INVALID_VERSION', `"${raw}" is not a semantic version`, {
      expected: 'MAJOR.MINOR.PATCH[-PRERELEASE]',
      found: raw,
    });
  return v;
}

function compareIdentifier(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence (build metadata ignored): negative when a < b. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core) return Math.sign(core);
  if (!a.prerelease.length || !b.prerelease.length)
    return b.prerelease.length - a.prerelease.length === 0 ? 0 : a.prerelease.length ? -1 : 1;
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifier(a.prerelease[i]!, b.prerelease[i]!);
    if (c) return c;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

export type Bump = 'major' | 'minor' | 'patch';

export function formatSemVer(v: Pick<SemVer, 'major' | 'minor' | 'patch' | 'prerelease'>): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? `-${v.prerelease.join('.')}` : ''}`;
}

/**
 * The next version of `v` for a bump, as `npm version` counts: a prerelease of a version whose
 * lower parts are zero is finished by that bump (2.0.0-rc.1 + major = 2.0.0, 1.2.0-rc.1 + minor = 1.2.0).
 */
export function incrementSemVer(v: SemVer, bump: Bump): string {
  const pre = v.prerelease.length > 0;
  switch (bump) {
    case 'major':
      return formatSemVer({
        major: pre && v.minor === 0 && v.patch === 0 ? v.major : v.major + 1,
        minor: 0,
        patch: 0,
        prerelease: [],
      });
    case 'minor':
      return formatSemVer({
        major: v.major,
        minor: pre && v.patch === 0 ? v.minor : v.minor + 1,
        patch: 0,
        prerelease: [],
      });
    case 'patch':
      return formatSemVer({
        major: v.major,
        minor: v.minor,
        patch: pre ? v.patch : v.patch + 1,
        prerelease: [],
      });
  }
}

/** The same MAJOR.MINOR.PATCH: a final release and its own prereleases. */
export function sameCore(a: SemVer, b: SemVer): boolean {
  return a.major === b.major && a.minor === b.minor && a.patch === b.patch;
}
