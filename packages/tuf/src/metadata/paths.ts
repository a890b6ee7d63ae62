import { createHash } from 'node:crypto';
import type { DelegatedRole } from './model';

const patternCache = new Map<string, RegExp>();

/** Python's fnmatch for one path segment: `*`, `?`, `[seq]`, `[!seq]`; case-sensitive. */
function segmentRegExp(pattern: string): RegExp {
  let regexp = patternCache.get(pattern);
  if (regexp) return regexp;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
      } else {
        let set = pattern.slice(i + 1, end);
        const negated = set.startsWith('!');
        if (negated) set = set.slice(1);
        source += `[${negated ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  regexp = new RegExp(`^${source}$`, 's');
  patternCache.set(pattern, regexp);
  return regexp;
}

/** A `paths` pattern matches segment by segment: `*` never crosses a `/` (python-tuf semantics). */
export function matchesPathPattern(targetPath: string, pattern: string): boolean {
  const targetParts = targetPath.split('/');
  const patternParts = pattern.split('/');
  return targetParts.length === patternParts.length && patternParts.every((part, i) => segmentRegExp(part).test(targetParts[i]!));
}

/** Whether a delegation covers a target path, by `paths` patterns or by `path_hash_prefixes`. */
export function isDelegatedPath(role: DelegatedRole, targetPath: string): boolean {
  if (role.paths) return role.paths.some((pattern) => matchesPathPattern(targetPath, pattern));
  if (role.path_hash_prefixes) {
    const digest = createHash('sha256').update(targetPath).digest('hex');
    return role.path_hash_prefixes.some((prefix) => digest.startsWith(prefix));
  }
  return false;
}
