import { TufError } from '../errors';
import { assertSignedMetadata, type SignedMetadata } from '../crypto/verify';
import type { RoleKeys, TufKey } from '../crypto/keys';

/** The four top-level roles; delegated targets roles have any other name. */
export type TopLevelRole = 'root' | 'timestamp' | 'snapshot' | 'targets';

interface CommonSigned {
  _type: string;
  spec_version: string;
  version: number;
  expires: Date;
}

export interface RootSigned extends CommonSigned {
  consistent_snapshot: boolean;
  keys: Record<string, TufKey>;
  roles: Record<TopLevelRole, RoleKeys>;
}

export interface MetaFile {
  version: number;
  length?: number;
  hashes?: Record<string, string>;
}

export interface TimestampSigned extends CommonSigned {
  snapshot: MetaFile;
}

export interface SnapshotSigned extends CommonSigned {
  meta: Record<string, MetaFile>;
}

/** A target as a targets role lists it. */
export interface TargetInfo {
  path: string;
  length: number;
  hashes: Record<string, string>;
  custom?: Record<string, unknown>;
}

export interface DelegatedRole extends RoleKeys {
  name: string;
  terminating: boolean;
  paths?: string[];
  path_hash_prefixes?: string[];
}

/** TAP 15 hash-bin delegation: `2^bit_length` roles `<name_prefix>-<hex bin>` sharing keys, each terminating. */
export interface SuccinctRoles extends RoleKeys {
  bit_length: number;
  name_prefix: string;
}

export interface Delegations {
  keys: Record<string, TufKey>;
  /** Empty when the delegation is succinct. */
  roles: DelegatedRole[];
  succinct_roles?: SuccinctRoles;
}

export interface TargetsSigned extends CommonSigned {
  targets: Record<string, Omit<TargetInfo, 'path'>>;
  delegations?: Delegations;
}

/** Metadata as downloaded: the exact bytes (persisted as-is), the raw document (signatures and bundles intact) and the checked view. */
export interface Loaded<T> {
  bytes: Uint8Array;
  raw: SignedMetadata;
  signed: T;
}

const EXPIRES = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const TOP_LEVEL: TopLevelRole[] = ['root', 'timestamp', 'snapshot', 'targets'];

function invalid(source: string, field: string, expected: string, found: unknown): TufError {
  return new TufError(
    'METADATA_INVALID',
    `${source}: ${field} must be ${expected}, found ${JSON.stringify(found)}`,
    { expected, found },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectField(
  record: Record<string, unknown>,
  field: string,
  source: string,
): Record<string, unknown> {
  const value = record[field];
  if (!isObject(value)) throw invalid(source, field, 'an object', value);
  return value;
}

function positiveInteger(value: unknown, field: string, source: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw invalid(source, field, `an integer >= ${min}`, value);
  return value;
}

function stringArray(value: unknown, field: string, source: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw invalid(source, field, 'an array of strings', value);
  return value as string[];
}

function hashes(value: unknown, field: string, source: string): Record<string, string> {
  if (
    !isObject(value) ||
    Object.keys(value).length === 0 ||
    !Object.values(value).every((h) => typeof h === 'string' && /^[0-9a-f]+$/i.test(h))
  ) {
    throw invalid(source, field, 'a non-empty map of hex digests', value);
  }
  return value as Record<string, string>;
}

function roleKeys(value: unknown, field: string, source: string, name: string): RoleKeys {
  if (!isObject(value)) throw invalid(source, field, 'an object', value);
  const keyids = stringArray(value.keyids, `${field}.keyids`, source);
  if (new Set(keyids).size !== keyids.length)
    throw invalid(source, `${field}.keyids`, 'unique keyids', keyids);
  return {
    name,
    keyids,
    threshold: positiveInteger(value.threshold, `${field}.threshold`, source),
  };
}

function keysOf(value: unknown, field: string, source: string): Record<string, TufKey> {
  if (!isObject(value)) throw invalid(source, field, 'an object', value);
  for (const [keyid, key] of Object.entries(value)) {
    if (
      !isObject(key) ||
      typeof key.keytype !== 'string' ||
      typeof key.scheme !== 'string' ||
      !isObject(key.keyval)
    ) {
      throw invalid(source, `${field}.${keyid}`, 'a key with keytype, scheme and keyval', key);
    }
  }
  return value as Record<string, TufKey>;
}

function metaFile(value: unknown, field: string, source: string): MetaFile {
  if (!isObject(value)) throw invalid(source, field, 'an object', value);
  const meta: MetaFile = { version: positiveInteger(value.version, `${field}.version`, source) };
  if (value.length !== undefined)
    meta.length = positiveInteger(value.length, `${field}.length`, source, 0);
  if (value.hashes !== undefined) meta.hashes = hashes(value.hashes, `${field}.hashes`, source);
  return meta;
}

function common(signed: Record<string, unknown>, type: string, source: string): CommonSigned {
  if (signed._type !== type)
    throw invalid(source, 'signed._type', JSON.stringify(type), signed._type);
  const specVersion = signed.spec_version;
  if (typeof specVersion !== 'string' || !/^1\.\d+(\.\d+)?$/.test(specVersion))
    throw invalid(source, 'signed.spec_version', 'a 1.x version', specVersion);
  const expires = signed.expires;
  if (typeof expires !== 'string' || !EXPIRES.test(expires) || Number.isNaN(Date.parse(expires))) {
    throw invalid(source, 'signed.expires', 'a UTC time like 2030-01-01T00:00:00Z', expires);
  }
  return {
    _type: type,
    spec_version: specVersion,
    version: positiveInteger(signed.version, 'signed.version', source),
    expires: new Date(expires),
  };
}

/** Parses metadata bytes into a checked view, keeping the raw document for signature checks. */
export function parseMetadata<T>(
  bytes: Uint8Array,
  source: string,
  check: (signed: Record<string, unknown>, source: string) => T,
): Loaded<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    );
  } catch (error) {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: not valid JSON (${(error as Error).message})`,
      { expected: 'JSON', found: 'unparseable bytes', cause: error },
    );
  }
  assertSignedMetadata(raw, source);
  return { bytes, raw, signed: check(raw.signed, source) };
}

export function checkRoot(signed: Record<string, unknown>, source: string): RootSigned {
  const base = common(signed, 'root', source);
  if (typeof signed.consistent_snapshot !== 'boolean' && signed.consistent_snapshot !== undefined) {
    throw invalid(source, 'signed.consistent_snapshot', 'a boolean', signed.consistent_snapshot);
  }
  const keys = keysOf(signed.keys, 'signed.keys', source);
  const rolesField = objectField(signed, 'roles', source);
  const roles = {} as Record<TopLevelRole, RoleKeys>;
  for (const name of TOP_LEVEL)
    roles[name] = roleKeys(rolesField[name], `signed.roles.${name}`, source, name);
  return { ...base, consistent_snapshot: signed.consistent_snapshot === true, keys, roles };
}

export function checkTimestamp(signed: Record<string, unknown>, source: string): TimestampSigned {
  const base = common(signed, 'timestamp', source);
  const meta = objectField(signed, 'meta', source);
  return {
    ...base,
    snapshot: metaFile(meta['snapshot.json'], 'signed.meta["snapshot.json"]', source),
  };
}

export function checkSnapshot(signed: Record<string, unknown>, source: string): SnapshotSigned {
  const base = common(signed, 'snapshot', source);
  const metaField = objectField(signed, 'meta', source);
  const meta: Record<string, MetaFile> = {};
  for (const [name, value] of Object.entries(metaField))
    meta[name] = metaFile(value, `signed.meta["${name}"]`, source);
  return { ...base, meta };
}

export function checkTargets(signed: Record<string, unknown>, source: string): TargetsSigned {
  const base = common(signed, 'targets', source);
  const targetsField = objectField(signed, 'targets', source);
  for (const [path, info] of Object.entries(targetsField)) {
    if (!isObject(info)) throw invalid(source, `signed.targets["${path}"]`, 'an object', info);
    positiveInteger(info.length, `signed.targets["${path}"].length`, source, 0);
    hashes(info.hashes, `signed.targets["${path}"].hashes`, source);
  }
  const result: TargetsSigned = { ...base, targets: targetsField as TargetsSigned['targets'] };
  if (signed.delegations !== undefined) {
    const delegations = objectField(signed, 'delegations', source);
    const keys = keysOf(delegations.keys, 'signed.delegations.keys', source);
    if ((delegations.roles === undefined) === (delegations.succinct_roles === undefined)) {
      throw invalid(
        source,
        'signed.delegations',
        'exactly one of roles and succinct_roles',
        Object.keys(delegations),
      );
    }
    if (delegations.succinct_roles !== undefined) {
      const succinct = delegations.succinct_roles;
      const field = 'signed.delegations.succinct_roles';
      if (!isObject(succinct) || typeof succinct.name_prefix !== 'string')
        throw invalid(
          source,
          `${field}.name_prefix`,
          'a string',
          isObject(succinct) ? succinct.name_prefix : succinct,
        );
      const bitLength = positiveInteger(succinct.bit_length, `${field}.bit_length`, source);
      if (bitLength > 32)
        throw invalid(source, `${field}.bit_length`, 'an integer from 1 to 32', bitLength);
      result.delegations = {
        keys,
        roles: [],
        succinct_roles: {
          ...roleKeys(succinct, field, source, succinct.name_prefix),
          bit_length: bitLength,
          name_prefix: succinct.name_prefix,
        },
      };
      return result;
    }
    if (!Array.isArray(delegations.roles))
      throw invalid(source, 'signed.delegations.roles', 'an array', delegations.roles);
    const seen = new Set<string>();
    const roles = delegations.roles.map((role: unknown, i: number): DelegatedRole => {
      const field = `signed.delegations.roles[${i}]`;
      if (!isObject(role) || typeof role.name !== 'string' || role.name === '')
        throw invalid(
          source,
          `${field}.name`,
          'a non-empty string',
          isObject(role) ? role.name : role,
        );
      if (seen.has(role.name) || TOP_LEVEL.includes(role.name as TopLevelRole))
        throw invalid(source, `${field}.name`, 'a unique non-top-level role name', role.name);
      seen.add(role.name);
      const delegated: DelegatedRole = {
        ...roleKeys(role, field, source, role.name),
        name: role.name,
        terminating: role.terminating === true,
      };
      // 4.5: a delegation names the targets it covers by exactly one of paths and path_hash_prefixes.
      if ((role.paths === undefined) === (role.path_hash_prefixes === undefined))
        throw invalid(
          source,
          field,
          'exactly one of paths and path_hash_prefixes',
          Object.keys(role),
        );
      if (role.paths !== undefined)
        delegated.paths = stringArray(role.paths, `${field}.paths`, source);
      if (role.path_hash_prefixes !== undefined)
        delegated.path_hash_prefixes = stringArray(
          role.path_hash_prefixes,
          `${field}.path_hash_prefixes`,
          source,
        );
      return delegated;
    });
    result.delegations = { keys, roles };
  }
  return result;
}
