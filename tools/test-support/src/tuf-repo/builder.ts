import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import {
  canonicalize,
  generateTestKey,
  type KeyScheme,
  type TufKey,
  type TufSignature,
} from './keys.ts';

type Signed = Record<string, unknown> & { version: number; expires: string };

export interface Signer {
  keyid: string;
  key: TufKey;
  sign(bytes: Uint8Array): TufSignature | Promise<TufSignature>;
}

interface RoleState {
  signed: Signed;
  signers: Signer[];
  /** Keys authorised for the role (may differ from signers to build attacks). */
  keyids: string[];
  threshold: number;
  dirty: boolean;
}

const FAR_FUTURE = '2040-01-01T00:00:00Z';
const TOP = ['root', 'timestamp', 'snapshot', 'targets'] as const;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Builds and publishes TUF repositories signed with real keys, laid out like a TUF-on-CI
 * published site (consistent snapshots): `metadata/<N>.root.json`, `metadata/timestamp.json`,
 * `metadata/<v>.<role>.json`, `targets/<dir>/<sha256>.<name>`. Files live in `files`, so a
 * test can replace any of them to stage an attack, then serve them over real HTTP.
 */
export class RepoBuilder {
  readonly files = new Map<string, Buffer>();
  readonly roles = new Map<string, RoleState>();
  /** Parent of each delegated role. */
  private readonly parents = new Map<string, string>();
  private readonly artifacts = new Map<string, { role: string; bytes: Buffer }>();
  consistentSnapshot = true;

  constructor(
    scheme: KeyScheme = 'ed25519',
    signers?: Partial<Record<(typeof TOP)[number], Signer[]>>,
  ) {
    for (const role of TOP) {
      const roleSigners = signers?.[role] ?? [generateTestKey(scheme)];
      this.roles.set(role, {
        signed: { version: 0, expires: FAR_FUTURE },
        signers: roleSigners,
        keyids: roleSigners.map((s) => s.keyid),
        threshold: 1,
        dirty: true,
      });
    }
    this.role('targets').signed = { ...this.base('targets'), targets: {} };
  }

  role(name: string): RoleState {
    const state = this.roles.get(name);
    if (!state) throw new Error(`no role ${name}`);
    return state;
  }

  private base(type: string): Signed {
    return { _type: type, spec_version: '1.0.31', version: 0, expires: FAR_FUTURE };
  }

  /** Adds (or replaces) an artifact listed by `role`. */
  addTarget(path: string, content: string | Buffer, role = 'targets'): void {
    const bytes = Buffer.from(content);
    this.artifacts.set(path, { role, bytes });
    const targets = this.role(role).signed.targets as Record<string, unknown>;
    targets[path] = { hashes: { sha256: sha256(bytes) }, length: bytes.length };
    this.role(role).dirty = true;
  }

  /** Delegates from `parent` to a new role with its own key(s). */
  delegate(
    parent: string,
    name: string,
    options: {
      paths?: string[];
      pathHashPrefixes?: string[];
      terminating?: boolean;
      signers?: Signer[];
      threshold?: number;
      scheme?: KeyScheme;
    } = {},
  ): Signer[] {
    const signers = options.signers ?? [generateTestKey(options.scheme ?? 'ed25519')];
    const parentState = this.role(parent);
    const delegations = (parentState.signed.delegations ??= { keys: {}, roles: [] }) as {
      keys: Record<string, TufKey>;
      roles: Array<Record<string, unknown>>;
    };
    for (const signer of signers) delegations.keys[signer.keyid] = signer.key;
    delegations.roles.push({
      name,
      keyids: signers.map((s) => s.keyid),
      threshold: options.threshold ?? 1,
      terminating: options.terminating ?? false,
      ...(options.pathHashPrefixes
        ? { path_hash_prefixes: options.pathHashPrefixes }
        : { paths: options.paths ?? ['*'] }),
    });
    parentState.dirty = true;
    this.parents.set(name, parent);
    this.roles.set(name, {
      signed: { ...this.base('targets'), targets: {} },
      signers,
      keyids: signers.map((s) => s.keyid),
      threshold: 1,
      dirty: true,
    });
    return signers;
  }

  /** TAP 15 succinct hash-bin delegation: creates every bin role `<prefix>-<hex>`, all signed by the same key. */
  delegateSuccinct(
    parent: string,
    namePrefix: string,
    bitLength: number,
    signers: Signer[] = [generateTestKey('ed25519')],
  ): string[] {
    const parentState = this.role(parent);
    const keys: Record<string, TufKey> = {};
    for (const signer of signers) keys[signer.keyid] = signer.key;
    parentState.signed.delegations = {
      keys,
      succinct_roles: {
        keyids: signers.map((s) => s.keyid),
        threshold: 1,
        bit_length: bitLength,
        name_prefix: namePrefix,
      },
    };
    parentState.dirty = true;
    const width = (2 ** bitLength - 1).toString(16).length;
    const names = Array.from(
      { length: 2 ** bitLength },
      (_, bin) => `${namePrefix}-${bin.toString(16).padStart(width, '0')}`,
    );
    for (const name of names) {
      this.parents.set(name, parent);
      this.roles.set(name, {
        signed: { ...this.base('targets'), targets: {} },
        signers,
        keyids: signers.map((s) => s.keyid),
        threshold: 1,
        dirty: true,
      });
    }
    return names;
  }

  /** Replaces a top-level role's keys (a rotation, published in the next root). */
  setRoleKeys(role: (typeof TOP)[number], signers: Signer[], threshold = 1): void {
    const state = this.role(role);
    state.signers = signers;
    state.keyids = signers.map((s) => s.keyid);
    state.threshold = threshold;
    state.dirty = true;
    this.role('root').dirty = true;
  }

  private rootSigned(version: number): Signed {
    const keys: Record<string, TufKey> = {};
    const roles: Record<string, unknown> = {};
    for (const name of TOP) {
      const state = this.role(name);
      for (const signer of state.signers) keys[signer.keyid] = signer.key;
      roles[name] = { keyids: state.keyids, threshold: state.threshold };
    }
    return {
      ...this.base('root'),
      ...this.role('root').signed,
      _type: 'root',
      version,
      consistent_snapshot: this.consistentSnapshot,
      keys,
      roles,
    };
  }

  /** `{signed, signatures}` bytes in TUF-on-CI's on-disk format (1-space indent). */
  async sign(signed: Signed, signers: readonly Signer[]): Promise<Buffer> {
    const bytes = canonicalize(signed);
    const signatures = await Promise.all(signers.map((s) => s.sign(bytes)));
    return Buffer.from(JSON.stringify({ signatures, signed }, null, 1));
  }

  /**
   * Publishes everything changed since the last call: a new root (signed by the previous and
   * the new root keys), changed targets roles, then snapshot and timestamp. Returns the bytes.
   */
  async publish(
    options: { extraRootSigners?: Signer[]; expires?: Partial<Record<string, string>> } = {},
  ): Promise<Record<string, Buffer>> {
    const out: Record<string, Buffer> = {};
    const root = this.role('root');
    if (root.dirty) {
      const previousSigners = root.signed.version > 0 ? [...(this.previousRootSigners ?? [])] : [];
      const signed = this.rootSigned(root.signed.version + 1);
      if (options.expires?.root) signed.expires = options.expires.root;
      const signers = [
        ...new Map(
          [...previousSigners, ...root.signers, ...(options.extraRootSigners ?? [])].map((s) => [
            s.keyid,
            s,
          ]),
        ).values(),
      ];
      root.signed = signed;
      out.root = await this.sign(signed, signers);
      this.files.set(`metadata/${signed.version}.root.json`, out.root);
      this.previousRootSigners = root.signers;
      root.dirty = false;
    }
    for (const [name, state] of this.roles) {
      if (TOP.includes(name as (typeof TOP)[number]) && name !== 'targets') continue;
      if (!state.dirty) continue;
      state.signed = { ...state.signed, version: state.signed.version + 1 };
      if (options.expires?.[name]) state.signed.expires = options.expires[name]!;
      out[name] = await this.sign(state.signed, state.signers);
      this.files.set(
        `metadata/${this.consistentSnapshot ? `${state.signed.version}.` : ''}${encodeURIComponent(name)}.json`,
        out[name],
      );
      state.dirty = false;
    }
    for (const [path, { bytes }] of this.artifacts) {
      const slash = path.lastIndexOf('/');
      const name = this.consistentSnapshot
        ? `${path.slice(0, slash + 1)}${sha256(bytes)}.${path.slice(slash + 1)}`
        : path;
      this.files.set(`targets/${name}`, bytes);
    }
    const meta: Record<string, { version: number }> = {};
    for (const [name, state] of this.roles)
      if (!['root', 'timestamp', 'snapshot'].includes(name))
        meta[`${name}.json`] = { version: state.signed.version };
    const snapshot = this.role('snapshot');
    snapshot.signed = {
      ...this.base('snapshot'),
      version: snapshot.signed.version + 1,
      expires: options.expires?.snapshot ?? FAR_FUTURE,
      meta,
    };
    out.snapshot = await this.sign(snapshot.signed, snapshot.signers);
    this.files.set(
      `metadata/${this.consistentSnapshot ? `${snapshot.signed.version}.` : ''}snapshot.json`,
      out.snapshot,
    );
    const timestamp = this.role('timestamp');
    timestamp.signed = {
      ...this.base('timestamp'),
      version: timestamp.signed.version + 1,
      expires: options.expires?.timestamp ?? FAR_FUTURE,
      meta: { 'snapshot.json': { version: snapshot.signed.version } },
    };
    out.timestamp = await this.sign(timestamp.signed, timestamp.signers);
    this.files.set('metadata/timestamp.json', out.timestamp);
    return out;
  }

  private previousRootSigners: Signer[] | undefined;

  /** The first root's bytes: what a client pins as its trusted root. */
  get initialRoot(): Buffer {
    const root = this.files.get('metadata/1.root.json');
    if (!root) throw new Error('publish() first');
    return root;
  }

  /** Writes the repository as a TUF-on-CI git checkout (`metadata/root_history`, unversioned names, `targets/<name>`). */
  writeCheckout(dir: string): void {
    const write = (relative: string, bytes: Buffer) => {
      mkdirSync(dirname(join(dir, relative)), { recursive: true });
      writeFileSync(join(dir, relative), bytes);
    };
    for (const [path, bytes] of this.files) {
      const root = /^metadata\/(\d+)\.root\.json$/.exec(path);
      if (root) write(`metadata/root_history/${root[1]}.root.json`, bytes);
    }
    for (const [name, state] of this.roles) {
      const file =
        name === 'timestamp'
          ? 'metadata/timestamp.json'
          : `metadata/${this.consistentSnapshot ? `${state.signed.version}.` : ''}${encodeURIComponent(name)}.json`;
      const bytes =
        name === 'root'
          ? this.files.get(`metadata/${state.signed.version}.root.json`)
          : this.files.get(file);
      if (bytes) write(`metadata/${encodeURIComponent(name)}.json`, bytes);
    }
    for (const [path, { bytes }] of this.artifacts) write(`targets/${path}`, bytes);
  }
}

export interface RecordedRequest {
  method: string;
  path: string;
}

/** Serves a RepoBuilder's files over real HTTP on loopback; records requests; can inject failures. */
export class RepoServer {
  readonly requests: RecordedRequest[] = [];
  /** Responses to give instead of the file, consumed in order (e.g. [503, 503] then the file). */
  readonly failures = new Map<string, number[]>();
  private server: Server | undefined;
  url = '';
  private readonly repo: RepoBuilder;

  constructor(repo: RepoBuilder) {
    this.repo = repo;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname.slice(1);
      this.requests.push({ method: request.method ?? 'GET', path });
      const failure = this.failures.get(path)?.shift();
      if (failure !== undefined) {
        response.writeHead(failure, failure === 429 ? { 'retry-after': '0' } : {}).end();
        return;
      }
      const bytes = this.repo.files.get(path);
      if (!bytes) {
        response.writeHead(404).end();
        return;
      }
      response
        .writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': bytes.length,
        })
        .end(bytes);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get metadataUrl(): string {
    return `${this.url}/metadata/`;
  }

  get targetsUrl(): string {
    return `${this.url}/targets/`;
  }

  requested(path: string): number {
    return this.requests.filter((request) => request.path === path).length;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
