import { registryAvailable } from '@oci-sd/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox';
import { PUBLISH_WORKFLOW } from '../src/workflows';
import { loadState } from '@oci-sd/release';
import { startReleaseWorld, type ReleaseWorld } from './support/release-world';
import { runCli, type JsonEvent } from './support/run-cli';

/** Where the CLI is killed: the first event matching, in the run that many kills in. */
const KILL_POINTS: { label: string; when: (e: JsonEvent) => boolean }[] = [
  {
    label: 'changelog branch pushed, no pull request yet',
    when: (e) => e.type === 'info' && /^pushed release\//.test(e.message ?? ''),
  },
  {
    label: 'changelog pull request open, not merged',
    when: (e) => e.type === 'info' && /^pull request #/.test(e.message ?? ''),
  },
  {
    label: 'GitHub release step started',
    when: (e) => e.type === 'step' && e.step === 'release' && e.state === 'start',
  },
  { label: 'build run found, still running', when: (e) => e.type === 'info' && e.step === 'build' },
  {
    label: 'signing pull request found, not signed',
    when: (e) => e.type === 'info' && /^signing pull request/.test(e.message ?? ''),
  },
  {
    label: 'signing pull request merged, publish not dispatched',
    when: (e) => e.type === 'info' && /^merged #/.test(e.message ?? ''),
  },
  {
    label: 'publish dispatched, run not followed',
    when: (e) => e.type === 'info' && /^dispatched /.test(e.message ?? ''),
  },
  {
    label: 'verification started',
    when: (e) => e.type === 'step' && e.step === 'verify' && e.state === 'start',
  },
];

describe.skipIf(!registryAvailable())(
  'oci-sd release end to end (GitHub API test server, git remotes, docker-registry)',
  () => {
    let world: ReleaseWorld | undefined;
    let sandbox: Sandbox;
    let bin: string;

    beforeAll(async () => {
      world = await startReleaseWorld();
      ({ sandbox, bin } = world);
    });

    afterAll(() => world?.stop());

    it('finishes after a kill at every step, with exactly one of everything, and a verified release', async () => {
      const first = await runCli(bin, sandbox, ['minor'], KILL_POINTS[0]!.when);
      expect(first.signal, first.stderr).toBe('SIGKILL');
      const killedAt = [KILL_POINTS[0]!.label];
      for (const point of KILL_POINTS.slice(1)) {
        const resumed = await runCli(bin, sandbox, ['--resume'], point.when);
        expect(resumed.signal, `${point.label}: ${resumed.stderr}`).toBe('SIGKILL');
        // every resume skips what an earlier run completed
        expect(
          resumed.events.filter((e) => e.type === 'step' && e.state === 'skipped').length,
        ).toBeGreaterThan(0);
        killedAt.push(point.label);
      }
      expect(killedAt).toHaveLength(KILL_POINTS.length);

      const last = await runCli(bin, sandbox, ['--resume']);
      expect(last.code, last.stderr).toBe(0);
      const checks = last.events.filter((e) => e.type === 'check');
      expect(checks.length).toBeGreaterThanOrEqual(10);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
      expect(last.events.find((e) => e.type === 'done')).toMatchObject({
        message: 'Released v1.5.0',
      });
      expect(last.events.at(-1)?.message).toMatch(/^GitHub API: \d+ requests/);

      await sandbox.actions.settled();
      const { project, tuf, forge } = sandbox;
      expect(project.state.releases.map((r) => [r.tagName, r.draft])).toEqual([['v1.5.0', false]]);
      expect(project.state.pulls.map((p) => [p.head, p.state, p.mergedAt !== null])).toEqual([
        ['release/v1.5.0', 'closed', true],
      ]);
      expect(
        tuf.state.pulls.map((p) => [p.head.replace(/\d+$/, 'RUN'), p.state, p.mergedAt !== null]),
      ).toEqual([['sign/release-1-5-0-RUN', 'closed', true]]);
      const publishWorkflow = tuf.state.workflows.find((w) =>
        w.path.endsWith(`/${PUBLISH_WORKFLOW}`),
      )!;
      expect(
        tuf.state.runs.filter(
          (r) => r.workflowId === publishWorkflow.id && r.event === 'workflow_dispatch',
        ),
      ).toHaveLength(1);
      expect(
        sandbox.actions.concluded.filter((r) => r.workflow === 'docker-build-push.yml'),
      ).toEqual([expect.objectContaining({ conclusion: 'success' })]);
      expect(forge.api.violations).toEqual([]);

      const state = loadState(sandbox.projectDir, '1.5.0')!;
      expect(state.completed).toEqual([
        'preflight',
        'changelog',
        'release',
        'build',
        'signing',
        'publish',
        'verify',
      ]);
      expect(state.facts.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

      // done is done: another resume has nothing left to do and changes nothing remotely
      const requests = forge.api.requests.length;
      const again = await runCli(bin, sandbox, ['1.5.0', '--resume']);
      expect(again.code, again.stderr).toBe(0);
      expect(
        again.events.filter((e) => e.type === 'step').every((e) => e.state === 'skipped'),
      ).toBe(true);
      expect(forge.api.requests.length).toBe(requests);
    }, 240_000);
  },
);
