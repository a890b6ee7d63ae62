import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  formatMetadata,
  initRepository,
  keyIdOf,
  keySigner,
  type SignedMetadata,
  type TufKey,
  type TufSigner,
} from '@oci-sd/tuf';
import { createTufCheckout, gitSync, newSigner, type TestTufRepo } from '@oci-sd/test-support';
import { runMain } from './support/run-cli';

const run = (...args: string[]) => runMain('tuf', ...args);

const BRANCH = 'sign/release-1-5-0-24609867231';
const TARGET = 'oci-prometheus-sd-proxy/releases/v1.5.0.json';
const DIGEST = 'sha256:011bd900864e62770c54e56248b2af853482e9ae9f5c572f84c20c8771f5c291';

let repo: TestTufRepo<TufSigner>;
let aliceKey: string;
beforeEach(async () => {
  repo = await createTufCheckout({ initRepository, keySigner });
  aliceKey = join(repo.dir, '..', 'alice.pem');
  writeFileSync(aliceKey, repo.alicePem);
});
afterEach(() => repo.cleanup());

const addRelease = (...extra: string[]) =>
  run(
    'add-release',
    '--repo',
    repo.dir,
    '--project',
    'oci-prometheus-sd-proxy',
    '--repository',
    'amaanx86/oci-prometheus-sd-proxy',
    '--tag',
    'v1.5.0',
    '--image',
    'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
    '--digest',
    DIGEST,
    '--run-id',
    '24609867231',
    '--created-at',
    '2026-04-18T17:26:44Z',
    ...extra,
  );

describe('oci-sd tuf', () => {
  it('lists every tuf subcommand, verify included', async () => {
    const help = await run('--help');
    for (const name of [
      'status',
      'add-release',
      'update-targets',
      'expiry-events',
      'invite-signer',
      'sign',
      'online-sign',
      'check-target',
      'branch-name',
      'init',
      'verify',
    ])
      expect(help.out).toContain(`  ${name}`);
  });

  it('branch-name prints the seed workflow branch names', async () => {
    expect(await run('branch-name', '1.5.0', '24609867231')).toMatchObject({
      code: 0,
      out: `${BRANCH}\n`,
    });
    expect(await run('branch-name', '--add-signer', '@Bob')).toMatchObject({
      code: 0,
      out: 'sign/add-signer-bob\n',
    });
    expect((await run('branch-name', '1.5.0')).code).toBe(2);
  });

  it('add-release, status (exit 1 until signed), sign with a key file, status (exit 0), check-target', async () => {
    const added = await addRelease('--push', 'origin');
    expect(added.code).toBe(0);
    expect(added.out).toContain(`${TARGET} listed in metadata/targets.json v2`);
    expect(added.out).toContain(', pushed');
    expect(gitSync(repo.remote, 'rev-parse', BRANCH)).toBe(gitSync(repo.dir, 'rev-parse', 'HEAD'));

    const again = await addRelease('--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ changed: false, commit: null });

    const pending = await run('status', '--repo', repo.dir, '--format', 'json');
    expect(pending.code).toBe(1);
    expect(JSON.parse(pending.out)).toMatchObject({
      event: BRANCH,
      complete: false,
      roles: [{ role: 'targets', missing: ['@alice'] }],
    });
    expect(pending.err).toContain('is not complete');

    const signed = await run(
      'sign',
      BRANCH,
      '--repo',
      repo.dir,
      '--user',
      '@alice',
      '--key',
      aliceKey,
      '--push',
      'origin',
    );
    expect(signed).toMatchObject({ code: 0 });
    expect(signed.out).toContain('signed targets as @alice');

    const done = await run('status', '--repo', repo.dir, '--format', 'markdown', '--event', BRANCH);
    expect(done.code).toBe(0);
    expect(done.out).toContain('**Threshold of signatures has been reached.**');
    expect(done.out).toContain(`\`${TARGET}\`: ADDED`);

    const text = await run('status', '--repo', repo.dir);
    expect(text.out).toContain('targets v2 (was v1)');

    const sha256 = JSON.parse(readFileSync(join(repo.dir, 'metadata/targets.json'), 'utf8')).signed
      .targets[TARGET].hashes.sha256 as string;
    expect(await run('check-target', '--repo', repo.dir, '--name', TARGET)).toMatchObject({
      code: 0,
    });
    expect(
      (await run('check-target', '--repo', repo.dir, '--name', TARGET, '--sha256', sha256)).out,
    ).toContain(`with sha256 ${sha256}`);
    const mismatch = await run(
      'check-target',
      '--repo',
      repo.dir,
      '--name',
      TARGET,
      '--sha256',
      '0'.repeat(64),
    );
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toContain('[HASH_MISMATCH]');
  });

  it('update-targets lists a new artifact on a signing branch', async () => {
    gitSync(repo.dir, 'switch', '-q', '-c', 'sign/docs');
    writeFileSync(join(repo.dir, 'targets', 'notes.txt'), 'release notes\n');
    const result = await run('update-targets', '--repo', repo.dir);
    expect(result).toMatchObject({ code: 0, out: 'updated targets v2\n' });
    expect((await run('update-targets', '--repo', repo.dir)).out).toBe(
      'targets metadata already lists every artifact\n',
    );
  });

  it('expiry-events opens resign events near expiry', async () => {
    expect((await run('expiry-events', '--repo', repo.dir)).out).toBe(
      'no role is within its signing period of expiry\n',
    );
    const at = new Date(Date.now() + 320 * 24 * 3600 * 1000).toISOString();
    const opened = await run('expiry-events', '--repo', repo.dir, '--at', at, '--json');
    expect(opened.code).toBe(0);
    expect(JSON.parse(opened.out)).toMatchObject([
      { branch: 'sign/root-v2', created: true },
      { branch: 'sign/targets-v2', created: true },
    ]);
    expect((await run('expiry-events', '--repo', repo.dir, '--at', 'soon')).code).toBe(2);
  });

  it('add-release takes its fields from release-metadata.json', async () => {
    const metadataFile = join(repo.dir, '..', 'release-metadata.json');
    writeFileSync(
      metadataFile,
      JSON.stringify({
        version: '1.5.0',
        tag: 'v1.5.0',
        image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
        digest: DIGEST,
        run_id: '24609867231',
      }),
    );
    const result = await run(
      'add-release',
      '--repo',
      repo.dir,
      '--project',
      'oci-prometheus-sd-proxy',
      '--repository',
      'amaanx86/oci-prometheus-sd-proxy',
      '--release-metadata',
      metadataFile,
      '--created-at',
      '2026-04-18T17:26:44Z',
      '--json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({
      branch: BRANCH,
      targetName: TARGET,
      length: 1569,
    });
  });

  it('invite-signer makes the onboarding branch; bad input exits 2', async () => {
    const invited = await run(
      'invite-signer',
      '--repo',
      repo.dir,
      '--role',
      'targets',
      '--user',
      '@bob',
      '--push',
      'origin',
    );
    expect(invited.code).toBe(0);
    expect(invited.out).toContain(
      '@bob invited to targets (threshold 1) on sign/add-signer-bob, pushed',
    );
    const status = await run('status', '--repo', repo.dir);
    expect(status.code).toBe(1);
    expect(status.out).toContain('invites: @bob');
    gitSync(repo.dir, 'switch', '-q', 'main');
    const bad = await run(
      'invite-signer',
      '--repo',
      repo.dir,
      '--role',
      'targets',
      '--user',
      'bob',
      '--threshold',
      '5',
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('threshold of targets must be between 1 and');
  });

  it('sign needs exactly one signer and a readable key; Sigstore without a token source says how to get one', async () => {
    await addRelease();
    expect((await run('sign', BRANCH, '--repo', repo.dir, '--user', 'alice')).code).toBe(2);
    const missing = await run(
      'sign',
      BRANCH,
      '--repo',
      repo.dir,
      '--user',
      'alice',
      '--key',
      join(repo.dir, 'nope.pem'),
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot read key file');
    const env = { ...process.env };
    delete process.env.SIGSTORE_ID_TOKEN;
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    try {
      const keyless = await run(
        'sign',
        BRANCH,
        '--repo',
        repo.dir,
        '--user',
        'alice',
        '--sigstore',
      );
      expect(keyless.code).toBe(2);
      expect(keyless.err).toContain('no Sigstore identity token: pass --identity-token-file');
    } finally {
      process.env = env;
    }
  });

  it('online-sign refreshes snapshot and timestamp on main', async () => {
    await addRelease();
    await run('sign', BRANCH, '--repo', repo.dir, '--user', '@alice', '--key', aliceKey);
    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', BRANCH);
    const onlineKey = join(repo.dir, '..', 'online.pem');
    writeFileSync(onlineKey, repo.onlinePem);
    const result = await run('online-sign', '--repo', repo.dir, '--key', onlineKey, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ snapshot: 2, timestamp: 2 });
  });
});

describe('oci-sd tuf add-release: a listed tag is never re-pointed silently', () => {
  const OTHER = `sha256:${'ab'.repeat(32)}`;
  /** Branch, HEAD, local branches and tips, index and work tree. */
  const checkoutState = () => ({
    branch: gitSync(repo.dir, 'branch', '--show-current'),
    head: gitSync(repo.dir, 'rev-parse', 'HEAD'),
    branches: gitSync(repo.dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'),
    status: gitSync(repo.dir, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
  });

  async function releasedOnMain(): Promise<void> {
    expect((await addRelease()).code).toBe(0);
    expect(
      (await run('sign', BRANCH, '--repo', repo.dir, '--user', '@alice', '--key', aliceKey)).code,
    ).toBe(0);
    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', BRANCH);
    gitSync(repo.dir, 'branch', '-q', '-D', BRANCH);
  }

  it('exit 2 naming the tag, the listed digest and the new one; no trace; --replace re-points it', async () => {
    await releasedOnMain();
    const before = checkoutState();
    const refused = await addRelease('--digest', OTHER, '--run-id', '1', '--push', 'origin');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('v1.5.0 is already listed in metadata/targets.json');
    expect(refused.err).toContain(`with digest ${DIGEST}`);
    expect(refused.err).toContain(`re-point it to ${OTHER}`);
    expect(checkoutState()).toEqual(before);
    expect(gitSync(repo.remote, 'branch', '--list', 'sign/*')).toBe('');

    const replaced = await addRelease('--digest', OTHER, '--run-id', '1', '--replace', '--json');
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.out)).toMatchObject({
      changed: true,
      branch: 'sign/release-1-5-0-1',
    });
    expect(readFileSync(join(repo.dir, 'targets', TARGET), 'utf8')).toContain(OTHER);
  });

  it('the listed digest again (another run) is a no-op: exit 0, nothing written or pushed', async () => {
    await releasedOnMain();
    const before = checkoutState();
    const again = await addRelease(
      '--run-id',
      '2',
      '--created-at',
      '2026-05-01T00:00:00Z',
      '--push',
      'origin',
    );
    expect(again.code).toBe(0);
    expect(again.out).toContain('is already listed');
    expect(checkoutState()).toEqual(before);
    expect(gitSync(repo.remote, 'branch', '--list', 'sign/*')).toBe('');
  });

  it('a failed push exits non-zero and leaves branch, index and work tree as they were', async () => {
    const before = checkoutState();
    const failed = await addRelease('--push', join(repo.dir, '..', 'gone.git'));
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('[GIT]');
    expect(checkoutState()).toEqual(before);
  });
});

describe('oci-sd tuf: the layout warning', () => {
  it('add-release and status warn once about nested names; update-targets says which it kept', async () => {
    const added = await addRelease();
    const warnings = (text: string) =>
      text.split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings(added.err)).toHaveLength(1);
    expect(added.err).toContain('delegated role');
    await run('sign', BRANCH, '--repo', repo.dir, '--user', '@alice', '--key', aliceKey);

    const text = await run('status', '--repo', repo.dir);
    expect(warnings(text.out)).toHaveLength(1);
    const json = await run('status', '--repo', repo.dir, '--format', 'json');
    expect(JSON.parse(json.out).warnings).toHaveLength(1);
    expect(warnings(json.err)).toHaveLength(1);

    gitSync(repo.dir, 'switch', '-q', 'main');
    gitSync(repo.dir, 'merge', '-q', '--ff-only', BRANCH);
    gitSync(repo.dir, 'switch', '-q', '-c', 'sign/notes');
    writeFileSync(join(repo.dir, 'targets', 'notes.txt'), 'release notes\n');
    const updated = await run('update-targets', '--repo', repo.dir);
    expect(updated.code).toBe(0);
    expect(updated.out).toBe(
      `updated targets v3\nkept 1 nested name in top-level targets that tuf-on-ci's update-targets would drop: ${TARGET}\n`,
    );
    expect(warnings(updated.err)).toHaveLength(1);
  });
});

describe('oci-sd tuf init', () => {
  const ONLINE_URI =
    'gcpkms:projects/p/locations/l/keyRings/r/cryptoKeys/online/cryptoKeyVersions/1';
  const NOW = '2026-06-01T12:00:00Z';
  let onlineKey: string;
  let bobKey: string;
  beforeEach(() => {
    onlineKey = join(repo.dir, '..', 'online.pem');
    bobKey = join(repo.dir, '..', 'bob.pem');
    writeFileSync(onlineKey, repo.onlinePem);
    writeFileSync(bobKey, newSigner({ keySigner }, 'p256').pem);
  });
  const init = (dir: string, ...extra: string[]) =>
    run(
      'init',
      '--repo',
      dir,
      '--user',
      '@Alice',
      '--key',
      aliceKey,
      '--online-key',
      onlineKey,
      '--online-uri',
      ONLINE_URI,
      '--at',
      NOW,
      ...extra,
    );
  const readRole = (dir: string, role: string) =>
    readFileSync(join(dir, 'metadata', `${role}.json`), 'utf8');

  it('writes version 1 as tuf-on-ci does, commits it on main, and the result verifies', async () => {
    const dir = join(repo.dir, '..', 'new-repo');
    const result = await init(
      dir,
      '--signer',
      `@bob=${bobKey}`,
      '--root-threshold',
      '2',
      '--targets-expiry',
      '200',
      '--targets-signing',
      '30',
      '--json',
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(gitSync(dir, 'branch', '--show-current')).toBe('main');
    expect(gitSync(dir, 'log', '--format=%s')).toBe('Initial TUF repository');
    expect(gitSync(dir, 'status', '--porcelain')).toBe('');

    for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
      const text = readRole(dir, role);
      // tuf-on-ci's JSONSerializer: json.dumps(indent=1, sort_keys=True), no trailing newline.
      expect(text).toBe(formatMetadata(JSON.parse(text)));
      expect(text.endsWith('}')).toBe(true);
      expect(text.split('\n')[1]).toMatch(/^ "signatures": \[$/);
    }
    expect(readFileSync(join(dir, 'metadata/root_history/1.root.json'), 'utf8')).toBe(
      readRole(dir, 'root'),
    );
    const root = JSON.parse(readRole(dir, 'root')) as SignedMetadata;
    const keys = root.signed.keys as Record<string, TufKey>;
    // keyids as tuf-on-ci computes them: sha256 of the canonical key, x- fields included.
    for (const [keyid, key] of Object.entries(keys)) expect(keyIdOf(key)).toBe(keyid);
    const owners = Object.values(keys).map(
      (key) => key['x-tuf-on-ci-keyowner'] ?? key['x-tuf-on-ci-online-uri'],
    );
    expect(owners.sort()).toEqual(['@alice', '@bob', ONLINE_URI].sort());
    const roles = root.signed.roles as Record<string, { keyids: string[]; threshold: number }>;
    expect(roles.root).toMatchObject({ threshold: 2 });
    expect(roles.root!.keyids).toHaveLength(2);
    expect(root.signatures.map((s) => s.keyid)).toEqual(roles.root!.keyids);
    const targets = JSON.parse(readRole(dir, 'targets')) as SignedMetadata;
    expect(targets.signed).toMatchObject({
      version: 1,
      expires: '2026-12-18T12:00:00Z',
      'x-tuf-on-ci-expiry-period': 200,
      'x-tuf-on-ci-signing-period': 30,
      targets: {},
    });
    expect(root.signed).toMatchObject({ version: 1, expires: '2027-06-01T12:00:00Z' });

    const verified = await runMain(
      'tuf',
      'verify',
      '--repo',
      dir,
      '--root',
      join(dir, 'metadata/root_history/1.root.json'),
      '--at',
      '2026-06-02T00:00:00Z',
    );
    expect(verified.err).toBe('');
    expect(verified.code).toBe(0);
  });

  it('works in a clone of an empty repository; refuses a non-empty one (exit 2) and leaves it as it was', async () => {
    const bare = join(repo.dir, '..', 'empty.git');
    gitSync(join(repo.dir, '..'), 'init', '--quiet', '--bare', bare);
    const clone = join(repo.dir, '..', 'empty-clone');
    gitSync(join(repo.dir, '..'), 'clone', '--quiet', bare, clone);
    const done = await init(clone);
    expect(done.code).toBe(0);
    expect(gitSync(clone, 'branch', '--show-current')).toBe('main');
    expect(gitSync(clone, 'remote')).toBe('origin');

    const again = await init(clone);
    expect(again.code).toBe(2);
    expect(again.err).toContain('is not empty');

    const committed = join(repo.dir, '..', 'committed');
    gitSync(join(repo.dir, '..'), 'init', '--quiet', committed);
    gitSync(committed, 'commit', '--quiet', '--allow-empty', '-m', 'first');
    const head = gitSync(committed, 'rev-parse', 'HEAD');
    const refused = await init(committed);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('already has commits');
    expect(gitSync(committed, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitSync(committed, 'status', '--porcelain', '--untracked-files=all')).toBe('');

    const before = gitSync(repo.dir, 'status', '--porcelain', '--untracked-files=all');
    expect((await init(repo.dir)).code).toBe(2);
    expect(gitSync(repo.dir, 'status', '--porcelain', '--untracked-files=all')).toBe(before);
  });

  it('bad thresholds, periods and online URIs exit 2 and leave nothing behind', async () => {
    const dir = join(repo.dir, '..', 'never');
    for (const extra of [
      ['--root-threshold', '2'],
      ['--targets-threshold', '0'],
      ['--timestamp-expiry', '1'],
      ['--root-signing', '365'],
      ['--signer', `@alice=${bobKey}`],
      ['--signer', 'bob'],
    ]) {
      const result = await init(dir, ...extra);
      expect(result.code, extra.join(' ')).toBe(2);
      expect(existsSync(dir), extra.join(' ')).toBe(false);
    }
    const sigstoreUri = await run(
      'init',
      '--repo',
      dir,
      '--user',
      '@alice',
      '--key',
      aliceKey,
      '--online-key',
      onlineKey,
      '--online-uri',
      'sigstore:',
    );
    expect(sigstoreUri.code).toBe(2);
    expect(sigstoreUri.err).toContain('online-sign workflow');
    expect(existsSync(dir)).toBe(false);
  });
});

describe('oci-sd tuf status --format json, step by step as tuf-on-ci lists them', () => {
  const roles = (out: string) =>
    (JSON.parse(out) as { roles: Array<Record<string, unknown>> }).roles.map(
      ({ role, signed, missing, threshold, invites, valid }) => ({
        role,
        signed,
        missing,
        threshold,
        invites,
        valid,
      }),
    );

  it('invite: root with the invite; accepted: root and targets (a signature appended to targets)', async () => {
    const bobKey = join(repo.dir, '..', 'bob.pem');
    writeFileSync(bobKey, newSigner({ keySigner }, 'p256').pem);
    await run('invite-signer', '--repo', repo.dir, '--role', 'targets', '--user', '@bob');
    const invited = await run('status', '--repo', repo.dir, '--format', 'json');
    expect(invited.code).toBe(1);
    // tuf-on-ci: an invite to targets belongs to root; targets.json did not change.
    expect(roles(invited.out)).toEqual([
      {
        role: 'root',
        signed: ['@alice'],
        missing: [],
        threshold: 1,
        invites: ['@bob'],
        valid: false,
      },
    ]);
    await run('sign', 'sign/add-signer-bob', '--repo', repo.dir, '--user', '@bob', '--key', bobKey);
    const accepted = await run('status', '--repo', repo.dir, '--format', 'json');
    expect(roles(accepted.out)).toEqual([
      { role: 'root', signed: [], missing: ['@alice'], threshold: 1, invites: [], valid: false },
      {
        role: 'targets',
        signed: ['@alice', '@bob'],
        missing: [],
        threshold: 1,
        invites: [],
        valid: true,
      },
    ]);
  });

  it('expiry events and their status at the clock OCI_SD_NOW gives, as create-signing-events would', async () => {
    const at = new Date(Date.now() + 320 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    process.env.OCI_SD_NOW = at;
    try {
      const opened = await run('expiry-events', '--repo', repo.dir, '--json');
      expect(JSON.parse(opened.out)).toMatchObject([
        { branch: 'sign/root-v2', version: 2, created: true },
        { branch: 'sign/targets-v2', version: 2, created: true },
      ]);
      gitSync(repo.dir, 'switch', '-q', 'sign/targets-v2');
      const pending = await run('status', '--repo', repo.dir, '--format', 'json');
      expect(roles(pending.out)).toEqual([
        {
          role: 'targets',
          signed: [],
          missing: ['@alice'],
          threshold: 1,
          invites: [],
          valid: false,
        },
      ]);
      await run(
        'sign',
        'sign/targets-v2',
        '--repo',
        repo.dir,
        '--user',
        '@alice',
        '--key',
        aliceKey,
      );
      expect((await run('status', '--repo', repo.dir, '--format', 'json')).code).toBe(0);
      process.env.OCI_SD_NOW = 'tomorrow';
      expect((await run('status', '--repo', repo.dir)).code).toBe(2);
    } finally {
      delete process.env.OCI_SD_NOW;
    }
  });
});
