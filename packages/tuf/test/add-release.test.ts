import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf, gitSync } from '@oci-sd/test-support';
import { addReleaseTarget, signEvent, type SignedMetadata, TufError } from '../src/index';
import { createTufRepo, type TestTufRepo } from './support/git-repo';
import { SEED_V150 } from './support/helpers';

const BRANCH = 'sign/release-1-5-0-24609867231';
const TARGET = 'oci-prometheus-sd-proxy/releases/v1.5.0.json';
const OTHER_DIGEST = `sha256:${'ab'.repeat(32)}`;

let repo: TestTufRepo;
beforeEach(async () => {
  repo = await createTufRepo();
});
afterEach(() => repo.cleanup());

/** Branch, HEAD, every local branch and its tip, index and work tree (untracked files included). */
function checkoutState(dir = repo.dir): Record<string, string> {
  return {
    branch: gitSync(dir, 'branch', '--show-current'),
    head: gitSync(dir, 'rev-parse', 'HEAD'),
    branches: gitSync(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'),
    status: gitSync(dir, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
  };
}

function listedTargets(): Record<string, { hashes: { sha256: string } }> {
  const targets = JSON.parse(
    readFileSync(join(repo.dir, 'metadata/targets.json'), 'utf8'),
  ) as SignedMetadata;
  return targets.signed.targets as Record<string, { hashes: { sha256: string } }>;
}

/** v1.5.0 released, signed and merged into main. */
async function releasedOnMain(): Promise<void> {
  await addReleaseTarget(repo.dir, { manifest: SEED_V150 });
  await signEvent(repo.dir, BRANCH, repo.alice, { user: 'alice' });
  gitSync(repo.dir, 'switch', '-q', 'main');
  gitSync(repo.dir, 'merge', '-q', '--ff-only', BRANCH);
  gitSync(repo.dir, 'branch', '-q', '-D', BRANCH);
}

describe('addReleaseTarget: a listed tag is never re-pointed silently', () => {
  it('refuses a tag already listed with another digest, naming tag and both digests, and leaves no trace', async () => {
    await releasedOnMain();
    const before = checkoutState();
    const error = await rejectionOf(
      addReleaseTarget(repo.dir, {
        manifest: { ...SEED_V150, digest: OTHER_DIGEST, runId: 1 },
      }),
      TufError,
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('v1.5.0 is already listed in metadata/targets.json');
    expect(error.message).toContain(`with digest ${SEED_V150.digest}`);
    expect(error.message).toContain(`re-point it to ${OTHER_DIGEST}`);
    expect(error).toMatchObject({ expected: SEED_V150.digest, found: OTHER_DIGEST });
    expect(checkoutState()).toEqual(before);
  });

  it('re-points it with replace: the entry and the manifest name the new digest', async () => {
    await releasedOnMain();
    const result = await addReleaseTarget(repo.dir, {
      manifest: { ...SEED_V150, digest: OTHER_DIGEST, runId: 1 },
      replace: true,
    });
    expect(result).toMatchObject({ changed: true, branch: 'sign/release-1-5-0-1', version: 3 });
    expect(readFileSync(join(repo.dir, 'targets', TARGET), 'utf8')).toContain(OTHER_DIGEST);
    expect(listedTargets()[TARGET]!.hashes.sha256).toBe(result.sha256);
  });

  it('the same digest again (another run, another created_at) is a no-op: no branch, no file, no commit', async () => {
    await releasedOnMain();
    const before = checkoutState();
    const result = await addReleaseTarget(repo.dir, {
      manifest: { ...SEED_V150, runId: 2, createdAt: '2026-05-01T00:00:00Z' },
      push: { remote: 'origin' },
    });
    expect(result).toMatchObject({ changed: false, commit: null, pushed: false, version: 2 });
    expect(checkoutState()).toEqual(before);
    expect(gitSync(repo.remote, 'branch', '--list', 'sign/*')).toBe('');
  });

  it('refuses a re-point on the event branch too (a second build of the same tag)', async () => {
    await addReleaseTarget(repo.dir, { manifest: SEED_V150 });
    const before = checkoutState();
    const error = await rejectionOf(
      addReleaseTarget(repo.dir, {
        manifest: { ...SEED_V150, digest: OTHER_DIGEST },
        branch: BRANCH,
      }),
      TufError,
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(checkoutState()).toEqual(before);
  });
});

describe('addReleaseTarget: a failure leaves the checkout as it was', () => {
  it('a failed push: back on main, no sign/ branch, no manifest, clean index and work tree', async () => {
    const before = checkoutState();
    const error = await rejectionOf(
      addReleaseTarget(repo.dir, {
        manifest: SEED_V150,
        push: { remote: join(repo.dir, '..', 'no-such-remote.git') },
      }),
      TufError,
    );
    expect(error.code).toBe('GIT');
    expect(checkoutState()).toEqual(before);
    expect(existsSync(join(repo.dir, 'targets', 'oci-prometheus-sd-proxy'))).toBe(false);
  });

  it('a failed push on an existing event branch puts its tip back', async () => {
    await addReleaseTarget(repo.dir, { manifest: SEED_V150 });
    gitSync(repo.dir, 'remote', 'set-url', 'origin', join(repo.dir, '..', 'gone.git'));
    const before = checkoutState();
    await rejectionOf(
      addReleaseTarget(repo.dir, {
        manifest: { ...SEED_V150, digest: OTHER_DIGEST },
        branch: BRANCH,
        replace: true,
        push: { remote: 'origin' },
      }),
      TufError,
    );
    expect(checkoutState()).toEqual(before);
  });

  it('bad input (a branch outside sign/, an invalid digest) is refused before anything is written', async () => {
    const before = checkoutState();
    expect(
      (
        await rejectionOf(
          addReleaseTarget(repo.dir, { manifest: SEED_V150, branch: 'release-1' }),
          TufError,
        )
      ).code,
    ).toBe('INVALID_INPUT');
    expect(
      (
        await rejectionOf(
          addReleaseTarget(repo.dir, { manifest: { ...SEED_V150, digest: 'sha256:0' } }),
          TufError,
        )
      ).code,
    ).toBe('INVALID_INPUT');
    expect(checkoutState()).toEqual(before);
  });

  it('a repository without roles.targets in root is refused before a branch is created', async () => {
    const root = JSON.parse(readFileSync(join(repo.dir, 'metadata/root.json'), 'utf8')) as {
      signed: { roles: Record<string, unknown> };
    };
    delete root.signed.roles.targets;
    writeFileSync(join(repo.dir, 'metadata/root.json'), JSON.stringify(root));
    gitSync(repo.dir, 'commit', '-qam', 'broken root');
    const before = checkoutState();
    expect(
      (await rejectionOf(addReleaseTarget(repo.dir, { manifest: SEED_V150 }), TufError)).code,
    ).toBe('METADATA_INVALID');
    expect(checkoutState()).toEqual(before);
  });
});
