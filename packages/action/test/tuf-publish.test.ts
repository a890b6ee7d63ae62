import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { gitSync, runAction, tempDir } from './support';

const PROJECT = 'oci-prometheus-sd-proxy';
const REPOSITORY = `amaanx86/${PROJECT}`;
const DIGEST = `sha256:${'5c'.repeat(32)}`;
const RUN_ID = '24700000001';
const BRANCH = `sign/release-1-6-0-${RUN_ID}`;
const TARGET = `${PROJECT}/releases/v1.6.0.json`;
const TOKEN = 'ghs_tufpublishtoken0042';
const dirs: string[] = [];

/** The seed's real TUF-on-CI repository (metadata and release manifests) as a git remote `<root>/<owner>/<name>.git`. */
function tufRemote(): { root: string; remote: string } {
  const root = tempDir('tuf');
  dirs.push(root);
  const work = join(root, 'work');
  mkdirSync(join(work, 'metadata'), { recursive: true });
  const repo = (...parts: string[]) => fixturePath('tuf', 'amaanx86', ...parts);
  cpSync(repo('metadata'), join(work, 'metadata'), { recursive: true });
  cpSync(repo('metadata', 'root_history', '1.root.json'), join(work, 'metadata', 'root.json'));
  cpSync(repo('targets'), join(work, 'targets'), { recursive: true });
  gitSync(root, 'init', '--quiet', '--initial-branch=main', work);
  gitSync(work, 'add', '--all');
  gitSync(work, 'commit', '--quiet', '-m', 'TUF repository as published');
  const remote = join(root, 'amaanx86', `${PROJECT}-tuf-on-ci.git`);
  gitSync(root, 'clone', '--quiet', '--bare', work, remote);
  return { root, remote };
}

function runnerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_WORKFLOW_REF: `${REPOSITORY}/.github/workflows/docker-build-push.yml@refs/tags/v1.6.0`,
    ...extra,
  };
}

const releaseEvent = {
  action: 'published',
  release: { id: 7, tag_name: 'v1.6.0', published_at: '2026-06-01T10:00:00Z' },
};

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe.skipIf(!haveFixtures)(
  `command: tuf-publish${haveFixtures ? '' : ` (${fixturesSkipReason})`}`,
  () => {
    let remote: string;
    let root: string;
    beforeEach(() => {
      ({ remote, root } = tufRemote());
    });

    it('pushes the signing branch with the release manifest listed in targets.json, and reports it', async () => {
      const run = await runAction({
        inputs: {
          command: 'tuf-publish',
          token: TOKEN,
          image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
          digest: DIGEST,
          'tuf-repository': remote,
        },
        event: releaseEvent,
        env: runnerEnv(),
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);

      const manifestText = gitSync(remote, 'show', `${BRANCH}:targets/${TARGET}`) + '\n';
      const manifest = JSON.parse(manifestText) as Record<string, string>;
      expect(manifest).toMatchObject({
        schema_version: '1.0',
        project: PROJECT,
        version: '1.6.0',
        tag: 'v1.6.0',
        digest: DIGEST,
        image_ref_digest: `ghcr.io/amaanx86/oci-prometheus-sd-proxy@${DIGEST}`,
        workflow_run_url: `https://github.com/${REPOSITORY}/actions/runs/${RUN_ID}`,
        created_at: '2026-06-01T10:00:00Z',
      });
      expect(manifest.cosign_verify_cmd).toContain(
        `--certificate-identity=https://github.com/${REPOSITORY}/.github/workflows/docker-build-push.yml@refs/tags/v1.6.0`,
      );
      const sha256 = createHash('sha256').update(manifestText).digest('hex');

      const targets = JSON.parse(gitSync(remote, 'show', `${BRANCH}:metadata/targets.json`)) as {
        signed: { version: number; targets: Record<string, unknown> };
      };
      expect(targets.signed.version).toBe(5);
      expect(targets.signed.targets[TARGET]).toEqual({
        hashes: { sha256 },
        length: Buffer.byteLength(manifestText),
      });
      const published = JSON.parse(
        readFileSync(fixturePath('tuf', 'amaanx86', 'metadata', 'targets.json'), 'utf8'),
      ) as typeof targets;
      expect(Object.keys(targets.signed.targets).sort()).toEqual(
        [...Object.keys(published.signed.targets), TARGET].sort(),
      );
      expect(gitSync(remote, 'log', '-1', '--format=%an <%ae>|%s', BRANCH)).toBe(
        'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|Add release verification manifest for v1.6.0',
      );
      expect(gitSync(remote, 'rev-list', '--count', `main..${BRANCH}`)).toBe('1');

      expect(run.outputs).toMatchObject({
        branch: BRANCH,
        'target-path': `targets/${TARGET}`,
        'target-name': TARGET,
        sha256,
        length: String(Buffer.byteLength(manifestText)),
        changed: 'true',
        pushed: 'true',
        'signing-pr-url': '',
      });
      expect(run.summary).toContain(
        `| Image | \`ghcr.io/amaanx86/oci-prometheus-sd-proxy@${DIGEST}\` |`,
      );
      expect(run.summary).toContain(`| TUF manifest | \`targets/${TARGET}\` |`);
      expect(run.summary).toContain(`| Signing branch | \`${BRANCH}\` |`);
      expect(run.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    });

    it('changes and pushes nothing when a re-run finds the same manifest on the branch', async () => {
      const inputs = {
        command: 'tuf-publish',
        image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
        digest: DIGEST,
        'tuf-repository': remote,
      };
      const first = await runAction({ inputs, event: releaseEvent, env: runnerEnv() });
      expect(first.code).toBe(0);
      const head = gitSync(remote, 'rev-parse', BRANCH);
      const again = await runAction({ inputs, event: releaseEvent, env: runnerEnv() });
      expect(again.code).toBe(0);
      expect(again.outputs).toMatchObject({
        branch: BRANCH,
        changed: 'false',
        pushed: 'false',
        sha256: first.outputs.sha256,
      });
      expect(gitSync(remote, 'rev-parse', BRANCH)).toBe(head);
      expect(again.summary).toContain('(unchanged, nothing pushed)');
    });

    it('clones OWNER/REPO from the GitHub server and links the signing pull requests', async () => {
      const run = await runAction({
        inputs: {
          command: 'tuf-publish',
          image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
          digest: DIGEST,
          tag: 'v1.6.0',
          'created-at': '2026-06-01T10:00:00Z',
          'tuf-repository': `amaanx86/${PROJECT}-tuf-on-ci`,
        },
        env: runnerEnv({ GITHUB_SERVER_URL: `file://${root}` }),
      });
      expect(run.code).toBe(0);
      const pulls = `file://${root}/amaanx86/${PROJECT}-tuf-on-ci/pulls?q=${encodeURIComponent(`is:pr head:${BRANCH}`)}`;
      expect(run.outputs['signing-pr-url']).toBe(pulls);
      expect(run.summary).toContain(`| Signing PR | [pull requests for ${BRANCH}](${pulls}) |`);
      expect(gitSync(remote, 'rev-parse', '--verify', BRANCH)).toMatch(/^[0-9a-f]{40}$/);
    });

    it('works in an existing checkout (tuf-checkout) and pushes to its origin', async () => {
      const checkout = join(root, 'checkout');
      gitSync(root, 'clone', '--quiet', remote, checkout);
      const run = await runAction({
        workspace: root,
        inputs: {
          command: 'tuf-publish',
          image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
          digest: DIGEST,
          'tuf-repository': remote,
          'tuf-checkout': 'checkout',
        },
        event: releaseEvent,
        env: runnerEnv(),
      });
      expect(run.code).toBe(0);
      expect(run.outputs.pushed).toBe('true');
      expect(gitSync(checkout, 'rev-parse', 'HEAD')).toBe(gitSync(remote, 'rev-parse', BRANCH));
    });

    it('fails naming the input when the TUF repository or the digest is missing, and pushes nothing', async () => {
      const noRepo = await runAction({
        inputs: { command: 'tuf-publish', image: 'ghcr.io/a/b', digest: DIGEST, tag: 'v1.6.0' },
        env: runnerEnv(),
      });
      expect(noRepo.code).toBe(1);
      expect(noRepo.stdout).toContain('::error::input "tuf-repository" is required');
      const noDigest = await runAction({
        inputs: {
          command: 'tuf-publish',
          image: 'ghcr.io/a/b',
          tag: 'v1.6.0',
          'tuf-repository': remote,
        },
        env: runnerEnv(),
      });
      expect(noDigest.code).toBe(1);
      expect(noDigest.stdout).toContain('::error::input "digest" is required');
      expect(gitSync(remote, 'branch', '--list', 'sign/*')).toBe('');
    });

    it("fails with git's message, without the token, when the remote cannot be read", async () => {
      const run = await runAction({
        inputs: {
          command: 'tuf-publish',
          token: TOKEN,
          image: 'ghcr.io/a/b',
          digest: DIGEST,
          tag: 'v1.6.0',
          'tuf-repository': join(root, 'missing.git'),
        },
        env: runnerEnv(),
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::git clone .*missing\.git.* failed: /);
      expect(run.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    });
  },
);
