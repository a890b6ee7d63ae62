import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addReleaseTarget,
  canonicalize,
  expiryEvents,
  formatMetadata,
  inviteSigner,
  keyIdOf,
  signEvent,
  signingEventStatus,
  updateTargets,
  type SignedMetadata,
  type SigningEventStatus,
  type TufKey,
  type TufSigner,
} from '../src/index';
import { gitSync } from '@oci-sd/test-support';
import { createTufRepo, newSigner, type TestTufRepo } from './support/git-repo';
import { SEED_V150 } from './support/helpers';

/**
 * Each event shape step by step, with what tuf-on-ci 0.20's status (repo/tuf_on_ci/status.py and
 * _repository.py) reports at that step: the same roles in the same order, the same signed,
 * missing, threshold, invites and validity. Commits come from @oci-sd, from a stand-in for
 * tuf-on-ci's own tools (same bytes, another author), or from a person.
 */

const RELEASE_BRANCH = 'sign/release-1-5-0-24609867231';
const TARGET = 'oci-prometheus-sd-proxy/releases/v1.5.0.json';
const DAY = 24 * 3600 * 1000;

let repo: TestTufRepo;
beforeEach(async () => {
  repo = await createTufRepo();
});
afterEach(() => repo.cleanup());

function readMetadata(role: string): SignedMetadata {
  return JSON.parse(
    readFileSync(join(repo.dir, 'metadata', `${role}.json`), 'utf8'),
  ) as SignedMetadata;
}

function writeMetadata(role: string, metadata: SignedMetadata): void {
  writeFileSync(join(repo.dir, 'metadata', `${role}.json`), formatMetadata(metadata));
}

/** Commits everything as someone other than the test signer: status must not care who. */
function commitAs(name: string, message: string): void {
  gitSync(repo.dir, 'add', '--all');
  gitSync(
    repo.dir,
    '-c',
    `user.name=${name}`,
    '-c',
    `user.email=${name.toLowerCase().replace(/\W/g, '')}@example.test`,
    'commit',
    '--quiet',
    '--no-verify',
    `--author=${name} <${name.toLowerCase().replace(/\W/g, '')}@example.test>`,
    '-m',
    message,
  );
}

/** What the status comparison with tuf-on-ci reads, per role. */
function shape(status: SigningEventStatus) {
  return status.roles.map(({ role, version, signed, missing, threshold, invites, valid }) => ({
    role,
    version,
    signed: [...signed].sort(),
    missing: [...missing].sort(),
    threshold,
    invites: [...invites].sort(),
    valid,
  }));
}

async function statusNow(now?: Date) {
  return signingEventStatus(repo.dir, now ? { now } : {});
}

/**
 * tuf-on-ci-sign accepting an invite to `targets` (signer/tuf_on_ci_sign/sign.py with
 * _signer_repository.py): the key, with x-tuf-on-ci-keyowner and tuf-on-ci's keyid, goes into
 * root (version = known good + 1, expiry reset, placeholder signatures for root's signers,
 * root_history written), the invite leaves the state file, and the new signer then signs targets
 * by appending a signature without touching targets' `signed`.
 */
async function acceptLikeTufOnCiSign(user: string, signer: TufSigner): Promise<void> {
  const key: TufKey = { ...(await signer.publicKey()), 'x-tuf-on-ci-keyowner': user };
  const keyid = keyIdOf(key);
  const root = readMetadata('root');
  const roles = root.signed.roles as Record<string, { keyids: string[] }>;
  (root.signed.keys as Record<string, TufKey>)[keyid] = key;
  roles.targets!.keyids.push(keyid);
  root.signed.version = 2;
  root.signed.expires = new Date(Date.now() + 365 * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
  root.signatures = roles.root!.keyids.map((id) => ({ keyid: id, sig: '' }));
  writeMetadata('root', root);
  writeFileSync(join(repo.dir, 'metadata/root_history/2.root.json'), formatMetadata(root));
  rmSync(join(repo.dir, 'metadata/.signing-event-state'));
  const targets = readMetadata('targets');
  targets.signatures.push({ keyid, ...(await signer.sign(canonicalize(targets.signed))) });
  writeMetadata('targets', targets);
  commitAs('Bob Example', `Signed by ${user}`);
}

describe('status parity: invite event', () => {
  it('invite to targets: only root is listed, with the invite; accepted by tuf-on-ci-sign: root and targets', async () => {
    const bob = newSigner('p256').signer;
    await inviteSigner(repo.dir, { role: 'targets', user: '@bob' });
    // roles_with_delegation_invites(): an invite to root or targets lists root; targets.json is
    // unchanged, so targets is not a role of the event (tuf-on-ci lists root only).
    const invited = await statusNow();
    expect(shape(invited)).toEqual([
      {
        role: 'root',
        version: 1,
        signed: ['@alice'],
        missing: [],
        threshold: 1,
        invites: ['@bob'],
        valid: false,
      },
    ]);
    expect(invited.complete).toBe(false);

    await acceptLikeTufOnCiSign('@bob', bob);
    // _find_changed_roles(): targets.json's bytes changed (a signature appended), so targets is
    // a role of the event although its `signed` did not change.
    const accepted = await statusNow();
    expect(shape(accepted)).toEqual([
      {
        role: 'root',
        version: 2,
        signed: [],
        missing: ['@alice'],
        threshold: 1,
        invites: [],
        valid: false,
      },
      {
        role: 'targets',
        version: 1,
        signed: ['@alice', '@bob'],
        missing: [],
        threshold: 1,
        invites: [],
        valid: true,
      },
    ]);

    await signEvent(repo.dir, 'sign/add-signer-bob', repo.alice, { user: '@alice' });
    const done = await statusNow();
    expect(shape(done).map((r) => [r.role, r.signed, r.missing, r.valid])).toEqual([
      ['root', ['@alice'], [], true],
      ['targets', ['@alice', '@bob'], [], true],
    ]);
    expect(done.complete).toBe(true);
  });

  it('the status is the same whoever accepted the invite: @oci-sd or tuf-on-ci-sign', async () => {
    const bob = newSigner('ed25519').signer;
    await inviteSigner(repo.dir, { role: 'targets', user: '@bob', threshold: 2 });
    gitSync(repo.dir, 'branch', 'sign/add-signer-bob-tuf-on-ci');
    await signEvent(repo.dir, 'sign/add-signer-bob', bob, { user: '@bob' });
    const ours = shape(await statusNow());

    gitSync(repo.dir, 'switch', '--quiet', 'sign/add-signer-bob-tuf-on-ci');
    const root = readMetadata('root');
    await acceptLikeTufOnCiSign('@bob', bob);
    expect((readMetadata('root').signed.roles as Record<string, unknown>).targets).toMatchObject({
      threshold: (root.signed.roles as Record<string, { threshold: number }>).targets!.threshold,
    });
    expect(shape(await statusNow())).toEqual(ours);
    expect(ours.map((r) => [r.role, r.signed, r.missing, r.threshold, r.valid])).toEqual([
      ['root', [], ['@alice'], 1, false],
      ['targets', ['@alice', '@bob'], [], 2, true],
    ]);
  });

  it('invite to a delegated role: targets is listed with the invite, the delegated role only once its file changes', async () => {
    const carol = newSigner('p256').signer;
    const carolKey: TufKey = { ...(await carol.publicKey()), 'x-tuf-on-ci-keyowner': '@carol' };
    const targets = readMetadata('targets');
    targets.signed.delegations = {
      keys: { [keyIdOf(carolKey)]: carolKey },
      roles: [
        {
          name: 'releases',
          keyids: [keyIdOf(carolKey)],
          paths: ['releases/*'],
          terminating: true,
          threshold: 1,
        },
      ],
    };
    targets.signed.version = 2;
    targets.signatures = [
      { keyid: repo.aliceKeyid, ...(await repo.alice.sign(canonicalize(targets.signed))) },
    ];
    writeMetadata('targets', targets);
    const releases: SignedMetadata = {
      signed: {
        _type: 'targets',
        expires: targets.signed.expires as string,
        spec_version: '1.0.31',
        targets: {},
        version: 1,
        'x-tuf-on-ci-expiry-period': 365,
        'x-tuf-on-ci-signing-period': 60,
      },
      signatures: [],
    };
    releases.signatures = [
      { keyid: keyIdOf(carolKey), ...(await carol.sign(canonicalize(releases.signed))) },
    ];
    writeMetadata('releases', releases);
    commitAs('Alice Example', 'delegate releases/* to @carol');

    await inviteSigner(repo.dir, { role: 'releases', user: '@dave' });
    // _get_signing_status(): targets collects the invites to its delegations; an invite for a
    // delegated role puts targets among the event's roles.
    expect(shape(await statusNow())).toEqual([
      {
        role: 'targets',
        version: 2,
        signed: ['@alice'],
        missing: [],
        threshold: 1,
        invites: ['@dave'],
        valid: false,
      },
    ]);
  });
});

describe('status parity: add-release event', () => {
  it('unsigned, signed, then emptied by tuf-on-ci update-targets: stays incomplete, naming the manifest', async () => {
    await addReleaseTarget(repo.dir, { manifest: SEED_V150 });
    const added = await statusNow();
    expect(shape(added)).toEqual([
      {
        role: 'targets',
        version: 2,
        signed: [],
        missing: ['@alice'],
        threshold: 1,
        invites: [],
        valid: false,
      },
    ]);
    expect(added.roles[0]!.targetChanges).toEqual([{ path: TARGET, change: 'ADDED' }]);
    expect(added.warnings).toHaveLength(1);
    expect(added.warnings[0]).toContain('delegated role');

    await signEvent(repo.dir, RELEASE_BRANCH, repo.alice, { user: '@alice' });
    const signed = await statusNow();
    expect(shape(signed)[0]).toMatchObject({ signed: ['@alice'], missing: [], valid: true });
    expect(signed.complete).toBe(true);

    // tuf-on-ci's status workflow then runs update_targets("targets"): _build_targets globs "*"
    // (top-level files only), so the nested manifest is dropped, the version stays known good + 1,
    // signatures become placeholders, committed as "Update targets metadata for role targets".
    const targets = readMetadata('targets');
    targets.signed.targets = {};
    targets.signatures = [{ keyid: repo.aliceKeyid, sig: '' }];
    writeMetadata('targets', targets);
    commitAs('TUF-on-CI', 'Update targets metadata for role targets');
    // The stricter rule @oci-sd keeps: tuf-on-ci would call the event complete once @alice
    // signs again; here it stays incomplete, and the status names the manifest and why.
    await signEvent(repo.dir, RELEASE_BRANCH, repo.alice, { user: '@alice' });
    const dropped = await statusNow();
    expect(dropped.roles.map((r) => [r.role, r.signed])).toEqual([['targets', ['@alice']]]);
    expect(dropped.complete).toBe(false);
    expect(dropped.roles[0]!.targetChanges).toEqual([]);
    expect(dropped.roles[0]!.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^release manifest ${TARGET.replaceAll('.', '\\.')} is in the branch .* but targets\\.json does not list it; tuf-on-ci's update-targets keeps only top-level files`,
        ),
      ),
    ]);
  });

  it('a manifest listed on main and dropped in a later event: incomplete, REMOVED, the manifest named', async () => {
    await addReleaseTarget(repo.dir, { manifest: SEED_V150 });
    await signEvent(repo.dir, RELEASE_BRANCH, repo.alice, { user: '@alice' });
    gitSync(repo.dir, 'switch', '--quiet', 'main');
    gitSync(repo.dir, 'merge', '--quiet', '--ff-only', RELEASE_BRANCH);
    gitSync(repo.dir, 'switch', '--quiet', '--create', 'sign/notes');
    writeFileSync(join(repo.dir, 'targets/notes.txt'), 'top-level artifact\n');
    // tuf-on-ci's update-targets for role targets: every top-level file, nothing nested.
    const targets = readMetadata('targets');
    const notes = Buffer.from('top-level artifact\n');
    targets.signed.targets = {
      'notes.txt': {
        hashes: { sha256: createHash('sha256').update(notes).digest('hex') },
        length: notes.length,
      },
    };
    targets.signed.version = 3;
    targets.signatures = [{ keyid: repo.aliceKeyid, sig: '' }];
    writeMetadata('targets', targets);
    commitAs('TUF-on-CI', 'Update targets metadata for role targets');
    await signEvent(repo.dir, 'sign/notes', repo.alice, { user: '@alice' });
    const status = await statusNow();
    expect(status.roles[0]!.targetChanges).toEqual([
      { path: 'notes.txt', change: 'ADDED' },
      { path: TARGET, change: 'REMOVED' },
    ]);
    expect(status.roles[0]!.signed).toEqual(['@alice']);
    expect(status.complete).toBe(false);
    expect(status.roles[0]!.errors.join('\n')).toContain(`release manifest ${TARGET}`);
  });
});

describe('status parity: artifact change event', () => {
  it('a pushed top-level file: targets listed with the change before and after update-targets', async () => {
    gitSync(repo.dir, 'switch', '--quiet', '--create', 'sign/new-artifact');
    mkdirSync(join(repo.dir, 'targets/docs'), { recursive: true });
    writeFileSync(join(repo.dir, 'targets/tool.txt'), 'tool v1\n');
    writeFileSync(join(repo.dir, 'targets/docs/readme.txt'), 'nested, no role matches it\n');
    commitAs('Carol Example', 'add tool.txt');
    // _find_changed_target_roles(): a changed top-level file maps to role targets (pattern "*");
    // the status then shows the change as update_targets() lists it, unsigned.
    const pushed = await statusNow();
    expect(shape(pushed)).toEqual([
      {
        role: 'targets',
        version: 1,
        signed: ['@alice'],
        missing: [],
        threshold: 1,
        invites: [],
        valid: false,
      },
    ]);
    expect(pushed.roles[0]!.targetChanges).toEqual([{ path: 'tool.txt', change: 'ADDED' }]);

    const updated = await updateTargets(repo.dir);
    expect(updated.roles.map((r) => [r.role, r.version])).toEqual([['targets', 2]]);
    const listed = await statusNow();
    expect(shape(listed)[0]).toMatchObject({ version: 2, signed: [], missing: ['@alice'] });
    // @oci-sd's update-targets also lists the nested file no role's patterns match (the seed's
    // layout), which tuf-on-ci would not: the layout warning says so.
    expect(listed.roles[0]!.targetChanges).toEqual([
      { path: 'docs/readme.txt', change: 'ADDED' },
      { path: 'tool.txt', change: 'ADDED' },
    ]);
    expect(listed.warnings).toEqual([expect.stringContaining('docs/readme.txt')]);

    await signEvent(repo.dir, 'sign/new-artifact', repo.alice, { user: '@alice' });
    expect((await statusNow()).complete).toBe(true);
  });

  it('a deleted listed file shows REMOVED before update-targets runs', async () => {
    gitSync(repo.dir, 'switch', '--quiet', '--create', 'sign/tool');
    writeFileSync(join(repo.dir, 'targets/tool.txt'), 'tool v1\n');
    commitAs('Carol Example', 'add tool.txt');
    await updateTargets(repo.dir);
    await signEvent(repo.dir, 'sign/tool', repo.alice, { user: '@alice' });
    gitSync(repo.dir, 'switch', '--quiet', 'main');
    gitSync(repo.dir, 'merge', '--quiet', '--ff-only', 'sign/tool');
    gitSync(repo.dir, 'switch', '--quiet', '--create', 'sign/drop-tool');
    rmSync(join(repo.dir, 'targets/tool.txt'));
    commitAs('Carol Example', 'remove tool.txt');
    const status = await statusNow();
    expect(status.roles.map((r) => r.role)).toEqual(['targets']);
    expect(status.roles[0]!.targetChanges).toEqual([{ path: 'tool.txt', change: 'REMOVED' }]);
    expect(status.complete).toBe(false);
  });
});

describe('status parity: expiry event', () => {
  it('sign/<role>-v<N> as create-signing-events makes it, at the same clock; unsigned, then signed', async () => {
    const clock = new Date(Date.now() + 310 * DAY);
    const events = await expiryEvents(repo.dir, { now: clock, push: { remote: 'origin' } });
    expect(events.map((e) => [e.branch, e.version, e.created])).toEqual([
      ['sign/root-v2', 2, true],
      ['sign/targets-v2', 2, true],
    ]);
    // CIRepository.close(): version + 1, expires = now + expiry period (to the second).
    const expected = new Date(clock.getTime() + 365 * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
    expect(events.map((e) => e.expires)).toEqual([expected, expected]);
    expect(gitSync(repo.dir, 'log', '-1', '--format=%s', 'sign/targets-v2')).toBe(
      'Periodic version bump: targets v2',
    );

    gitSync(repo.dir, 'switch', '--quiet', 'sign/root-v2');
    const root = await statusNow(clock);
    expect(shape(root)).toEqual([
      {
        role: 'root',
        version: 2,
        signed: [],
        missing: ['@alice'],
        threshold: 1,
        invites: [],
        valid: false,
      },
    ]);
    await signEvent(repo.dir, 'sign/root-v2', repo.alice, { user: '@alice', now: clock });
    expect(shape(await statusNow(clock))[0]).toMatchObject({ signed: ['@alice'], valid: true });

    // Existing on origin (the scheduled job runs in a fresh checkout): nothing new is made.
    gitSync(repo.dir, 'switch', '--quiet', 'main');
    gitSync(repo.dir, 'branch', '--quiet', '-D', 'sign/targets-v2');
    const again = await expiryEvents(repo.dir, { now: clock, push: { remote: 'origin' } });
    expect(again.map((e) => [e.branch, e.created])).toEqual([
      ['sign/root-v2', false],
      ['sign/targets-v2', false],
    ]);
    expect(gitSync(repo.dir, 'branch', '--list', 'sign/targets-v2')).toBe('');
  });

  it('the clock decides: one second before the signing period nothing is due', async () => {
    const expires = Date.parse(readMetadata('targets').signed.expires as string);
    expect(await expiryEvents(repo.dir, { now: new Date(expires - 60 * DAY - 1000) })).toEqual([]);
    const due = await expiryEvents(repo.dir, { now: new Date(expires - 60 * DAY) });
    expect(due.map((e) => e.branch)).toEqual(['sign/root-v2', 'sign/targets-v2']);
  });

  it('without x-tuf-on-ci-signing-period a role is due at half its expiry period, as tuf-on-ci', async () => {
    const targets = readMetadata('targets');
    delete targets.signed['x-tuf-on-ci-signing-period'];
    targets.signed.expires = new Date(Date.now() + 300 * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
    writeMetadata('targets', targets);
    commitAs('Alice Example', 'targets without a signing period');
    const expires = Date.parse(targets.signed.expires as string);
    expect(await expiryEvents(repo.dir, { now: new Date(expires - 183 * DAY) })).toEqual([]);
    expect(
      (await expiryEvents(repo.dir, { now: new Date(expires - 182 * DAY) })).map((e) => e.branch),
    ).toEqual(['sign/targets-v2']);
  });
});

describe('status in a CI checkout of the event branch only', () => {
  it('compares with origin/main, as tuf-on-ci does, when there is no local main', async () => {
    await addReleaseTarget(repo.dir, { manifest: SEED_V150, push: { remote: 'origin' } });
    const clone = join(repo.dir, '..', 'ci-clone');
    gitSync(
      join(repo.dir, '..'),
      'clone',
      '--quiet',
      '--branch',
      RELEASE_BRANCH,
      repo.remote,
      clone,
    );
    expect(gitSync(clone, 'branch', '--list', 'main')).toBe('');
    const status = await signingEventStatus(clone);
    expect(status.roles.map((r) => [r.role, r.version, r.missing])).toEqual([
      ['targets', 2, ['@alice']],
    ]);
  });
});
