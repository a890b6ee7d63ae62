import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TufError, type TufErrorCode } from '../errors';
import { writeFileAtomic } from '@oci-sd/core';
import type { RoleKeys, TufKey } from '../crypto/keys';
import type { SigstoreTrustedRootJSON } from '../crypto/sigstore';
import { verifyRoleThreshold } from '../crypto/verify';
import { canonicalize } from '../metadata/canonical';
import {
  checkRoot,
  checkSnapshot,
  checkTargets,
  checkTimestamp,
  parseMetadata,
  type Loaded,
  type MetaFile,
  type RootSigned,
  type SnapshotSigned,
  type TargetInfo,
  type TargetsSigned,
  type TimestampSigned,
} from '../metadata/model';
import { delegatedRoleKeys, rolesForTarget } from '../metadata/paths';
import { clearTrustedMetadata } from './cache';
import {
  CheckoutSource,
  HttpSource,
  quoteName,
  type FetchFunction,
  type RepositorySource,
} from './source';

export interface UpdaterLimits {
  maxRootRotations: number;
  maxDelegations: number;
  rootMaxLength: number;
  timestampMaxLength: number;
  snapshotMaxLength: number;
  targetsMaxLength: number;
}

/** python-tuf's defaults, so both clients accept and refuse the same repositories. */
export const DEFAULT_LIMITS: UpdaterLimits = {
  maxRootRotations: 256,
  maxDelegations: 32,
  rootMaxLength: 512_000,
  timestampMaxLength: 16_384,
  snapshotMaxLength: 2_000_000,
  targetsMaxLength: 5_000_000,
};

/** Something the updater worked around and the user should know: a cached file it could not use. */
export interface TufWarning {
  code: 'CACHE_UNREADABLE';
  /** The cached file. */
  path: string;
  message: string;
}

export interface UpdaterOptions {
  /**
   * Receives every verified `<role>.json`. Without `pinnedRoot` it also holds the trusted `root.json`,
   * the starting point; with it, only what earlier runs verified (`root_history/<N>.root.json`).
   */
  metadataDir: string;
  /**
   * The root this client ships with or the user pinned (specification 5.2). Given, metadataDir is a
   * cache of earlier runs: its roots are trusted only as far as they chain from this one, its other
   * files only as rollback baselines their signers' current keys still verify, and a cached file that
   * cannot be read or parsed is reported (onWarning), the cache cleared, and the run starts from this root.
   */
  pinnedRoot?: Uint8Array;
  /** Cached files the updater could not use (default: ignored). */
  onWarning?: (warning: TufWarning) => void;
  /** Published site: `<base>/<N>.root.json`, `<base>/timestamp.json`, ... */
  metadataBaseUrl?: string;
  /** Instead of a site: a TUF-on-CI git checkout (`metadata/`, `metadata/root_history/`, `targets/`). */
  repositoryDir?: string;
  targetDir?: string;
  targetBaseUrl?: string;
  /** The clock expiry is checked against (default: the time refresh() starts). */
  now?: Date | (() => Date);
  /** Sigstore trusted root for sigstore-oidc keys; public-good by default. */
  sigstoreTrustedRoot?: SigstoreTrustedRootJSON;
  fetch?: FetchFunction;
  /** Per-request timeout (ms) for http sources. */
  timeoutMs?: number;
  limits?: Partial<UpdaterLimits>;
}

/** What the updater trusts after a refresh: versions and expiry of each top-level role. */
export interface TrustedState {
  root: { version: number; expires: Date };
  timestamp: { version: number; expires: Date };
  snapshot: { version: number; expires: Date };
  targets: { version: number; expires: Date };
}

const HASH_ALGORITHMS = new Set(['sha256', 'sha384', 'sha512']);

const ROOT_HISTORY = 'root_history';
const CACHED_ROOT = /^([1-9]\d{0,8})\.root\.json$/;

/** What earlier runs left in a metadata cache, parsed (not yet verified). */
interface CachedMetadata {
  roots: Map<number, Loaded<RootSigned>>;
  roles: Map<string, Loaded<unknown>>;
}

/** Parse errors quote the bytes they choked on: control characters from a cached file are shown escaped. */
function escapeControl(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- finding them is the point
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function checkerFor(role: string): (signed: Record<string, unknown>, source: string) => unknown {
  return role === 'timestamp' ? checkTimestamp : role === 'snapshot' ? checkSnapshot : checkTargets;
}

function checkLengthAndHashes(
  bytes: Uint8Array,
  expected: { length?: number; hashes?: Record<string, string> },
  what: string,
): void {
  if (expected.length !== undefined && bytes.byteLength !== expected.length) {
    throw new TufError(
      'LENGTH_MISMATCH',
      `${what}: length ${bytes.byteLength}, expected ${expected.length}`,
      { expected: expected.length, found: bytes.byteLength },
    );
  }
  for (const [algorithm, digest] of Object.entries(expected.hashes ?? {})) {
    if (!HASH_ALGORITHMS.has(algorithm)) {
      throw new TufError(
        'HASH_MISMATCH',
        `${what}: unsupported hash algorithm ${JSON.stringify(algorithm)}`,
        { expected: [...HASH_ALGORITHMS], found: algorithm },
      );
    }
    const found = createHash(algorithm).update(bytes).digest('hex');
    if (found !== digest.toLowerCase()) {
      throw new TufError('HASH_MISMATCH', `${what}: ${algorithm} ${found}, expected ${digest}`, {
        expected: digest,
        found,
      });
    }
  }
}

/**
 * The TUF client workflow (specification section 5) for TUF-on-CI repositories:
 * root rotation, timestamp, snapshot, targets and delegations, with rollback, freeze,
 * mix-and-match and fast-forward protection, and sigstore-oidc keys.
 */
export class Updater {
  private readonly metadataDir: string;
  private readonly targetDir: string | undefined;
  private readonly source: RepositorySource;
  private readonly nowOption: UpdaterOptions['now'];
  private readonly sigstoreTrustedRoot: SigstoreTrustedRootJSON | undefined;
  private readonly limits: UpdaterLimits;
  private readonly pinnedRoot: Uint8Array | undefined;
  private readonly onWarning: ((warning: TufWarning) => void) | undefined;
  /** With a pinned root: the cache's content, read once at the start of a refresh. */
  private cached: CachedMetadata | undefined;
  private now = new Date();
  private root: Loaded<RootSigned> | undefined;
  private timestamp: Loaded<TimestampSigned> | undefined;
  private snapshot: Loaded<SnapshotSigned> | undefined;
  /** Targets roles accepted this refresh (version, hashes and expiry as the snapshot lists them), by name. */
  private readonly targets = new Map<string, Loaded<TargetsSigned>>();
  /** `delegator NUL role` for every delegation whose keys and threshold a role's signatures met. */
  private readonly delegationsMet = new Set<string>();
  private refreshed = false;

  constructor(options: UpdaterOptions) {
    if ((options.metadataBaseUrl === undefined) === (options.repositoryDir === undefined)) {
      throw new TufError('INVALID_INPUT', 'give exactly one of metadataBaseUrl and repositoryDir', {
        expected: 'one source',
        found: { metadataBaseUrl: options.metadataBaseUrl, repositoryDir: options.repositoryDir },
      });
    }
    this.metadataDir = options.metadataDir;
    this.targetDir = options.targetDir;
    this.nowOption = options.now;
    this.sigstoreTrustedRoot = options.sigstoreTrustedRoot;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.pinnedRoot = options.pinnedRoot;
    this.onWarning = options.onWarning;
    this.source =
      options.repositoryDir !== undefined
        ? new CheckoutSource(options.repositoryDir)
        : new HttpSource({
            metadataBaseUrl: options.metadataBaseUrl!,
            ...(options.targetBaseUrl !== undefined && { targetBaseUrl: options.targetBaseUrl }),
            ...(options.fetch && { fetch: options.fetch }),
            ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
          });
  }

  /** Requests made (or files read from a checkout) so far. */
  get requestCount(): number {
    return this.source.requestCount;
  }

  /** Root, timestamp, snapshot and top-level targets, verified and persisted. Call once per updater. */
  async refresh(): Promise<TrustedState> {
    this.now =
      typeof this.nowOption === 'function' ? this.nowOption() : (this.nowOption ?? new Date());
    this.timestamp = undefined;
    this.snapshot = undefined;
    this.targets.clear();
    this.delegationsMet.clear();
    await this.loadTrustedRoot();
    await this.updateRoot();
    await this.updateTimestamp();
    await this.updateSnapshot();
    await this.loadTargets('targets', undefined);
    this.refreshed = true;
    return this.trustedState();
  }

  trustedState(): TrustedState {
    const summary = (loaded: Loaded<{ version: number; expires: Date }> | undefined) => {
      if (!loaded)
        throw new TufError('INVALID_INPUT', 'refresh() has not completed', {
          expected: 'a refreshed updater',
          found: 'none',
        });
      return { version: loaded.signed.version, expires: loaded.signed.expires };
    };
    return {
      root: summary(this.root),
      timestamp: summary(this.timestamp),
      snapshot: summary(this.snapshot),
      targets: summary(this.targets.get('targets')),
    };
  }

  /** The target as the delegation tree lists it (pre-order, terminating delegations honoured), or undefined. */
  async getTargetInfo(targetPath: string): Promise<TargetInfo | undefined> {
    if (!this.refreshed) await this.refresh();
    const stack: Array<{ role: string; parent: string | undefined }> = [
      { role: 'targets', parent: undefined },
    ];
    const visited = new Set<string>();
    let budget = this.limits.maxDelegations;
    while (budget > 0 && stack.length > 0) {
      const { role, parent } = stack.pop()!;
      if (visited.has(role)) continue;
      const targets = (await this.loadTargets(role, parent)).signed;
      const found = Object.hasOwn(targets.targets, targetPath)
        ? targets.targets[targetPath]
        : undefined;
      if (found) return { path: targetPath, ...found };
      visited.add(role);
      budget--;
      const children: Array<{ role: string; parent: string }> = [];
      for (const child of targets.delegations
        ? rolesForTarget(targets.delegations, targetPath)
        : []) {
        children.push({ role: child.name, parent: role });
        if (child.terminating) {
          stack.length = 0;
          break;
        }
      }
      stack.push(...children.reverse());
    }
    return undefined;
  }

  /** The local path of the target if a file there has its length and hashes, else undefined. */
  async findCachedTarget(info: TargetInfo, filePath?: string): Promise<string | undefined> {
    const path = filePath ?? this.defaultTargetPath(info);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    try {
      checkLengthAndHashes(bytes, info, `target ${info.path}`);
      return path;
    } catch {
      return undefined;
    }
  }

  /** Downloads the target (hash-prefixed name under consistent snapshots), checks length and hashes, writes it atomically. */
  async downloadTarget(
    info: TargetInfo,
    filePath?: string,
    targetBaseUrl?: string,
  ): Promise<string> {
    if (!this.refreshed) await this.refresh();
    const path = filePath ?? this.defaultTargetPath(info);
    const hashPrefix = this.root!.signed.consistent_snapshot
      ? Object.values(info.hashes)[0]
      : undefined;
    const bytes = await this.source.fetchTarget(info.path, hashPrefix, info.length, targetBaseUrl);
    checkLengthAndHashes(bytes, info, `target ${info.path}`);
    await writeFileAtomic(path, bytes);
    return path;
  }

  private defaultTargetPath(info: TargetInfo): string {
    if (this.targetDir === undefined) {
      throw new TufError(
        'INVALID_INPUT',
        `no file path for target ${info.path}: pass targetDir to the Updater or a path`,
        { expected: 'a path', found: undefined },
      );
    }
    const name = quoteName(info.path);
    // quote() leaves "." and "..": as file names they would point at targetDir or its parent.
    if (name === '' || name === '.' || name === '..') {
      throw new TufError(
        'INVALID_INPUT',
        `target name ${JSON.stringify(info.path)} cannot be a file name in ${this.targetDir}`,
        { expected: 'a file name', found: info.path },
      );
    }
    return join(this.targetDir, name);
  }

  // --- root -------------------------------------------------------------

  private async loadTrustedRoot(): Promise<void> {
    if (this.pinnedRoot) return this.loadPinnedRoot(this.pinnedRoot);
    const path = join(this.metadataDir, 'root.json');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new TufError(
        'NOT_FOUND',
        `trusted root ${path} cannot be read: ${(error as Error).message}`,
        { expected: 'root.json', found: 'nothing', cause: error },
      );
    }
    const root = parseMetadata(bytes, path, checkRoot);
    this.requireThreshold(
      root,
      root.signed.keys,
      root.signed.roles.root,
      `trusted root v${root.signed.version} (${path})`,
    );
    this.root = root;
  }

  /**
   * 5.2: the pinned root is trusted as given (its own keys must still sign it). 5.3 then runs over the
   * rotations earlier runs verified and cached before it asks the repository for newer ones, so a
   * cached root is trusted only when it chains from the pinned one; one that does not clears the cache.
   */
  private async loadPinnedRoot(pinned: Uint8Array): Promise<void> {
    const root = parseMetadata(pinned, 'pinned root', checkRoot);
    this.requireThreshold(
      root,
      root.signed.keys,
      root.signed.roles.root,
      `trusted root v${root.signed.version} (the pinned root)`,
    );
    this.root = root;
    const cached = await this.readCache();
    this.cached = cached;
    const start = root.signed.version;
    try {
      for (let next = start + 1; cached.roots.has(next); next++) {
        if (next > start + this.limits.maxRootRotations) break;
        this.acceptRoot(
          cached.roots.get(next)!,
          next,
          this.cachePath(ROOT_HISTORY, `${next}.root.json`),
        );
      }
    } catch (error) {
      if (!(error instanceof TufError)) throw error;
      await this.resetCache(
        this.cachePath(ROOT_HISTORY),
        `a cached root does not chain from the pinned root v${start}: ${error.message}`,
      );
      this.root = root;
    }
  }

  /**
   * Reads every file of the cache once. A file that cannot be read or parsed makes the whole cache
   * suspect: it is reported by path, the cache cleared, and the run starts from the pinned root alone.
   */
  private async readCache(): Promise<CachedMetadata> {
    const empty = (): CachedMetadata => ({ roots: new Map(), roles: new Map() });
    const cached = empty();
    const problems: Array<{ path: string; message: string }> = [];
    const read = async <T>(
      path: string,
      check: (signed: Record<string, unknown>, source: string) => T,
    ): Promise<Loaded<T> | undefined> => {
      try {
        return parseMetadata(await readFile(path), path, check);
      } catch (error) {
        problems.push({ path, message: escapeControl((error as Error).message) });
        return undefined;
      }
    };
    const names = await this.listCache(this.metadataDir, problems);
    await Promise.all(
      names.map(async (name) => {
        if (name === ROOT_HISTORY) {
          const history = join(this.metadataDir, ROOT_HISTORY);
          for (const file of await this.listCache(history, problems)) {
            const version = CACHED_ROOT.exec(file)?.[1];
            if (version === undefined) continue;
            const root = await read(join(history, file), checkRoot);
            if (root) cached.roots.set(Number(version), root);
          }
          return;
        }
        if (!name.endsWith('.json') || name.startsWith('.') || name === 'root.json') return;
        let role: string;
        try {
          role = decodeURIComponent(name.slice(0, -'.json'.length));
        } catch {
          return; // not a name this updater writes
        }
        const loaded = await read(join(this.metadataDir, name), checkerFor(role));
        if (loaded) cached.roles.set(role, loaded);
      }),
    );
    if (problems.length === 0) return cached;
    for (const problem of problems)
      this.onWarning?.({
        code: 'CACHE_UNREADABLE',
        path: problem.path,
        message: `cached TUF metadata ${problem.path} cannot be used (${problem.message}); starting again from the pinned root`,
      });
    await clearTrustedMetadata(this.metadataDir);
    return empty();
  }

  /** Entry names of a cache folder; an absent folder is an empty cache, an unreadable one a problem. */
  private async listCache(
    dir: string,
    problems: Array<{ path: string; message: string }>,
  ): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        problems.push({ path: dir, message: (error as Error).message });
      return [];
    }
  }

  private async resetCache(path: string, message: string): Promise<void> {
    this.onWarning?.({
      code: 'CACHE_UNREADABLE',
      path,
      message: `${message}; starting again from the pinned root`,
    });
    this.cached = { roots: new Map(), roles: new Map() };
    await clearTrustedMetadata(this.metadataDir);
  }

  private cachePath(...parts: string[]): string {
    return join(this.metadataDir, ...parts);
  }

  /** 5.3.4-5.3.6: root `next`, signed by the trusted root's keys and its own, of exactly that version. */
  private acceptRoot(candidate: Loaded<RootSigned>, next: number, what: string): void {
    const trusted = this.root!;
    // Both the old and the new root must authorise the new one (key rotation).
    this.requireThreshold(
      candidate,
      trusted.signed.keys,
      trusted.signed.roles.root,
      `${what}, by the keys of trusted root v${trusted.signed.version}`,
    );
    this.requireThreshold(
      candidate,
      candidate.signed.keys,
      candidate.signed.roles.root,
      `${what}, by its own keys`,
    );
    if (candidate.signed.version !== next) {
      throw new TufError(
        'ROLLBACK',
        `${what}: version is ${candidate.signed.version}, expected ${next}`,
        { expected: next, found: candidate.signed.version },
      );
    }
    this.root = candidate;
  }

  private async updateRoot(): Promise<void> {
    const start = this.root!.signed.version;
    for (let next = start + 1; next <= start + this.limits.maxRootRotations; next++) {
      const bytes = await this.source.fetchRoot(next, this.limits.rootMaxLength);
      if (!bytes) break;
      const what = `root v${next} (${next}.root.json)`;
      this.acceptRoot(parseMetadata(bytes, what, checkRoot), next, what);
      await (this.pinnedRoot
        ? writeFileAtomic(this.cachePath(ROOT_HISTORY, `${next}.root.json`), bytes)
        : this.persist('root', bytes));
    }
    this.requireUnexpired(this.root!, `root v${this.root!.signed.version}`);
  }

  // --- timestamp ----------------------------------------------------------

  private async updateTimestamp(): Promise<void> {
    const root = this.root!.signed;
    // A local timestamp that the current root's keys still verify is the rollback baseline;
    // after a key rotation it no longer verifies and is dropped (fast-forward recovery).
    const local = await this.loadLocal(
      'timestamp',
      checkTimestamp,
      root.keys,
      root.roles.timestamp,
    );
    const what = 'timestamp (timestamp.json)';
    const bytes = await this.source.fetchMetadata(
      'timestamp',
      undefined,
      this.limits.timestampMaxLength,
    );
    // The same bytes as the trusted copy: verified a moment ago, nothing changed (5.4.3).
    if (local && Buffer.compare(local.bytes, bytes) === 0) {
      this.requireUnexpired(local, `timestamp v${local.signed.version}`);
      this.timestamp = local;
      return;
    }
    const candidate = parseMetadata(bytes, what, checkTimestamp);
    this.requireThreshold(candidate, root.keys, root.roles.timestamp, what);
    let accepted = candidate;
    if (local) {
      const trusted = local.signed;
      if (candidate.signed.version < trusted.version) {
        throw new TufError(
          'ROLLBACK',
          `timestamp v${candidate.signed.version} is older than the trusted v${trusted.version}`,
          { expected: `>= ${trusted.version}`, found: candidate.signed.version },
        );
      }
      if (candidate.signed.snapshot.version < trusted.snapshot.version) {
        throw new TufError(
          'ROLLBACK',
          `timestamp v${candidate.signed.version} lists snapshot v${candidate.signed.snapshot.version}, older than the trusted v${trusted.snapshot.version}`,
          {
            expected: `>= ${trusted.snapshot.version}`,
            found: candidate.signed.snapshot.version,
          },
        );
      }
      // An equal version changes nothing: keep what is already trusted.
      if (candidate.signed.version === trusted.version) accepted = local;
    }
    this.requireUnexpired(accepted, `timestamp v${accepted.signed.version}`);
    this.timestamp = accepted;
    if (accepted === candidate) await this.persist('timestamp', bytes);
  }

  // --- snapshot -----------------------------------------------------------

  private async updateSnapshot(): Promise<void> {
    const root = this.root!.signed;
    const meta = this.timestamp!.signed.snapshot;
    const local = await this.loadLocal('snapshot', checkSnapshot, root.keys, root.roles.snapshot);
    if (local && this.isCurrent(local, meta)) {
      this.snapshot = local;
      return;
    }
    const fileName = this.metadataFileName('snapshot', meta.version);
    const what = `snapshot v${meta.version} (${fileName})`;
    const bytes = await this.source.fetchMetadata(
      'snapshot',
      this.versionInName(meta.version),
      meta.length ?? this.limits.snapshotMaxLength,
    );
    checkLengthAndHashes(bytes, meta, what);
    const candidate = parseMetadata(bytes, what, checkSnapshot);
    this.requireThreshold(candidate, root.keys, root.roles.snapshot, what);
    // Rollback: no role listed by the previously trusted snapshot may disappear or go back.
    for (const [name, previous] of Object.entries(local?.signed.meta ?? {})) {
      const next = candidate.signed.meta[name];
      if (!next)
        throw new TufError(
          'ROLLBACK',
          `${what} no longer lists ${name} (trusted snapshot v${local!.signed.version} did)`,
          { expected: name, found: 'missing' },
        );
      if (next.version < previous.version) {
        throw new TufError(
          'ROLLBACK',
          `${what} lists ${name} v${next.version}, older than the trusted v${previous.version}`,
          { expected: `>= ${previous.version}`, found: next.version },
        );
      }
    }
    this.requireVersion(candidate, meta.version, what, 'the timestamp');
    this.requireUnexpired(candidate, `snapshot v${candidate.signed.version}`);
    this.snapshot = candidate;
    await this.persist('snapshot', bytes);
  }

  /**
   * Trusted metadata that is exactly the listed version, unexpired, and of the listed length and
   * hashes if any (a repository may re-sign one version) needs no download (5.5.2, 5.6.2).
   */
  private isCurrent(metadata: Loaded<{ version: number; expires: Date }>, meta: MetaFile): boolean {
    if (metadata.signed.version !== meta.version || this.now >= metadata.signed.expires)
      return false;
    try {
      checkLengthAndHashes(metadata.bytes, meta, 'trusted copy');
      return true;
    } catch {
      return false;
    }
  }

  // --- targets ------------------------------------------------------------

  /** Top-level targets (parent undefined: delegated by root) or a delegated role, verified against the snapshot. */
  private async loadTargets(
    role: string,
    parent: string | undefined,
  ): Promise<Loaded<TargetsSigned>> {
    const { keys, roleKeys } = this.delegation(role, parent);
    const delegation = `${parent ?? 'root'}\0${role}`;
    const cached = this.targets.get(role);
    if (cached) {
      // 5.6.7.2: a delegated role is trusted only through the delegation being followed. A role
      // already loaded through another delegator (diamond-shaped delegations) must meet this
      // delegator's keys and threshold too; the first delegator's verdict says nothing about it.
      if (!this.delegationsMet.has(delegation)) {
        this.requireThreshold(
          cached,
          keys,
          roleKeys,
          this.describeTargets(role, cached.signed.version, parent),
        );
        this.delegationsMet.add(delegation);
      }
      return cached;
    }
    const meta = this.snapshot!.signed.meta[`${role}.json`];
    if (!meta) {
      throw new TufError(
        'METADATA_INVALID',
        `snapshot v${this.snapshot!.signed.version} does not list ${role}.json`,
        {
          expected: `${role}.json in snapshot meta`,
          found: Object.keys(this.snapshot!.signed.meta),
        },
      );
    }
    const local = await this.loadLocal(role, checkTargets, keys, roleKeys);
    let accepted: Loaded<TargetsSigned>;
    if (local && this.isCurrent(local, meta)) {
      accepted = local;
    } else {
      const what = this.describeTargets(role, meta.version, parent);
      const bytes = await this.source.fetchMetadata(
        role,
        this.versionInName(meta.version),
        meta.length ?? this.limits.targetsMaxLength,
      );
      checkLengthAndHashes(bytes, meta, what);
      accepted = parseMetadata(bytes, what, checkTargets);
      this.requireThreshold(accepted, keys, roleKeys, what);
      this.requireVersion(
        accepted,
        meta.version,
        what,
        `snapshot v${this.snapshot!.signed.version}`,
      );
      this.requireUnexpired(accepted, `${role} v${accepted.signed.version}`);
      await this.persist(role, bytes);
    }
    this.targets.set(role, accepted);
    this.delegationsMet.add(delegation);
    return accepted;
  }

  /** `releases v2 (2.releases.json), delegated by targets`: names the file and, for delegated roles, the delegation. */
  private describeTargets(role: string, version: number, parent: string | undefined): string {
    const file = `${role} v${version} (${this.metadataFileName(role, version)})`;
    return parent === undefined ? file : `${file}, delegated by ${parent}`;
  }

  private delegation(
    role: string,
    parent: string | undefined,
  ): { keys: Record<string, TufKey>; roleKeys: RoleKeys } {
    if (parent === undefined)
      return { keys: this.root!.signed.keys, roleKeys: this.root!.signed.roles.targets };
    const delegations = this.targets.get(parent)?.signed.delegations;
    const delegated = delegations && delegatedRoleKeys(delegations, role);
    if (!delegations || !delegated) {
      throw new TufError('METADATA_INVALID', `${parent} does not delegate to ${role}`, {
        expected: role,
        found: delegations?.roles.map((r) => r.name) ?? [],
      });
    }
    return { keys: delegations.keys, roleKeys: delegated };
  }

  // --- shared checks ------------------------------------------------------

  private requireThreshold(
    metadata: Loaded<unknown>,
    keys: Record<string, TufKey>,
    roleKeys: RoleKeys,
    what: string,
  ): void {
    const result = verifyRoleThreshold(metadata.raw, keys, roleKeys, {
      ...(this.sigstoreTrustedRoot && { sigstoreTrustedRoot: this.sigstoreTrustedRoot }),
      signedBytes: canonicalize(metadata.raw.signed),
    });
    if (!result.met) {
      const failures = result.failed.map(
        (failure) => `${failure.keyid.slice(0, 12)}…: ${failure.reason}`,
      );
      const detail =
        failures.length > 0
          ? `; ${failures.join('; ')}`
          : result.unsigned.length > 0
            ? '; the others did not sign'
            : '';
      throw new TufError(
        'SIGNATURE_THRESHOLD',
        `${what}: ${result.verified.length} of ${result.threshold} required signatures verify${detail}`,
        {
          expected: `${result.threshold} valid signatures from ${JSON.stringify(roleKeys.keyids)}`,
          found: result,
        },
      );
    }
  }

  private requireUnexpired(metadata: Loaded<{ expires: Date }>, what: string): void {
    if (this.now >= metadata.signed.expires) {
      throw new TufError(
        'EXPIRED',
        `${what} expired at ${metadata.signed.expires.toISOString()} (checked as of ${this.now.toISOString()})`,
        {
          expected: `expires after ${this.now.toISOString()}`,
          found: metadata.signed.expires.toISOString(),
        },
      );
    }
  }

  private requireVersion(
    metadata: Loaded<{ version: number }>,
    expected: number,
    what: string,
    by: string,
  ): void {
    if (metadata.signed.version !== expected) {
      const code: TufErrorCode =
        metadata.signed.version < expected ? 'ROLLBACK' : 'METADATA_INVALID';
      throw new TufError(
        code,
        `${what}: version ${metadata.signed.version}, but ${by} lists v${expected}`,
        { expected, found: metadata.signed.version },
      );
    }
  }

  /**
   * Previously trusted metadata (the rollback baseline of 5.4.3, 5.5.5 and 5.6.5) if the current keys
   * verify it; anything else counts as absent, as after a key rotation (5.3.11).
   */
  private async loadLocal<T>(
    role: string,
    check: (signed: Record<string, unknown>, source: string) => T,
    keys: Record<string, TufKey>,
    roleKeys: RoleKeys,
  ): Promise<Loaded<T> | undefined> {
    const path = join(this.metadataDir, `${quoteName(role)}.json`);
    try {
      const loaded = this.cached
        ? (this.cached.roles.get(role) as Loaded<T> | undefined)
        : parseMetadata(await readFile(path), path, check);
      if (loaded) this.requireThreshold(loaded, keys, roleKeys, path);
      return loaded;
    } catch {
      return undefined;
    }
  }

  private versionInName(version: number): number | undefined {
    return this.root!.signed.consistent_snapshot ? version : undefined;
  }

  private metadataFileName(role: string, version: number): string {
    return `${this.root!.signed.consistent_snapshot ? `${version}.` : ''}${quoteName(role)}.json`;
  }

  private persist(role: string, bytes: Uint8Array): Promise<void> {
    return writeFileAtomic(join(this.metadataDir, `${quoteName(role)}.json`), bytes);
  }
}
