import type { SignedMetadata } from '../crypto';
import { matchesPathPattern } from '../metadata/paths';

interface PathDelegation {
  name: string;
  paths?: string[];
}

/** The roles top-level targets delegates (entries without a name skipped). */
export function delegatedRoles(targets: SignedMetadata | undefined): PathDelegation[] {
  const roles = (targets?.signed.delegations as { roles?: unknown } | undefined)?.roles;
  return Array.isArray(roles)
    ? roles.filter((r): r is PathDelegation => typeof (r as PathDelegation)?.name === 'string')
    : [];
}

/** Python's glob skips names starting with "." unless the pattern spells the dot. */
function hidden(targetName: string): boolean {
  return targetName.split('/').some((segment) => segment.startsWith('.'));
}

/**
 * The roles whose artifact patterns match `targetName` (a path relative to `targets/`), as
 * tuf-on-ci maps artifacts: `*` for role `targets` (top-level files only, never recursive) and
 * each delegated role's `paths` for that role. A nested name no delegation matches maps to none.
 */
export function artifactRoles(targetName: string, targets: SignedMetadata | undefined): string[] {
  if (hidden(targetName)) return [];
  const roles = targetName.includes('/') ? [] : ['targets'];
  for (const role of delegatedRoles(targets))
    if (role.paths?.some((pattern) => matchesPathPattern(targetName, pattern)))
      roles.push(role.name);
  return roles;
}

/** Names listed in top-level targets that its pattern `*` does not match: tuf-on-ci's update-targets drops them. */
export function nestedTopLevelNames(targets: SignedMetadata | undefined): string[] {
  const map = (targets?.signed.targets ?? {}) as Record<string, unknown>;
  return Object.keys(map)
    .filter((name) => name.includes('/'))
    .sort();
}

/** Delegation paths covering `names` (`<first segment>/*`, `<first segment>/*\/*`, …), per first segment. */
function suggestedDelegations(names: readonly string[]): Map<string, string[]> {
  const byRole = new Map<string, Set<string>>();
  for (const name of names) {
    const [first, ...rest] = name.split('/');
    const pattern = [first, ...rest.map(() => '*')].join('/');
    byRole.set(first!, (byRole.get(first!) ?? new Set()).add(pattern));
  }
  return new Map([...byRole].map(([role, patterns]) => [role, [...patterns].sort()]));
}

/**
 * The one warning for a repository whose top-level targets list nested names (the layout the
 * TUF-on-CI release workflow writes): tuf-on-ci's own signing-event workflow does not see them and
 * its update-targets of role `targets` drops them. tuf-on-ci handles nested names natively only
 * through a delegated role whose `paths` match them. Null when the layout is tuf-on-ci's.
 */
export function layoutWarning(targets: SignedMetadata | undefined): string | null {
  const nested = nestedTopLevelNames(targets);
  if (nested.length === 0) return null;
  const roles = [...suggestedDelegations(nested)]
    .map(([role, paths]) => `"${role}" with paths ${JSON.stringify(paths)}`)
    .join(', ');
  const example = nested.length === 1 ? nested[0] : `${nested[0]} and ${nested.length - 1} more`;
  return (
    `metadata/targets.json lists ${nested.length} nested target name${nested.length === 1 ? '' : 's'} ` +
    `(${example}) in top-level targets: tuf-on-ci maps only top-level files (pattern "*") to role ` +
    `targets, so its signing-event workflow does not see them and its update-targets drops them from ` +
    `targets.json. tuf-on-ci handles nested names natively through a delegated role whose paths ` +
    `match them: delegate from targets to role ${roles} (the files stay where they are).`
  );
}
