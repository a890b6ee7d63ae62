import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  canonicalize,
  formatMetadata,
  initCheckout,
  initRepository,
  keyIdOf,
  verifyRoleThreshold,
  type SignedMetadata,
  type TufKey,
  TufError,
} from '../src/index';
import { gitSync, rejectionOf } from '@oci-sd/test-support';
import { newSigner } from './support/git-repo';

/** The TufError a promise rejects with (anything else fails the test). */
const refusal = (promise: Promise<unknown>) => rejectionOf(promise, TufError);

const NOW = new Date('2026-06-01T12:00:00Z');
let top: string;
beforeEach(() => {
  top = mkdtempSync(join(tmpdir(), 'oci-sd-tuf-init-'));
});
afterEach(() => rmSync(top, { recursive: true, force: true }));

const alice = newSigner('ed25519').signer;
const bob = newSigner('p256').signer;
const carol = newSigner('p384').signer;
const online = newSigner('p384').signer;
const ONLINE = { signer: online, uri: 'gcpkms:projects/p/keys/online' };

function role(dir: string, name: string): SignedMetadata {
  return JSON.parse(readFileSync(join(dir, 'metadata', `${name}.json`), 'utf8')) as SignedMetadata;
}

describe('initRepository: version 1 as tuf-on-ci writes it', () => {
  it('signers per role, thresholds and periods; every role meets its threshold; bytes in tuf-on-ci form', async () => {
    const dir = join(top, 'repo');
    mkdirSync(dir);
    const result = await initRepository(dir, {
      maintainer: { signer: alice, user: '@Alice' },
      signers: [
        { signer: bob, user: 'bob' },
        { signer: carol, user: '@carol', roles: ['targets'] },
      ],
      thresholds: { root: 2, targets: 2 },
      online: ONLINE,
      periods: { targets: { expiry: 90, signing: 10 }, timestamp: { expiry: 3, signing: 1 } },
      now: NOW,
    });
    const root = role(dir, 'root');
    const keys = root.signed.keys as Record<string, TufKey>;
    for (const [keyid, key] of Object.entries(keys)) expect(keyIdOf(key)).toBe(keyid);
    expect(result.keyids).toEqual({
      '@alice': keyIdOf({ ...(await alice.publicKey()), 'x-tuf-on-ci-keyowner': '@alice' }),
      '@bob': keyIdOf({ ...(await bob.publicKey()), 'x-tuf-on-ci-keyowner': '@bob' }),
      '@carol': keyIdOf({ ...(await carol.publicKey()), 'x-tuf-on-ci-keyowner': '@carol' }),
    });
    const roles = root.signed.roles as Record<string, Record<string, unknown>>;
    expect(roles.root).toEqual({
      keyids: [result.keyids['@alice'], result.keyids['@bob']],
      threshold: 2,
    });
    expect(roles.targets).toEqual({
      keyids: [result.keyids['@alice'], result.keyids['@bob'], result.keyids['@carol']],
      threshold: 2,
    });
    expect(roles.timestamp).toMatchObject({
      'x-tuf-on-ci-expiry-period': 3,
      'x-tuf-on-ci-signing-period': 1,
    });
    expect(role(dir, 'targets').signed).toMatchObject({
      expires: '2026-08-30T12:00:00Z',
      'x-tuf-on-ci-expiry-period': 90,
      'x-tuf-on-ci-signing-period': 10,
    });
    expect(role(dir, 'timestamp').signed.expires).toBe('2026-06-04T12:00:00Z');
    for (const name of ['root', 'targets', 'snapshot', 'timestamp']) {
      const text = readFileSync(join(dir, 'metadata', `${name}.json`), 'utf8');
      expect(text).toBe(formatMetadata(JSON.parse(text)));
      expect(text.startsWith('{\n "signatures": [\n  {\n')).toBe(true);
      expect(text.endsWith('\n}')).toBe(true);
      const metadata = role(dir, name);
      const definition = roles[name] as { keyids: string[]; threshold: number };
      // Signatures in the role's keyid order, as tuf-on-ci fills its placeholders.
      expect(metadata.signatures.map((s) => s.keyid)).toEqual(definition.keyids);
      const verdict = verifyRoleThreshold(metadata, keys, { name, ...definition });
      expect(verdict.verified).toHaveLength(definition.keyids.length);
    }
    expect(canonicalize(role(dir, 'root').signed)).toEqual(canonicalize(root.signed));
  });

  it('refuses bad options before writing anything', async () => {
    const dir = join(top, 'repo');
    mkdirSync(dir);
    const base = { maintainer: { signer: alice, user: '@alice' }, online: ONLINE, now: NOW };
    for (const options of [
      { ...base, thresholds: { root: 2 } },
      { ...base, thresholds: { targets: 0 } },
      { ...base, periods: { root: { expiry: 30, signing: 30 } } },
      { ...base, periods: { snapshot: { expiry: 30, signing: 0 } } },
      { ...base, periods: { targets: { expiry: 30.5, signing: 3 } } },
      { ...base, signers: [{ signer: bob, user: '@Alice' }] },
      { ...base, signers: [{ signer: alice, user: '@bob' }] },
      { ...base, signers: [{ signer: bob, user: 'bob smith' }] },
      { ...base, online: { signer: alice, uri: 'gcpkms:x' } },
    ]) {
      expect((await refusal(initRepository(dir, options))).code).toBe('INVALID_INPUT');
      expect(existsSync(join(dir, 'metadata'))).toBe(false);
    }
  });
});

describe('initCheckout', () => {
  const options = { maintainer: { signer: alice, user: '@alice' }, online: ONLINE, now: NOW };

  it('creates the directory, commits on main; a second run is refused and changes nothing', async () => {
    const dir = join(top, 'new', 'repo');
    const result = await initCheckout(dir, options);
    expect(result.created).toBe(true);
    expect(gitSync(dir, 'rev-parse', 'HEAD')).toBe(result.commit);
    expect(gitSync(dir, 'branch', '--show-current')).toBe('main');
    expect(gitSync(dir, 'ls-files').split('\n')).toEqual([
      'metadata/root.json',
      'metadata/root_history/1.root.json',
      'metadata/snapshot.json',
      'metadata/targets.json',
      'metadata/timestamp.json',
      'targets/.gitkeep',
    ]);
    const error = await refusal(initCheckout(dir, options));
    expect(error.code).toBe('INVALID_INPUT');
    expect(gitSync(dir, 'rev-parse', 'HEAD')).toBe(result.commit);
  });

  it('an empty clone on another default branch is committed on main', async () => {
    const bare = join(top, 'empty.git');
    gitSync(top, 'init', '--quiet', '--bare', '--initial-branch=trunk', bare);
    const clone = join(top, 'clone');
    gitSync(top, 'clone', '--quiet', bare, clone);
    const result = await initCheckout(clone, options);
    expect(result.created).toBe(false);
    expect(gitSync(clone, 'branch', '--show-current')).toBe('main');
  });

  it('a failure removes what it wrote: the empty checkout, its HEAD and a new directory stay as they were', async () => {
    const clone = join(top, 'clone');
    gitSync(top, 'init', '--quiet', '--initial-branch=trunk', clone);
    const bad = { ...options, thresholds: { root: 3 } };
    expect((await refusal(initCheckout(clone, bad))).code).toBe('INVALID_INPUT');
    expect(gitSync(clone, 'symbolic-ref', 'HEAD')).toBe('refs/heads/trunk');
    expect(gitSync(clone, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    const fresh = join(top, 'fresh');
    expect((await refusal(initCheckout(fresh, bad))).code).toBe('INVALID_INPUT');
    expect(existsSync(fresh)).toBe(false);

    const file = join(top, 'file');
    writeFileSync(file, 'x');
    expect((await refusal(initCheckout(file, options))).code).toBe('INVALID_INPUT');
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});
