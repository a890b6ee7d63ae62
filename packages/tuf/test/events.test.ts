import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf, gitSync } from '@oci-sd/test-support';
import {
  Updater,
  addReleaseTarget,
  canonicalize,
  checkTarget,
  expiryEvents,
  formatMetadata,
  formatStatusMarkdown,
  formatStatusText,
  inviteSigner,
  keyIdOf,
  onlineSign,
  releaseManifest,
  signEvent,
  signingEventStatus,
  updateTargets,
  verifyRoleThreshold,
  type SignedMetadata,
  type TufKey,
  type TufSigner,
  TufError,
} from '../src/index';
import { createTufRepo, newSigner, type TestTufRepo } from './support/git-repo';
import { SEED_V150 } from './support/helpers';

const release = SEED_V150;
const BRANCH = 'sign/release-1-5-0-24609867231';
const TARGET = 'oci-prometheus-sd-proxy/releases/v1.5.0.json';

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

function remoteHead(branch: string): string | null {
  try {
    return gitSync(repo.remote, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
  } catch {
    return null;
  }
}

describe('addReleaseTarget', () => {
  it('writes the manifest, lists it in targets.json, commits on the signing branch and pushes', async () => {
    const result = await addReleaseTarget(repo.dir, {
      manifest: release,
      push: { remote: 'origin' },
    });
    const content = releaseManifest(release).content;
    expect(result).toMatchObject({
      branch: BRANCH,
      targetName: TARGET,
      changed: true,
      pushed: true,
      version: 2,
      length: 1569,
    });
    expect(readFileSync(join(repo.dir, 'targets', TARGET), 'utf8')).toBe(content);

    const targetsText = readFileSync(join(repo.dir, 'metadata/targets.json'), 'utf8');
    const targets = JSON.parse(targetsText) as SignedMetadata;
    expect(targetsText).toBe(formatMetadata(targets));
    expect(targetsText.endsWith('}')).toBe(true);
    expect(targetsText.startsWith('{\n "signatures"')).toBe(true);
    expect(targets.signed.targets).toEqual({
      [TARGET]: {
        hashes: { sha256: createHash('sha256').update(content).digest('hex') },
        length: 1569,
      },
    });
    expect(targets.signed.version).toBe(2);
    expect(targets.signatures).toEqual([{ keyid: repo.aliceKeyid, sig: '' }]);

    expect(gitSync(repo.dir, 'branch', '--show-current')).toBe(BRANCH);
    expect(gitSync(repo.dir, 'log', '-1', '--format=%s')).toBe(
      'Add release verification manifest for v1.5.0',
    );
    expect(gitSync(repo.dir, 'status', '--porcelain')).toBe('');
    expect(remoteHead(BRANCH)).toBe(result.commit);
  });

  it('is idempotent: the same manifest again changes, commits and pushes nothing', async () => {
    const first = await addReleaseTarget(repo.dir, {
      manifest: release,
      push: { remote: 'origin' },
    });
    const before = readFileSync(join(repo.dir, 'metadata/targets.json'));
    const again = await addReleaseTarget(repo.dir, {
      manifest: release,
      push: { remote: 'origin' },
    });
    expect(again).toMatchObject({ changed: false, commit: null, pushed: false, version: 2 });
    expect(readFileSync(join(repo.dir, 'metadata/targets.json')).equals(before)).toBe(true);
    expect(gitSync(repo.dir, 'rev-parse', 'HEAD')).toBe(first.commit);
  });

  it('a re-run from a fresh clone continues the pushed branch and changes nothing', async () => {
    const first = await addReleaseTarget(repo.dir, {
      manifest: release,
      push: { remote: 'origin' },
    });
    const clone = join(repo.dir, '..', 'rerun');
    gitSync(join(repo.dir, '..'), 'clone', '--quiet', repo.remote, clone);
    const rerun = await addReleaseTarget(clone, { manifest: release, push: { remote: 'origin' } });
    expect(rerun).toMatchObject({ branch: BRANCH, changed: false, commit: null, pushed: false });
    // Nothing to do leaves the clone as it was: on main, no local event branch.
    expect(gitSync(clone, 'branch', '--show-current')).toBe('main');
    expect(gitSync(clone, 'branch', '--list', BRANCH)).toBe('');
    expect(gitSync(repo.remote, 'rev-parse', BRANCH)).toBe(first.commit);
  });

  it('bumps the version once per event, relative to main', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    const second = await addReleaseTarget(repo.dir, {
      manifest: { ...release, digest: `sha256:${'ab'.repeat(32)}` },
      branch: BRANCH,
      replace: true,
    });
    expect(second).toMatchObject({ changed: true, version: 2 });
    expect(gitSync(repo.dir, 'rev-list', '--count', 'main..HEAD')).toBe('2');
  });

  it("keeps an existing entry's custom field", async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    const targets = readMetadata('targets');
    (targets.signed.targets as Record<string, Record<string, unknown>>)[TARGET]!.custom = {
      note: 'kept',
    };
    (targets.signed.targets as Record<string, Record<string, unknown>>)[TARGET]!.length = 1;
    writeFileSync(join(repo.dir, 'metadata/targets.json'), formatMetadata(targets));
    gitSync(repo.dir, 'commit', '-qam', 'custom');
    await addReleaseTarget(repo.dir, {
      manifest: { ...release, digest: `sha256:${'cd'.repeat(32)}` },
      replace: true,
    });
    expect(
      (readMetadata('targets').signed.targets as Record<string, unknown>)[TARGET],
    ).toMatchObject({ custom: { note: 'kept' }, length: 1569 });
  });

  it('refuses a dirty checkout and a branch outside sign/', async () => {
    writeFileSync(join(repo.dir, 'metadata/targets.json'), '{}');
    expect(
      (await rejectionOf(addReleaseTarget(repo.dir, { manifest: release }), TufError)).code,
    ).toBe('GIT');
    gitSync(repo.dir, 'checkout', '--', '.');
    expect(
      (
        await rejectionOf(
          addReleaseTarget(repo.dir, { manifest: release, branch: 'release-1' }),
          TufError,
        )
      ).code,
    ).toBe('INVALID_INPUT');
  });

  it('never shows credentials embedded in a remote URL', async () => {
    const error = await rejectionOf(
      addReleaseTarget(repo.dir, {
        manifest: release,
        push: { remote: 'http://user:ghp_UrlSecret@127.0.0.1:9/tuf.git' },
      }),
      TufError,
    );
    expect(`${error.message} ${String(error.found)}`).not.toContain('ghp_UrlSecret');
  });

  it('never shows the push token, even when the push fails', async () => {
    const token = 'ghs_SuperSecretToken123';
    const error = await rejectionOf(
      addReleaseTarget(repo.dir, {
        manifest: release,
        push: { remote: 'http://127.0.0.1:9/tuf.git', token },
      }),
      TufError,
    );
    expect(error.code).toBe('GIT');
    expect(`${error.message} ${String(error.found)}`).not.toContain(token);
    expect(`${error.message} ${String(error.found)}`).not.toContain(
      Buffer.from(`x-access-token:${token}`).toString('base64'),
    );
  });
});

describe('signingEventStatus and signEvent', () => {
  it('reports the release event unsigned, then complete after @alice signs', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    const before = await signingEventStatus(repo.dir);
    expect(before.complete).toBe(false);
    expect(before.roles.map((r) => r.role)).toEqual(['targets']);
    const targets = before.roles[0]!;
    expect(targets).toMatchObject({
      version: 2,
      baseVersion: 1,
      threshold: 1,
      signers: ['@alice'],
      signed: [],
      missing: ['@alice'],
      valid: false,
    });
    expect(targets.targetChanges).toEqual([{ path: TARGET, change: 'ADDED' }]);
    expect(targets.errors).toEqual(['0 of 1 required signatures (missing: @alice)']);
    expect(formatStatusText(before)).toContain('Signing event is not complete.');
    expect(formatStatusMarkdown(before)).toContain(`- \`${TARGET}\`: ADDED`);
    expect(JSON.parse(JSON.stringify(before))).toEqual(before);

    const signed = await signEvent(repo.dir, BRANCH, repo.alice, {
      user: '@alice',
      push: { remote: 'origin' },
    });
    expect(signed).toMatchObject({
      user: '@alice',
      accepted: [],
      signed: ['targets'],
      pushed: true,
    });
    expect(gitSync(repo.dir, 'log', '-1', '--format=%s')).toBe('Signature from @alice');
    expect(remoteHead(BRANCH)).toBe(signed.commit);

    const again = await signEvent(repo.dir, BRANCH, repo.alice, {
      user: '@alice',
      push: { remote: 'origin' },
    });
    expect(again).toMatchObject({ signed: [], commit: null, pushed: false });

    const after = await signingEventStatus(repo.dir, { event: BRANCH });
    expect(after.complete).toBe(true);
    expect(after.roles[0]).toMatchObject({
      signed: ['@alice'],
      missing: [],
      valid: true,
      errors: [],
    });
    expect(formatStatusText(after)).toContain('Threshold of signatures has been reached.');
    expect(formatStatusMarkdown(after)).toContain('**Threshold of signatures has been reached.**');
  });

  it('does not count a tampered signature and names it', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    await signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice' });
    const targets = readMetadata('targets');
    const sig = targets.signatures[0]!.sig;
    targets.signatures[0]!.sig = `${sig.slice(0, 10)}${sig[10] === '0' ? '1' : '0'}${sig.slice(11)}`;
    writeFileSync(join(repo.dir, 'metadata/targets.json'), formatMetadata(targets));
    const status = await signingEventStatus(repo.dir);
    expect(status.complete).toBe(false);
    expect(status.roles[0]!.signed).toEqual([]);
    expect(status.roles[0]!.invalid[0]).toMatchObject({ signer: '@alice' });
    expect(status.roles[0]!.errors[0]).toMatch(
      /^signature from @alice does not verify: ed25519 signature does not verify/,
    );
  });

  it('does not count a signature over other content (one changed byte of signed)', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    await signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice' });
    const text = readFileSync(join(repo.dir, 'metadata/targets.json'), 'utf8');
    writeFileSync(
      join(repo.dir, 'metadata/targets.json'),
      text.replace('"length": 1569', '"length": 1568'),
    );
    const status = await signingEventStatus(repo.dir);
    expect(status.roles[0]!.valid).toBe(false);
    expect(status.roles[0]!.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('does not verify'),
        `targets/${TARGET}: length in targets.json is 1568, the file has 1569`,
      ]),
    );
  });

  it('flags an artifact that differs from its listed hash', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    await signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice' });
    const path = join(repo.dir, 'targets', TARGET);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"1.5.0"', '"1.5.1"'));
    const status = await signingEventStatus(repo.dir);
    expect(status.complete).toBe(false);
    expect(status.roles[0]!.errors.join('\n')).toMatch(
      /sha256 in targets\.json is [0-9a-f]{64}, the file has [0-9a-f]{64}/,
    );
  });

  it('flags an artifact added under targets/ without a targets.json entry, and a listed one deleted', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    await signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice' });
    writeFileSync(
      join(repo.dir, 'targets', 'oci-prometheus-sd-proxy', 'releases', 'v9.9.9.json'),
      '{}\n',
    );
    const unlisted = await signingEventStatus(repo.dir);
    expect(unlisted.complete).toBe(false);
    expect(unlisted.roles[0]!.errors).toEqual([
      `targets/oci-prometheus-sd-proxy/releases/v9.9.9.json is in the branch but targets.json does not list it`,
    ]);
    rmSync(join(repo.dir, 'targets', 'oci-prometheus-sd-proxy', 'releases', 'v9.9.9.json'));
    rmSync(join(repo.dir, 'targets', TARGET));
    expect((await signingEventStatus(repo.dir)).roles[0]!.errors).toEqual([
      `targets/${TARGET} is listed in targets.json but missing from the branch`,
    ]);
  });

  it('an event that only changes a nested artifact file lists no role but stays incomplete, naming the file', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    await signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice' });
    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', BRANCH);
    gitSync(repo.dir, 'switch', '-q', '-c', 'sign/tamper');
    writeFileSync(
      join(repo.dir, 'targets', TARGET),
      readFileSync(join(repo.dir, 'targets', TARGET), 'utf8').replace('1.5.0', '1.5.9'),
    );
    gitSync(repo.dir, 'commit', '-qam', 'swap the manifest');
    const status = await signingEventStatus(repo.dir);
    // tuf-on-ci's status: no metadata changed and no artifact pattern matches a nested file, so
    // the event has no roles (tuf-on-ci then reports success). @oci-sd lists the same roles but
    // keeps the event incomplete: the listed hash no longer matches.
    expect(status.roles).toEqual([]);
    expect(status.complete).toBe(false);
    expect(status.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^targets/${TARGET.replaceAll('.', '\\.')} changed in this event but targets\\.json did not`,
        ),
      ),
    ]);
    expect(formatStatusText(status)).toContain(`error: targets/${TARGET} changed`);
  });

  it('rejects a signer whose key is not in the role: nothing signed, nothing committed', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    const head = gitSync(repo.dir, 'rev-parse', 'HEAD');
    const result = await signEvent(repo.dir, BRANCH, newSigner('p256').signer, {
      user: '@mallory',
    });
    expect(result).toMatchObject({ signed: [], accepted: [], commit: null });
    expect(gitSync(repo.dir, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('reports expiry beyond the expiry period and a version that did not grow', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    const targets = readMetadata('targets');
    targets.signed.version = 1;
    targets.signed.expires = '2099-01-01T00:00:00Z';
    writeFileSync(join(repo.dir, 'metadata/targets.json'), formatMetadata(targets));
    const errors = (await signingEventStatus(repo.dir)).roles[0]!.errors;
    expect(errors).toContain('version is 1, expected more than 1 (the version before the event)');
    expect(errors).toContain(
      'expires 2099-01-01T00:00:00Z, later than now + expiry period (365 days)',
    );
    const expired = await signingEventStatus(repo.dir, { now: new Date('2100-01-01T00:00:00Z') });
    expect(expired.roles[0]!.errors).toContain('expired at 2099-01-01T00:00:00Z');
  });

  it('refuses to report on a branch that is not checked out', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    gitSync(repo.dir, 'switch', '-q', 'main');
    expect(
      (await rejectionOf(signingEventStatus(repo.dir, { event: BRANCH }), TufError)).code,
    ).toBe('EVENT');
  });
});

describe('inviteSigner and onboarding', () => {
  it('onboards @bob to targets with threshold 2: invite, accept, sign, co-sign', async () => {
    const bob = newSigner('p256').signer;
    const invite = await inviteSigner(repo.dir, {
      role: 'targets',
      user: '@Bob',
      threshold: 2,
      push: { remote: 'origin' },
    });
    expect(invite).toMatchObject({
      branch: 'sign/add-signer-bob',
      user: '@bob',
      threshold: 2,
      changed: true,
      pushed: true,
    });
    expect(
      JSON.parse(readFileSync(join(repo.dir, 'metadata/.signing-event-state'), 'utf8')),
    ).toEqual({ invites: { '@bob': ['targets'] } });
    const root = readMetadata('root');
    expect(root.signed.version).toBe(2);
    expect((root.signed.roles as Record<string, { threshold: number }>).targets!.threshold).toBe(2);
    expect(root.signatures).toEqual([{ keyid: repo.aliceKeyid, sig: '' }]);
    expect(remoteHead('sign/add-signer-bob')).toBe(invite.commit);

    // tuf-on-ci: an invite belongs to the delegating role (root for targets); targets.json did
    // not change, so targets is not a role of the event yet.
    const invited = await signingEventStatus(repo.dir);
    expect(invited.roles.map((r) => r.role)).toEqual(['root']);
    expect(invited.roles[0]!.invites).toEqual(['@bob']);
    expect(invited.roles[0]!.errors).toContain('invite for @bob is not accepted yet');
    expect(formatStatusMarkdown(invited)).toContain('| Invites | @bob |');

    const targetsBefore = readMetadata('targets');
    const accepted = await signEvent(repo.dir, 'sign/add-signer-bob', bob, { user: '@bob' });
    expect(accepted).toMatchObject({ accepted: ['targets'], signed: ['targets'] });
    expect(existsSync(join(repo.dir, 'metadata/.signing-event-state'))).toBe(false);
    const bobKey: TufKey = { ...(await bob.publicKey()), 'x-tuf-on-ci-keyowner': '@bob' };
    const bobKeyid = createHash('sha256').update(canonicalize(bobKey)).digest('hex');
    const rootAfter = readMetadata('root');
    expect((rootAfter.signed.keys as Record<string, TufKey>)[bobKeyid]).toEqual(bobKey);
    expect(
      (rootAfter.signed.roles as Record<string, { keyids: string[] }>).targets!.keyids,
    ).toEqual([repo.aliceKeyid, bobKeyid]);
    // tuf-on-ci-sign: the key goes into the delegator (root); targets keeps its `signed` and
    // @alice's signature, and gets @bob's appended, so it becomes a changed role.
    const targetsAfter = readMetadata('targets');
    expect(targetsAfter.signed).toEqual(targetsBefore.signed);
    expect(targetsAfter.signatures.map((s) => s.keyid)).toEqual([repo.aliceKeyid, bobKeyid]);
    expect(targetsAfter.signatures[0]).toEqual(targetsBefore.signatures[0]);

    const half = await signingEventStatus(repo.dir);
    expect(half.complete).toBe(false);
    expect(half.roles.map((r) => r.role)).toEqual(['root', 'targets']);
    expect(half.roles[1]).toMatchObject({
      role: 'targets',
      signed: ['@alice', '@bob'],
      missing: [],
      threshold: 2,
      invites: [],
      valid: true,
    });
    expect(half.roles[0]).toMatchObject({ signed: [], missing: ['@alice'], invites: [] });

    const cosign = await signEvent(repo.dir, 'sign/add-signer-bob', repo.alice, {
      user: '@alice',
      push: { remote: 'origin' },
    });
    expect(cosign.signed).toEqual(['root']);
    const done = await signingEventStatus(repo.dir);
    expect(done.complete).toBe(true);
    expect(done.roles[0]!.previous).toMatchObject({ signed: ['@alice'], threshold: 1 });
    expect(remoteHead('sign/add-signer-bob')).toBe(cosign.commit);
  });

  it('rejects a threshold larger than signers plus invitees and online roles', async () => {
    expect(
      (
        await rejectionOf(
          inviteSigner(repo.dir, { role: 'targets', user: 'bob', threshold: 3 }),
          TufError,
        )
      ).code,
    ).toBe('INVALID_INPUT');
    gitSync(repo.dir, 'switch', '-q', 'main');
    expect(
      (await rejectionOf(inviteSigner(repo.dir, { role: 'timestamp', user: 'bob' }), TufError))
        .code,
    ).toBe('INVALID_INPUT');
    expect(
      (await rejectionOf(inviteSigner(repo.dir, { role: 'targets', user: 'bob smith' }), TufError))
        .code,
    ).toBe('INVALID_INPUT');
  });

  it('inviting again is idempotent', async () => {
    await inviteSigner(repo.dir, { role: 'targets', user: 'bob' });
    const again = await inviteSigner(repo.dir, { role: 'targets', user: 'bob' });
    expect(again).toMatchObject({ changed: false, commit: null });
  });
});

describe('round trip with the TUF client', () => {
  async function mergeAndPublish(branch: string): Promise<void> {
    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', branch);
    await onlineSign(repo.dir, repo.online);
  }

  async function clientFromRoot1(): Promise<Updater> {
    const metadataDir = mkdtempSync(join(tmpdir(), 'oci-sd-client-'));
    cleanups.push(() => rmSync(metadataDir, { recursive: true, force: true }));
    copyFileSync(
      join(repo.dir, 'metadata/root_history/1.root.json'),
      join(metadataDir, 'root.json'),
    );
    return new Updater({ metadataDir, repositoryDir: repo.dir });
  }

  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it('a release recorded, signed and online-signed here verifies with the client', async () => {
    const added = await addReleaseTarget(repo.dir, { manifest: release });
    await signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice' });
    await mergeAndPublish(BRANCH);
    const client = await clientFromRoot1();
    await client.refresh();
    expect(await client.getTargetInfo(TARGET)).toMatchObject({
      length: 1569,
      hashes: { sha256: added.sha256 },
    });
  });

  it('a root rotation (new root signer, threshold 2) signed by old and new keys verifies with the client', async () => {
    const bob = newSigner('p384').signer;
    await inviteSigner(repo.dir, { role: 'root', user: 'bob', threshold: 2 });
    await signEvent(repo.dir, 'sign/add-signer-bob', bob, { user: 'bob' });
    const half = await signingEventStatus(repo.dir);
    const root = half.roles.find((r) => r.role === 'root')!;
    expect(root).toMatchObject({
      version: 2,
      threshold: 2,
      signed: ['@bob'],
      missing: ['@alice'],
      previous: { threshold: 1, signed: [], missing: ['@alice'] },
    });
    expect(root.errors).toEqual([
      '1 of 2 required signatures (missing: @alice)',
      'previous root: 0 of 1 required signatures (missing: @alice)',
    ]);
    await signEvent(repo.dir, 'sign/add-signer-bob', repo.alice, { user: 'alice' });
    expect((await signingEventStatus(repo.dir)).complete).toBe(true);
    expect(readFileSync(join(repo.dir, 'metadata/root_history/2.root.json'), 'utf8')).toBe(
      readFileSync(join(repo.dir, 'metadata/root.json'), 'utf8'),
    );

    await mergeAndPublish('sign/add-signer-bob');
    const client = await clientFromRoot1();
    expect((await client.refresh()).root.version).toBe(2);
  });
});

describe('round trip with the TUF client: what status rejects, the client rejects', () => {
  it("a rotated root merged without the previous root's signature fails to verify", async () => {
    const bob = newSigner('ed25519').signer;
    await inviteSigner(repo.dir, { role: 'root', user: 'bob', threshold: 1 });
    await signEvent(repo.dir, 'sign/add-signer-bob', bob, { user: 'bob' });
    expect((await signingEventStatus(repo.dir)).complete).toBe(false);
    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', 'sign/add-signer-bob');
    const metadataDir = mkdtempSync(join(tmpdir(), 'oci-sd-client-'));
    try {
      copyFileSync(
        join(repo.dir, 'metadata/root_history/1.root.json'),
        join(metadataDir, 'root.json'),
      );
      await expect(new Updater({ metadataDir, repositoryDir: repo.dir }).refresh()).rejects.toThrow(
        /root/,
      );
    } finally {
      rmSync(metadataDir, { recursive: true, force: true });
    }
  });
});

describe('signers in separate clones', () => {
  it('a fresh clone signs a branch it only has on the remote, and picks up the other signer first', async () => {
    const bob = newSigner('p256').signer;
    await inviteSigner(repo.dir, {
      role: 'targets',
      user: 'bob',
      threshold: 2,
      push: { remote: 'origin' },
    });
    const bobClone = join(repo.dir, '..', 'bob');
    gitSync(join(repo.dir, '..'), 'clone', '--quiet', repo.remote, bobClone);
    const accepted = await signEvent(bobClone, 'sign/add-signer-bob', bob, {
      user: 'bob',
      push: { remote: 'origin' },
    });
    expect(accepted).toMatchObject({ accepted: ['targets'], pushed: true });

    // Alice's checkout is still at the invite commit: signing fast-forwards it to Bob's signature first.
    const cosigned = await signEvent(repo.dir, 'sign/add-signer-bob', repo.alice, {
      user: 'alice',
      push: { remote: repo.remote },
    });
    expect(cosigned.signed).toEqual(['root']);
    expect(gitSync(repo.dir, 'rev-parse', 'HEAD~1')).toBe(accepted.commit);
    expect((await signingEventStatus(repo.dir)).complete).toBe(true);
    expect(remoteHead('sign/add-signer-bob')).toBe(cosigned.commit);
  });

  it('refuses to sign a branch that diverged from the remote', async () => {
    await addReleaseTarget(repo.dir, { manifest: release, push: { remote: 'origin' } });
    const other = join(repo.dir, '..', 'other');
    gitSync(join(repo.dir, '..'), 'clone', '--quiet', '--branch', BRANCH, repo.remote, other);
    writeFileSync(join(other, 'targets', 'note.txt'), 'other work');
    gitSync(other, 'add', '--all');
    gitSync(other, 'commit', '--quiet', '-m', 'other');
    gitSync(other, 'push', '--quiet', 'origin', BRANCH);
    writeFileSync(join(repo.dir, 'targets', 'mine.txt'), 'mine');
    gitSync(repo.dir, 'add', '--all');
    gitSync(repo.dir, 'commit', '--quiet', '-m', 'mine');
    const error = await rejectionOf(
      signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice', push: { remote: 'origin' } }),
      TufError,
    );
    expect(error.message).toContain(`${BRANCH} has diverged from origin`);
  });
});

describe('delegated roles', () => {
  /** On main: targets delegates `releases/*` to role `releases`, signed by @bob. */
  async function delegateReleases(bob: TufSigner): Promise<string> {
    const bobKey: TufKey = { ...(await bob.publicKey()), 'x-tuf-on-ci-keyowner': '@bob' };
    const bobKeyid = keyIdOf(bobKey);
    const targets = readMetadata('targets');
    targets.signed.delegations = {
      keys: { [bobKeyid]: bobKey },
      roles: [
        {
          name: 'releases',
          keyids: [bobKeyid],
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
    releases.signatures = [{ keyid: bobKeyid, ...(await bob.sign(canonicalize(releases.signed))) }];
    writeFileSync(join(repo.dir, 'metadata/targets.json'), formatMetadata(targets));
    writeFileSync(join(repo.dir, 'metadata/releases.json'), formatMetadata(releases));
    gitSync(repo.dir, 'add', '--all');
    gitSync(repo.dir, 'commit', '-qm', 'delegate releases to @bob');
    return bobKeyid;
  }

  it('artifacts under targets/<role>/ are listed in the delegated role, signed by its signer, and snapshotted', async () => {
    const bob = newSigner('p384').signer;
    await delegateReleases(bob);
    gitSync(repo.dir, 'switch', '-q', '-c', 'sign/new-artifact');
    mkdirSync(join(repo.dir, 'targets', 'releases'), { recursive: true });
    writeFileSync(join(repo.dir, 'targets', 'releases', 'app-2.0.json'), '{"app": "2.0"}\n');

    const updated = await updateTargets(repo.dir);
    expect(updated.roles).toMatchObject([{ role: 'releases', version: 2 }]);
    expect(gitSync(repo.dir, 'log', '-1', '--format=%s')).toBe(
      'Update targets metadata for role releases',
    );
    expect(readMetadata('releases').signed.targets).toEqual({
      'releases/app-2.0.json': {
        hashes: { sha256: createHash('sha256').update('{"app": "2.0"}\n').digest('hex') },
        length: 15,
      },
    });
    expect(await updateTargets(repo.dir)).toEqual({
      roles: [],
      kept: [],
      warnings: [],
      pushed: false,
    });

    const pending = await signingEventStatus(repo.dir);
    expect(pending.roles).toMatchObject([
      {
        role: 'releases',
        signers: ['@bob'],
        missing: ['@bob'],
        targetChanges: [{ path: 'releases/app-2.0.json', change: 'ADDED' }],
      },
    ]);
    expect(
      (await signEvent(repo.dir, 'sign/new-artifact', repo.alice, { user: 'alice' })).signed,
    ).toEqual([]);
    expect((await signEvent(repo.dir, 'sign/new-artifact', bob, { user: 'bob' })).signed).toEqual([
      'releases',
    ]);
    expect((await signingEventStatus(repo.dir)).complete).toBe(true);

    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', 'sign/new-artifact');
    await onlineSign(repo.dir, repo.online);
    expect(readMetadata('snapshot').signed.meta).toEqual({
      'releases.json': { version: 2 },
      'targets.json': { version: 2 },
    });
  });

  it('updateTargets removes deleted artifacts and refuses to run outside a signing event', async () => {
    await expect(updateTargets(repo.dir)).rejects.toThrow(/signing event branch/);
    await addReleaseTarget(repo.dir, { manifest: release });
    await signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice' });
    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', BRANCH);
    gitSync(repo.dir, 'switch', '-q', '-c', 'sign/remove');
    gitSync(repo.dir, 'rm', '-q', join('targets', TARGET));
    const removed = await updateTargets(repo.dir);
    expect(removed.roles).toMatchObject([{ role: 'targets', version: 3 }]);
    expect(readMetadata('targets').signed.targets).toEqual({});
    expect((await signingEventStatus(repo.dir)).roles[0]!.targetChanges).toEqual([
      { path: TARGET, change: 'REMOVED' },
    ]);
  });
});

describe('expiryEvents', () => {
  it('opens sign/<role>-v<N> for offline roles within their signing period, once', async () => {
    expect(await expiryEvents(repo.dir)).toEqual([]);
    const later = new Date(Date.now() + 320 * 24 * 3600 * 1000);
    const events = await expiryEvents(repo.dir, { now: later, push: { remote: 'origin' } });
    expect(events.map((e) => [e.role, e.branch, e.version, e.created])).toEqual([
      ['root', 'sign/root-v2', 2, true],
      ['targets', 'sign/targets-v2', 2, true],
    ]);
    expect(gitSync(repo.dir, 'branch', '--show-current')).toBe('main');
    expect(remoteHead('sign/targets-v2')).not.toBeNull();
    expect(Date.parse(events[1]!.expires)).toBeGreaterThan(
      later.getTime() + 364 * 24 * 3600 * 1000,
    );

    gitSync(repo.dir, 'switch', '-q', 'sign/targets-v2');
    const status = await signingEventStatus(repo.dir, { now: later });
    expect(status.roles).toMatchObject([
      { role: 'targets', version: 2, baseVersion: 1, missing: ['@alice'] },
    ]);
    await signEvent(repo.dir, 'sign/targets-v2', repo.alice, { user: 'alice', now: later });
    expect((await signingEventStatus(repo.dir, { now: later })).complete).toBe(true);

    gitSync(repo.dir, 'switch', '-q', 'main');
    expect((await expiryEvents(repo.dir, { now: later })).map((e) => e.created)).toEqual([
      false,
      false,
    ]);
  });
});

describe('keyIdOf', () => {
  it('computes tuf-on-ci key ids: sha256 of canonical JSON with x- fields', async () => {
    const { signer } = newSigner('ed25519');
    const key: TufKey = { ...(await signer.publicKey()), 'x-tuf-on-ci-keyowner': '@a' };
    expect(keyIdOf(key)).toBe(createHash('sha256').update(canonicalize(key)).digest('hex'));
    expect(keyIdOf(key)).not.toBe(keyIdOf({ ...key, 'x-tuf-on-ci-keyowner': '@b' }));
  });
});

describe('checkTarget', () => {
  it('confirms the listed sha256 and fails naming what differs', async () => {
    const added = await addReleaseTarget(repo.dir, { manifest: release });
    await expect(checkTarget(repo.dir, { name: TARGET })).resolves.toMatchObject({
      sha256: added.sha256,
      length: 1569,
      version: 2,
    });
    await expect(
      checkTarget(repo.dir, { name: TARGET, sha256: `sha256:${added.sha256}` }),
    ).resolves.toMatchObject({ name: TARGET });
    const wrong = await rejectionOf(
      checkTarget(repo.dir, { name: TARGET, sha256: '0'.repeat(64) }),
      TufError,
    );
    expect(wrong.code).toBe('HASH_MISMATCH');
    expect(wrong.message).toContain(
      `targets.json: target ${TARGET} has sha256 ${added.sha256}, expected ${'0'.repeat(64)}`,
    );
    expect(
      (
        await rejectionOf(
          checkTarget(repo.dir, { name: 'p/releases/v9.json', sha256: added.sha256 }),
          TufError,
        )
      ).code,
    ).toBe('NOT_FOUND');
    writeFileSync(join(repo.dir, 'targets', TARGET), 'tampered');
    expect((await rejectionOf(checkTarget(repo.dir, { name: TARGET }), TufError)).code).toBe(
      'LENGTH_MISMATCH',
    );
  });
});

describe('onlineSign', () => {
  it('refreshes snapshot and timestamp after a merged event, and nothing when up to date', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    await signEvent(repo.dir, BRANCH, repo.alice, { user: '@alice' });
    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', BRANCH);
    const result = await onlineSign(repo.dir, repo.online, { push: { remote: 'origin' } });
    expect(result).toMatchObject({ snapshot: 2, timestamp: 2, pushed: true });
    const root = readMetadata('root');
    const snapshot = readMetadata('snapshot');
    const timestamp = readMetadata('timestamp');
    expect(snapshot.signed.meta).toEqual({ 'targets.json': { version: 2 } });
    expect(timestamp.signed.meta).toEqual({ 'snapshot.json': { version: 2 } });
    const keys = root.signed.keys as Record<string, TufKey>;
    expect(
      verifyRoleThreshold(snapshot, keys, {
        name: 'snapshot',
        keyids: [repo.onlineKeyid],
        threshold: 1,
      }).met,
    ).toBe(true);
    expect(
      verifyRoleThreshold(timestamp, keys, {
        name: 'timestamp',
        keyids: [repo.onlineKeyid],
        threshold: 1,
      }).met,
    ).toBe(true);
    expect(Date.parse(timestamp.signed.expires as string) - Date.now()).toBeGreaterThan(
      47 * 3600 * 1000,
    );
    expect(remoteHead('main')).toBe(result.commit);

    expect(await onlineSign(repo.dir, repo.online)).toEqual({ commit: null, pushed: false });
    const renewed = await onlineSign(repo.dir, repo.online, {
      now: new Date(Date.now() + 36 * 3600 * 1000),
    });
    expect(renewed).toMatchObject({ timestamp: 3 });
    expect(renewed.snapshot).toBeUndefined();
  });

  it('refuses to snapshot targets metadata that lacks its signatures, and a key that is not the online key', async () => {
    await addReleaseTarget(repo.dir, { manifest: release });
    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', BRANCH);
    const unsigned = await rejectionOf(onlineSign(repo.dir, repo.online), TufError);
    expect(unsigned.code).toBe('SIGNATURE_THRESHOLD');
    expect(unsigned.message).toContain('metadata/targets.json has 0 of 1 valid signatures');
    gitSync(repo.dir, 'reset', '-q', '--hard', 'origin/main');
    const wrongKey = await rejectionOf(onlineSign(repo.dir, repo.alice, { force: true }), TufError);
    expect(wrongKey.code).toBe('SIGNER');
  });
});
