import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  verifyRoleThreshold,
  type SignedMetadata,
  type SigstoreTrustedRootJSON,
  type ThresholdResult,
} from '../crypto';
import { TufError } from '../errors';
import { canonicalize } from '../metadata/canonical';
import { currentBranch } from '../git';
import {
  changedRoles,
  loadEvent,
  onlineRoleChanges,
  unmappedArtifactRole,
  type EventSnapshot,
} from './event';
import { delegatedRoles, layoutWarning } from './layout';
import {
  ONLINE_ROLES,
  daysFrom,
  delegatorOf,
  findDelegation,
  keyOwner,
  rolePeriods,
  type Delegation,
} from './repository';

/** `<project>/releases/<tag>.json`, the release workflow's target names. */
const RELEASE_MANIFEST = /^[^/]+\/releases\/[^/]+\.json$/;

export type ArtifactChange = 'ADDED' | 'MODIFIED' | 'REMOVED';

export interface SignerStatus {
  threshold: number;
  /** Key owners of the role (`@user`, or the online key). */
  signers: string[];
  signed: string[];
  missing: string[];
  /** Signatures present that did not verify (never counted). */
  invalid: Array<{ signer: string; reason: string }>;
}

export interface RoleStatus extends SignerStatus {
  role: string;
  version: number;
  /** The version at the merge base; null for a role the event creates. */
  baseVersion: number | null;
  expires: string;
  /** Open invites to the roles this role delegates (root: root and targets; targets: its delegations), as tuf-on-ci lists them. */
  invites: string[];
  /**
   * Root only, whenever the merge base has a root: the signatures counted against that previous
   * root (a key rotation needs both). Root's own `signed` and `missing` are then the unions of
   * both, as tuf-on-ci's status lists them; `threshold` stays the new root's.
   */
  previous?: SignerStatus;
  targetChanges: Array<{ path: string; change: ArtifactChange }>;
  valid: boolean;
  errors: string[];
}

export interface SigningEventStatus {
  /** The event branch, `sign/...`. */
  event: string;
  baseCommit: string;
  roles: RoleStatus[];
  /** Problems of the event as a whole (changed online roles, changed artifacts no role of the event lists). */
  errors: string[];
  /** Layout problems that do not block this event (nested names tuf-on-ci would drop): shown once. */
  warnings: string[];
  /** No event error and every changed role is valid and meets its threshold: the PR may leave draft and merge. */
  complete: boolean;
}

export interface SigningEventStatusOptions {
  /** The event branch; the checked-out branch by default (it must be checked out). */
  event?: string;
  /** Branch the event forked from (default `main`). */
  base?: string;
  now?: Date;
  sigstoreTrustedRoot?: SigstoreTrustedRootJSON;
}

/**
 * Open invites shown under `role`, as tuf-on-ci's `_get_signing_status` collects them: an invite
 * belongs to the delegating role, so root lists the invitees of root and targets, targets those
 * of the roles it delegates now, and a delegated role none (its invitees sign nothing yet).
 */
function invitesOf(event: EventSnapshot, role: string): string[] {
  const delegated =
    role === 'root'
      ? ['root', 'targets']
      : role === 'targets'
        ? delegatedRoles(event.current.get('targets')).map((entry) => entry.name)
        : [];
  return Object.entries(event.state.invites)
    .filter(([, roles]) => roles.some((invited) => delegated.includes(invited)))
    .map(([user]) => user);
}

function signerStatus(
  metadata: SignedMetadata,
  delegation: Delegation,
  options: SigningEventStatusOptions,
): { status: SignerStatus; result: ThresholdResult } {
  const result = verifyRoleThreshold(
    metadata,
    delegation.keys,
    { name: delegation.role, ...delegation.definition },
    options,
  );
  const owner = (keyid: string) => keyOwner(delegation.keys[keyid], keyid);
  const signers = [...new Set(delegation.definition.keyids)].map(owner);
  const signed = result.verified.map(owner);
  const missing = signers.filter((name) => !signed.includes(name));
  const invalid = result.failed.map(({ keyid, reason }) => ({ signer: owner(keyid), reason }));
  return {
    status: { threshold: delegation.definition.threshold, signers, signed, missing, invalid },
    result,
  };
}

type TargetEntry = { hashes?: Record<string, string>; length?: number; custom?: unknown };

function targetMap(metadata: SignedMetadata | undefined): Record<string, TargetEntry> {
  return (metadata?.signed.targets ?? {}) as Record<string, TargetEntry>;
}

async function readArtifact(event: EventSnapshot, name: string): Promise<Buffer | null> {
  try {
    return await readFile(join(event.repoDir, 'targets', name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Entries the event changed, and files under `targets/` it changed: each listed artifact must be
 * in the branch with the listed hash and length (signers sign the hash), and each changed file listed.
 */
async function artifactChanges(
  event: EventSnapshot,
  role: string,
  errors: string[],
): Promise<RoleStatus['targetChanges']> {
  const now = targetMap(event.current.get(role));
  const before = targetMap(event.base.get(role));
  const changes: RoleStatus['targetChanges'] = [];
  const names = new Set(
    [...Object.keys(before), ...Object.keys(now)].filter(
      (name) =>
        !now[name] || !before[name] || !canonicalize(now[name]).equals(canonicalize(before[name])),
    ),
  );
  for (const name of event.changedArtifacts.get(role) ?? []) names.add(name);
  for (const name of event.unmappedArtifacts)
    if (unmappedArtifactRole(event, name) === role) names.add(name);
  const seenByTufOnCi = new Set(event.changedArtifacts.get(role) ?? []);
  for (const name of [...names].sort()) {
    const entry = now[name];
    const old = before[name];
    const bytes = await readArtifact(event, name);
    // A file the role's patterns match is what tuf-on-ci's status lists: it runs update-targets
    // on the role first, so the change is the file's against the merge base, listed or not yet.
    const listed = seenByTufOnCi.has(name) ? fileEntry(bytes, entry) : entry;
    if (!listed && old) changes.push({ path: name, change: 'REMOVED' });
    else if (listed && !(old && sameTarget(old, listed)))
      changes.push({ path: name, change: old ? 'MODIFIED' : 'ADDED' });
    if (!entry) {
      if (bytes) errors.push(unlistedTargetError(role, name, old !== undefined));
      continue;
    }
    if (!bytes) {
      errors.push(`targets/${name} is listed in ${role}.json but missing from the branch`);
      continue;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (entry.hashes?.sha256 !== sha256)
      errors.push(
        `targets/${name}: sha256 in ${role}.json is ${entry.hashes?.sha256 ?? 'missing'}, the file has ${sha256}`,
      );
    if (entry.length !== bytes.length)
      errors.push(
        `targets/${name}: length in ${role}.json is ${entry.length ?? 'missing'}, the file has ${bytes.length}`,
      );
  }
  return changes;
}

/** The entry update-targets writes for `bytes` (custom kept), none for a missing file. */
function fileEntry(bytes: Buffer | null, entry: TargetEntry | undefined): TargetEntry | undefined {
  if (!bytes) return undefined;
  return {
    hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
    length: bytes.length,
    ...(entry?.custom === undefined ? {} : { custom: entry.custom }),
  };
}

function sameTarget(a: TargetEntry, b: TargetEntry): boolean {
  return canonicalize(a).equals(canonicalize(b));
}

/**
 * A file in the branch its role does not list: @oci-sd keeps such an event incomplete, whether
 * the event dropped the entry or never wrote one. tuf-on-ci's update-targets replaces role
 * targets' map by the top-level files (pattern `*`), which silently drops every nested name,
 * e.g. every release manifest, and its status then calls the event complete.
 */
function unlistedTargetError(role: string, name: string, wasListed: boolean): string {
  const what = RELEASE_MANIFEST.test(name) ? 'release manifest' : 'target';
  const state = wasListed
    ? `${what} ${name} was listed in ${role}.json before this event and targets/${name} is still in the branch, but ${role}.json no longer lists it`
    : `${what} ${name} is in the branch (targets/${name}) but ${role}.json does not list it`;
  const why =
    role === 'targets' && name.includes('/')
      ? `; tuf-on-ci's update-targets keeps only top-level files (pattern "*") in role targets and drops nested names like this one: restore the entry (oci-sd tuf update-targets keeps it), or list such names through a delegated role whose paths match them`
      : wasListed
        ? '; restore the entry, or delete the file to remove the target'
        : '; run update-targets to list it, or delete the file';
  return `${state}${why}`;
}

function describeFailures(label: string, status: SignerStatus, errors: string[]): void {
  for (const { signer, reason } of status.invalid)
    errors.push(`${label}signature from ${signer} does not verify: ${reason}`);
  if (status.signed.length < status.threshold) {
    errors.push(
      `${label}${status.signed.length} of ${status.threshold} required signatures (missing: ${status.missing.join(', ') || 'none'})`,
    );
  }
}

async function roleStatus(
  event: EventSnapshot,
  role: string,
  options: SigningEventStatusOptions,
  now: Date,
): Promise<RoleStatus> {
  const metadata = event.current.get(role);
  const errors: string[] = [];
  const invites = invitesOf(event, role);
  const root = event.current.get('root');
  const delegatorMetadata = event.current.get(delegatorOf(role));
  const delegation = delegatorMetadata ? findDelegation(role, delegatorMetadata) : null;
  const empty: SignerStatus = { threshold: 0, signers: [], signed: [], missing: [], invalid: [] };
  if (!metadata || !root || !delegation) {
    const why = !metadata
      ? `metadata/${role}.json does not exist`
      : !root
        ? 'metadata/root.json does not exist'
        : `${delegatorOf(role)} does not delegate ${role}`;
    return {
      role,
      version: 0,
      baseVersion: null,
      expires: '',
      invites,
      targetChanges: [],
      valid: false,
      errors: [why],
      ...empty,
    };
  }
  const base = event.base.get(role);
  const version = metadata.signed.version as number;
  const baseVersion = base ? (base.signed.version as number) : null;
  const expectedType = delegation.delegator === 'root' ? role : 'targets';
  if (metadata.signed._type !== expectedType)
    errors.push(
      `_type is ${JSON.stringify(metadata.signed._type)}, expected ${JSON.stringify(expectedType)}`,
    );

  const contentChanged = !base || !canonicalize(base.signed).equals(canonicalize(metadata.signed));
  if (contentChanged && baseVersion !== null) {
    if (role === 'root' && version !== baseVersion + 1)
      errors.push(
        `root version is ${version}, expected ${baseVersion + 1} (exactly one more than the previous root)`,
      );
    else if (version <= baseVersion)
      errors.push(
        `version is ${version}, expected more than ${baseVersion} (the version before the event)`,
      );
  }
  const periods = rolePeriods(role, metadata, root);
  if (!(periods.signing >= 1 && periods.signing < periods.expiry)) {
    errors.push(
      `signing period ${periods.signing} days must be at least 1 and less than the expiry period ${periods.expiry} days`,
    );
  }
  const expires = metadata.signed.expires as string;
  if (Date.parse(expires) <= now.getTime()) errors.push(`expired at ${expires}`);
  else if (Date.parse(expires) > daysFrom(now, periods.expiry).getTime())
    errors.push(`expires ${expires}, later than now + expiry period (${periods.expiry} days)`);
  if (role === 'root') {
    const roles = root.signed.roles as Record<string, { keyids: string[]; threshold: number }>;
    const { snapshot, timestamp } = roles;
    if (root.signed.consistent_snapshot !== true) errors.push('consistent_snapshot must be true');
    if (
      !snapshot ||
      !timestamp ||
      snapshot.threshold !== timestamp.threshold ||
      [...snapshot.keyids].sort().join() !== [...timestamp.keyids].sort().join()
    ) {
      errors.push('snapshot and timestamp must share keys and threshold (one online signer)');
    }
    // tuf-on-ci's _validate_role checks the online roles' periods (held in root) with root.
    for (const online of ONLINE_ROLES) {
      if (!roles[online]) continue;
      const { expiry, signing } = rolePeriods(online, metadata, root);
      if (!(signing >= 1 && signing < expiry))
        errors.push(
          `${online} signing period ${signing} days must be at least 1 and less than its expiry period ${expiry} days`,
        );
    }
  }
  for (const user of invites) errors.push(`invite for ${user} is not accepted yet`);

  const { status } = signerStatus(metadata, delegation, options);
  describeFailures('', status, errors);
  // tuf-on-ci's status checks root against the known-good root too whenever one exists (changed
  // content or not), and reports the signers of both: signed and missing are the unions.
  let previous: SignerStatus | undefined;
  const baseRoot = event.base.get('root');
  const previousDelegation = role === 'root' && baseRoot ? findDelegation('root', baseRoot) : null;
  if (previousDelegation) {
    previous = signerStatus(metadata, previousDelegation, options).status;
    describeFailures('previous root: ', previous, errors);
  }
  const union = (a: string[], b: string[] = []) => [...new Set([...a, ...b])];
  const targetChanges =
    metadata.signed._type === 'targets' ? await artifactChanges(event, role, errors) : [];
  return {
    role,
    version,
    baseVersion,
    expires,
    invites,
    ...status,
    signed: union(status.signed, previous?.signed),
    missing: union(status.missing, previous?.missing),
    ...(previous ? { previous } : {}),
    targetChanges,
    valid: errors.length === 0,
    errors,
  };
}

/**
 * The signing event's status as the TUF-on-CI workflow reports it on the pull request: per
 * changed role (root first) the invites, who signed (signatures verified, placeholders and
 * bad signatures not counted), who is missing, threshold, artifact changes, validity and errors.
 */
export async function signingEventStatus(
  repoDir: string,
  options: SigningEventStatusOptions = {},
): Promise<SigningEventStatus> {
  const branch = await currentBranch(repoDir);
  if (options.event && branch !== options.event) {
    throw new TufError(
      'EVENT',
      `signing event ${options.event} is not checked out in ${repoDir} (on ${branch ?? 'a detached HEAD'})`,
      { expected: options.event, found: branch },
    );
  }
  const event = await loadEvent(repoDir, options.base);
  const now = options.now ?? new Date();
  const roles: RoleStatus[] = [];
  const names = changedRoles(event);
  for (const role of names) roles.push(await roleStatus(event, role, options, now));
  const errors = onlineRoleChanges(event).map(
    (role) =>
      `metadata/${role}.json changed in this signing event: ${role} is signed online after the merge, never in an event (tuf-on-ci refuses the event)`,
  );
  for (const name of event.unmappedArtifacts) {
    const role = unmappedArtifactRole(event, name);
    if (names.includes(role)) continue;
    errors.push(
      `targets/${name} changed in this event but ${role}.json did not (restore the file, or run update-targets); tuf-on-ci does not see this file: only top-level files map to role targets, nested ones only through a delegated role's paths`,
    );
  }
  const warning = layoutWarning(event.current.get('targets'));
  return {
    event: options.event ?? branch ?? 'HEAD',
    baseCommit: event.baseCommit,
    roles,
    errors,
    warnings: warning ? [warning] : [],
    complete: errors.length === 0 && roles.length > 0 && roles.every((r) => r.valid),
  };
}

function signerLine(status: SignerStatus): string {
  return `${status.signed.length}/${status.threshold} signatures; signed: ${status.signed.join(', ') || 'nobody'}; missing: ${status.missing.join(', ') || 'nobody'}`;
}

export function formatStatusText(status: SigningEventStatus): string {
  const lines = [`Signing event ${status.event} (base ${status.baseCommit.slice(0, 12)})`];
  for (const warning of status.warnings) lines.push(`warning: ${warning}`);
  for (const error of status.errors) lines.push(`error: ${error}`);
  if (status.roles.length === 0) lines.push('No role changed in this event.');
  for (const role of status.roles) {
    lines.push(
      '',
      `${role.role} v${role.version}${role.baseVersion === null ? ' (new)' : ` (was v${role.baseVersion})`}, expires ${role.expires}: ${role.valid ? 'valid' : 'NOT VALID'}`,
    );
    lines.push(`  ${signerLine(role)}`);
    if (role.previous) lines.push(`  previous root: ${signerLine(role.previous)}`);
    if (role.invites.length > 0) lines.push(`  invites: ${role.invites.join(', ')}`);
    for (const change of role.targetChanges) lines.push(`  ${change.path}: ${change.change}`);
    for (const error of role.errors) lines.push(`  error: ${error}`);
  }
  lines.push(
    '',
    status.complete
      ? 'Threshold of signatures has been reached.'
      : 'Signing event is not complete.',
  );
  return `${lines.join('\n')}\n`;
}

/** The pull request comment. */
export function formatStatusMarkdown(status: SigningEventStatus): string {
  const code = (text: string) => `\`${text.replaceAll('`', "'")}\``;
  const lines = [`### Signing event ${code(status.event)}`, ''];
  lines.push(
    status.complete
      ? '**Threshold of signatures has been reached.** This event can be merged.'
      : '**Signing event is not complete.**',
    '',
  );
  for (const warning of status.warnings) lines.push(`> [!WARNING]`, `> ${warning}`, '');
  if (status.errors.length > 0) lines.push('Errors:', ...status.errors.map((e) => `- ${e}`), '');
  if (status.roles.length === 0) lines.push('No role changed in this event.');
  for (const role of status.roles) {
    lines.push(
      `#### ${role.valid ? '✅' : '❌'} ${code(role.role)} v${role.version}${role.baseVersion === null ? ' (new role)' : ` (was v${role.baseVersion})`}`,
      '',
    );
    lines.push(`| | |`, `|---|---|`);
    lines.push(`| Threshold | ${role.signed.length} of ${role.threshold} |`);
    lines.push(`| Signed | ${role.signed.join(', ') || '-'} |`);
    lines.push(`| Missing | ${role.missing.join(', ') || '-'} |`);
    if (role.previous)
      lines.push(
        `| Previous root | ${role.previous.signed.length} of ${role.previous.threshold}; missing ${role.previous.missing.join(', ') || '-'} |`,
      );
    if (role.invites.length > 0) lines.push(`| Invites | ${role.invites.join(', ')} |`);
    lines.push(`| Expires | ${role.expires} |`, '');
    if (role.targetChanges.length > 0) {
      lines.push(
        'Artifact changes:',
        ...role.targetChanges.map((c) => `- ${code(c.path)}: ${c.change}`),
        '',
      );
    }
    if (role.errors.length > 0) lines.push('Errors:', ...role.errors.map((e) => `- ${e}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
