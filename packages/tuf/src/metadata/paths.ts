import { createHash } from 'node:crypto';
import type { RoleKeys } from '../crypto/keys';
import type { DelegatedRole, Delegations, SuccinctRoles } from './model';

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
  return (
    targetParts.length === patternParts.length &&
    patternParts.every((part, i) => segmentRegExp(part).test(targetParts[i]!))
  );
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

/** The hash bin role of a target: the first 32 bits of sha256(path), shifted to `bit_length` bits. */
function succinctRoleFor(succinct: SuccinctRoles, targetPath: string): string {
  const bin =
    createHash('sha256').update(targetPath).digest().readUInt32BE(0) >>> (32 - succinct.bit_length);
  return `${succinct.name_prefix}-${bin.toString(16).padStart(suffixLength(succinct), '0')}`;
}

function suffixLength(succinct: SuccinctRoles): number {
  return (2 ** succinct.bit_length - 1).toString(16).length;
}

/** The roles a delegation hands `targetPath` to, in order, each with whether it terminates the search. */
export function rolesForTarget(
  delegations: Delegations,
  targetPath: string,
): Array<{ name: string; terminating: boolean }> {
  if (delegations.succinct_roles)
    return [{ name: succinctRoleFor(delegations.succinct_roles, targetPath), terminating: true }];
  return delegations.roles
    .filter((role) => isDelegatedPath(role, targetPath))
    .map(({ name, terminating }) => ({ name, terminating }));
}

/** Keys and threshold the delegation gives `role`, or undefined when it does not delegate to it. */
export function delegatedRoleKeys(delegations: Delegations, role: string): RoleKeys | undefined {
  const succinct = delegations.succinct_roles;
  if (succinct) {
    const suffix = role.startsWith(`${succinct.name_prefix}-`)
      ? role.slice(succinct.name_prefix.length + 1)
      : '';
    const valid =
      suffix.length === suffixLength(succinct) &&
      /^[0-9a-f]+$/.test(suffix) &&
      Number.parseInt(suffix, 16) < 2 ** succinct.bit_length;
    return valid
      ? { name: role, keyids: succinct.keyids, threshold: succinct.threshold }
      : undefined;
  }
  return delegations.roles.find((candidate) => candidate.name === role);
}
