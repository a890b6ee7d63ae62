import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initRepository, keySigner, type TufSigner } from '@oci-sd/tuf';
import { createTufCheckout, gitSync, type TestTufRepo } from '@oci-sd/test-support';
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
