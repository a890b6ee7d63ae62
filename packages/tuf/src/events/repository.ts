import { createHash } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertSignedMetadata,
  type SignedMetadata,
  type TufKey,
  type TufSignature,
} from '../crypto';
import { TufError } from '../errors';
import { showFile } from '../git';
import { canonicalize } from '../metadata/canonical';
import { writeFileAtomic } from '@oci-sd/core';
import { formatMetadata } from './format';

/** Roles whose keys and threshold root holds; every other role is delegated by `targets`. */
export const TOP_LEVEL_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
/** Roles CI signs with the online key; people never sign them in a signing event. */
export const ONLINE_ROLES = ['snapshot', 'timestamp'] as const;
export const STATE_FILE = 'metadata/.signing-event-state';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_PERIODS: Record<string, { expiry: number; signing: number }> = {
  root: { expiry: 365, signing: 60 },
  targets: { expiry: 365, signing: 60 },
  snapshot: { expiry: 365, signing: 60 },
  timestamp: { expiry: 2, signing: 1 },
};

export interface RoleDefinition {
  keyids: string[];
  threshold: number;
  [extension: string]: unknown;
}

/** Who may sign a role: the delegating role's keys and the role's keyids and threshold (live objects; editing them edits the delegator). */
export interface Delegation {
  role: string;
  delegator: 'root' | 'targets';
  keys: Record<string, TufKey>;
  definition: RoleDefinition;
}

export function metadataFile(role: string): string {
  return `metadata/${role}.json`;
}

export function parseMetadata(bytes: Buffer | string, source: string): SignedMetadata {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString());
  } catch (error) {
    throw new TufError('METADATA_INVALID', `${source}: not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  assertSignedMetadata(value, source);
  const { version, expires } = value.signed;
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: signed.version must be an integer >= 1, found ${JSON.stringify(version)}`,
      { expected: 'integer >= 1', found: version },
    );
  }
  if (typeof expires !== 'string' || Number.isNaN(Date.parse(expires))) {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: signed.expires must be a date, found ${JSON.stringify(expires)}`,
      { expected: 'YYYY-MM-DDTHH:MM:SSZ', found: expires },
    );
  }
  return value;
}

/** The bytes of `metadata/<role>.json` in the work tree, or null when the role has no file. */
export async function readRoleBytes(repoDir: string, role: string): Promise<Buffer | null> {
  try {
    return await readFile(join(repoDir, metadataFile(role)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** `metadata/<role>.json` of the work tree, or null when the role has no file. */
export async function readRole(repoDir: string, role: string): Promise<SignedMetadata | null> {
  const bytes = await readRoleBytes(repoDir, role);
  return bytes && parseMetadata(bytes, join(repoDir, metadataFile(role)));
}

export async function requireRole(repoDir: string, role: string): Promise<SignedMetadata> {
  const metadata = await readRole(repoDir, role);
  if (!metadata)
    throw new TufError('NOT_FOUND', `${join(repoDir, metadataFile(role))} does not exist`, {
      expected: metadataFile(role),
      found: 'no file',
    });
  return metadata;
}

/** The role as committed at `ref` (for a signing event: the merge base with main), or null. */
export async function readRoleAt(
  repoDir: string,
  ref: string,
  role: string,
): Promise<SignedMetadata | null> {
  const bytes = await showFile(repoDir, ref, metadataFile(role));
  return bytes === null ? null : parseMetadata(bytes, `${ref}:${metadataFile(role)}`);
}

/**
 * Writes `metadata/<role>.json`; a root also goes to `metadata/root_history/<version>.root.json`,
 * where TUF-on-CI keeps every root for clients updating across rotations. Returns the paths written.
 */
export async function writeRole(
  repoDir: string,
  role: string,
  metadata: SignedMetadata,
): Promise<string[]> {
  const bytes = formatMetadata(metadata);
  const paths = [metadataFile(role)];
  if (role === 'root')
    paths.push(`metadata/root_history/${metadata.signed.version as number}.root.json`);
  for (const path of paths) await writeFileAtomic(join(repoDir, path), bytes);
  return paths;
}

/** Role names with a file in `metadata/` (root first, then targets, then the rest sorted). */
export async function listRoles(repoDir: string): Promise<string[]> {
  const names = (await readdir(join(repoDir, 'metadata')))
    .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    .map((name) => name.slice(0, -'.json'.length));
  return sortRoles(names);
}

export function sortRoles(roles: Iterable<string>): string[] {
  const rank = (role: string) => {
    const index = (TOP_LEVEL_ROLES as readonly string[]).indexOf(role);
    return index === -1 ? TOP_LEVEL_ROLES.length : index;
  };
  return [...new Set(roles)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function delegatorOf(role: string): 'root' | 'targets' {
  return (TOP_LEVEL_ROLES as readonly string[]).includes(role) ? 'root' : 'targets';
}

function asRecord(value: unknown, source: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TufError('METADATA_INVALID', `${source} must be an object`, {
      expected: 'object',
      found: value,
    });
  }
  return value as Record<string, unknown>;
}

/** The delegation of `role` inside the delegator's metadata (root or targets); null when the role is not delegated. */
export function findDelegation(role: string, delegatorMetadata: SignedMetadata): Delegation | null {
  const delegator = delegatorOf(role);
  const signed = delegatorMetadata.signed;
  if (delegator === 'root') {
    const keys = asRecord(signed.keys, 'root signed.keys') as Record<string, TufKey>;
    const definition = asRecord(signed.roles, 'root signed.roles')[role] as
      RoleDefinition | undefined;
    return definition ? { role, delegator, keys, definition } : null;
  }
  const delegations = signed.delegations as
    { keys?: Record<string, TufKey>; roles?: Array<RoleDefinition & { name: string }> } | undefined;
  const definition = delegations?.roles?.find((r) => r.name === role);
  return definition && delegations?.keys
    ? { role, delegator, keys: delegations.keys, definition }
    : null;
}

/** Keys whose signatures `role` needs: its delegation's keyids; for root also the previous root's (a rotation needs both). */
export function signerKeyids(
  role: string,
  delegator: SignedMetadata,
  previousRoot: SignedMetadata | null,
): string[] {
  const ids = new Set(findDelegation(role, delegator)?.definition.keyids ?? []);
  if (role === 'root' && previousRoot)
    for (const id of findDelegation('root', previousRoot)?.definition.keyids ?? []) ids.add(id);
  return [...ids];
}

/** The tuf-on-ci key id: sha256 of the canonical JSON of the whole key object, x- fields included. */
export function keyIdOf(key: TufKey): string {
  return createHash('sha256').update(canonicalize(key)).digest('hex');
}

/** Who owns a key in status reports: `@user`, the online signer, or the keyid. */
export function keyOwner(key: TufKey | undefined, keyid: string): string {
  const owner = key?.['x-tuf-on-ci-keyowner'];
  if (typeof owner === 'string') return owner;
  const online = key?.['x-tuf-on-ci-online-uri'];
  return typeof online === 'string' ? `online key (${online})` : `key ${keyid.slice(0, 12)}`;
}

/** One `{keyid, sig: ""}` per signer: tuf-on-ci keeps placeholders so signers see where their signature goes. */
export function placeholderSignatures(keyids: Iterable<string>): TufSignature[] {
  return [...new Set(keyids)].map((keyid) => ({ keyid, sig: '' }));
}

/** Expiry and signing periods in days: from the role's `signed` (root, targets, delegated roles) or root's role entry (snapshot, timestamp). */
export function rolePeriods(
  role: string,
  metadata: SignedMetadata,
  root: SignedMetadata,
): { expiry: number; signing: number } {
  const holder = (ONLINE_ROLES as readonly string[]).includes(role)
    ? ((asRecord(root.signed.roles, 'root signed.roles')[role] as
        Record<string, unknown> | undefined) ?? {})
    : metadata.signed;
  const defaults = DEFAULT_PERIODS[role] ?? DEFAULT_PERIODS.targets!;
  const expiry = holder['x-tuf-on-ci-expiry-period'];
  const signing = holder['x-tuf-on-ci-signing-period'];
  // tuf-on-ci's signing_expiry_period: without a signing period, half the expiry period.
  if (typeof expiry === 'number')
    return { expiry, signing: typeof signing === 'number' ? signing : Math.floor(expiry / 2) };
  return {
    expiry: defaults.expiry,
    signing: typeof signing === 'number' ? signing : defaults.signing,
  };
}

/** TUF's expiry format: UTC to the second. */
export function expiryAfter(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function daysFrom(now: Date, days: number): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/**
 * Marks `metadata` as changed in this event: version base + 1 (once per event, relative to the
 * merge base) and the expiry renewed to now + expiry period only when it falls within the
 * signing period (a release keeps the expiry the role was signed with). Signatures become
 * placeholders, unless `originalSigned` (canonical bytes before the caller's edits) shows
 * that nothing changed: then valid signatures stay and new signers get placeholders.
 */
export function bumpForEvent(
  metadata: SignedMetadata,
  baseVersion: number | null,
  periods: { expiry: number; signing: number },
  now: Date,
  keyids: Iterable<string>,
  originalSigned?: Buffer,
): void {
  const version = metadata.signed.version as number;
  if (baseVersion === null || version <= baseVersion)
    metadata.signed.version = (baseVersion ?? version - 1) + 1;
  if (Date.parse(metadata.signed.expires as string) <= daysFrom(now, periods.signing).getTime()) {
    metadata.signed.expires = expiryAfter(now, periods.expiry);
  }
  if (originalSigned?.equals(canonicalize(metadata.signed))) {
    const present = new Set(metadata.signatures.map((s) => s.keyid));
    metadata.signatures.push(
      ...placeholderSignatures([...keyids].filter((keyid) => !present.has(keyid))),
    );
  } else {
    metadata.signatures = placeholderSignatures(keyids);
  }
}

export interface SigningEventState {
  invites: Record<string, string[]>;
}

export async function readEventState(repoDir: string): Promise<SigningEventState> {
  const path = join(repoDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { invites: {} };
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TufError('METADATA_INVALID', `${path}: not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const invites = (value as { invites?: unknown } | null)?.invites ?? {};
  const record = asRecord(invites, `${path} invites`);
  for (const [user, roles] of Object.entries(record)) {
    if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) {
      throw new TufError(
        'METADATA_INVALID',
        `${path}: invites.${user} must be a list of role names`,
        { expected: 'string[]', found: roles },
      );
    }
  }
  return { invites: record as Record<string, string[]> };
}

/** Writes the state, or deletes the file when no invites remain (tuf-on-ci keeps it only while needed). */
export async function writeEventState(repoDir: string, state: SigningEventState): Promise<void> {
  const path = join(repoDir, STATE_FILE);
  const invites = Object.fromEntries(
    Object.entries(state.invites).filter(([, roles]) => roles.length > 0),
  );
  if (Object.keys(invites).length === 0) await rm(path, { force: true });
  else await writeFileAtomic(path, formatMetadata({ invites }));
}

/** `@user`, lower case, as tuf-on-ci names signers; rejects anything else. */
export function normalizeUser(user: string): string {
  const name = user.startsWith('@') ? user.slice(1) : user;
  if (!/^[0-9a-zA-Z-]+$/.test(name)) {
    throw new TufError(
      'INVALID_INPUT',
      `signer name must be @ followed by letters, digits or "-", found ${JSON.stringify(user)}`,
      { expected: '@[0-9a-zA-Z-]+', found: user },
    );
  }
  return `@${name.toLowerCase()}`;
}
