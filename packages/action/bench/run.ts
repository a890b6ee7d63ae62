// npm run bench: the committed action bundle as a runner runs it (a fresh node process per step):
// its size, and the cost of a step per command, wall time and the step process's own CPU time.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import { markdownTable, writeBenchSection } from '../../../tools/bench/table.ts';
import type { BenchRow } from '../../../tools/bench/table.ts';
import { FIXTURES_DIR, fixturePath, haveFixtures } from '@oci-sd/test-support';
import { OciLayoutSource, attachReferrerBundle, pushImage } from '@oci-sd/oci';

const RUNS = 7;
// Run from the package folder (npm run bench); this file runs bundled from node_modules/.cache.
const packageDir = process.cwd();
const bundle = join(packageDir, 'dist/main.js');
const work = mkdtempSync(join(tmpdir(), 'oci-sd-action-bench-'));
// Preloaded into each step: writes the process's own CPU time and peak memory at exit.
const probe = `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(process.env.OCI_SD_BENCH_PROBE,JSON.stringify({cpu:process.cpuUsage(),rss:process.resourceUsage().maxRSS})));`;

interface Step {
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Runs before each measured step (e.g. a fresh git remote), not timed. */
  prepare?: () => Record<string, string>;
  expectFailure?: boolean;
}

function runStep(step: Step): { wallMs: number; cpuMs: number; rssMb: number } {
  const dir = mkdtempSync(join(work, 'step-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    OCI_SD_BENCH_PROBE: join(dir, 'probe.json'),
  };
  writeFileSync(files.GITHUB_OUTPUT, '');
  writeFileSync(files.GITHUB_STEP_SUMMARY, '');
  const inputs = { ...step.inputs, ...step.prepare?.() };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    RUNNER_TEMP: dir,
    GITHUB_WORKSPACE: work,
    ...files,
    ...step.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--import', probe, bundle], {
    env,
    cwd: work,
    encoding: 'utf8',
  });
  const wallMs = performance.now() - start;
  if ((result.status === 0) === Boolean(step.expectFailure))
    throw new Error(
      `step ${inputs.command} exited ${result.status}: ${result.stdout}${result.stderr}`,
    );
  const measured = JSON.parse(readFileSync(files.OCI_SD_BENCH_PROBE, 'utf8')) as {
    cpu: { user: number; system: number };
    rss: number;
  };
  rmSync(dir, { recursive: true, force: true });
  return {
    wallMs,
    cpuMs: (measured.cpu.user + measured.cpu.system) / 1000,
    rssMb: measured.rss / 1024,
  };
}

function measure(step: Step) {
  runStep(step); // warm the file cache
  const samples = Array.from({ length: RUNS }, () => runStep(step));
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    wall: median(samples.map((s) => s.wallMs)),
    cpu: Math.min(...samples.map((s) => s.cpuMs)),
    rss: median(samples.map((s) => s.rssMb)),
  };
}

/** The seed's TUF-on-CI repository as a fresh bare remote. */
function tufRemote(): string {
  const dir = mkdtempSync(join(work, 'tuf-'));
  const checkout = join(dir, 'work');
  mkdirSync(join(checkout, 'metadata'), { recursive: true });
  cpSync(fixturePath('tuf', 'amaanx86', 'metadata'), join(checkout, 'metadata'), {
    recursive: true,
  });
  cpSync(
    fixturePath('tuf', 'amaanx86', 'metadata', 'root_history', '1.root.json'),
    join(checkout, 'metadata', 'root.json'),
  );
  cpSync(fixturePath('tuf', 'amaanx86', 'targets'), join(checkout, 'targets'), { recursive: true });
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'b',
        GIT_AUTHOR_EMAIL: 'b@b',
        GIT_COMMITTER_NAME: 'b',
        GIT_COMMITTER_EMAIL: 'b@b',
      },
    });
  git(dir, 'init', '--quiet', '--initial-branch=main', checkout);
  git(checkout, 'add', '--all');
  git(checkout, 'commit', '--quiet', '-m', 'published');
  git(dir, 'clone', '--quiet', '--bare', checkout, join(dir, 'remote.git'));
  return join(dir, 'remote.git');
}

const changelog = join(work, 'CHANGELOG.md');
writeFileSync(
  changelog,
  haveFixtures
    ? readFileSync(fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md'))
    : '# Changelog\n\n## [1.1.0] - 2026-03-10\n\n### Added\n\n- x\n\n[1.1.0]: https://github.com/amaanx86/oci-prometheus-sd-proxy/releases/tag/v1.1.0\n',
);
const run = {
  GITHUB_REPOSITORY: 'amaanx86/oci-prometheus-sd-proxy',
  GITHUB_RUN_ID: '24700000001',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_WORKFLOW: 'Build and Push Docker Image',
};
const digest = `sha256:${'5c'.repeat(32)}`;

// A signed image in an OCI layout and the test Sigstore's trusted root, for `verify` without a registry.
const sigstore = await startTestSigstore();
const layout = join(work, 'layout');
const pushed = await pushImage(new OciLayoutSource(layout), {
  tag: 'v1.1.0',
  platforms: [{ os: 'linux', architecture: 'amd64', files: { app: 'bench' } }],
});
const identity = githubActionsIdentity({
  repository: run.GITHUB_REPOSITORY,
  workflowPath: '.github/workflows/docker-build-push.yml',
  ref: 'refs/tags/v1.1.0',
  sha: run.GITHUB_SHA,
});
const statement = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      {
        name: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
        digest: { sha256: pushed.digest.slice(7) },
      },
    ],
    predicateType: 'https://sigstore.dev/cosign/sign/v1',
    predicate: {},
  }),
);
await attachReferrerBundle(
  new OciLayoutSource(layout),
  pushed.digest,
  await sigstore.signDsse(statement, 'application/vnd.in-toto+json', identity),
);
await sigstore.writeTrustedRoot(join(work, 'trusted_root.json'));
await sigstore.stop();

const steps: [string, Step | undefined][] = [
  ['unknown command (bundle load only)', { inputs: { command: 'bogus' }, expectFailure: true }],
  [
    'release-notes (seed CHANGELOG.md)',
    { inputs: { command: 'release-notes', tag: 'v1.1.0', changelog }, env: run },
  ],
  [
    'release-metadata (write only)',
    {
      inputs: {
        command: 'release-metadata',
        tag: 'v1.6.0',
        image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
        digest,
        upload: 'false',
      },
      env: run,
    },
  ],
  [
    'tuf-publish (seed TUF repo: clone, commit, push)',
    haveFixtures
      ? {
          inputs: {
            command: 'tuf-publish',
            tag: 'v1.6.0',
            image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
            digest,
            'created-at': '2026-06-01T10:00:00Z',
          },
          env: run,
          prepare: () => ({ 'tuf-repository': tufRemote() }),
        }
      : undefined,
  ],
  [
    'verify (OCI layout, one referrer signature)',
    {
      inputs: {
        command: 'verify',
        image: `oci-layout:${layout}@${pushed.digest}`,
        tag: 'v1.1.0',
        'trusted-root': join(work, 'trusted_root.json'),
      },
      env: run,
    },
  ],
];

const size = statSync(bundle).size;
const rows: BenchRow[] = [];
for (const [name, step] of steps) {
  if (!step) {
    rows.push({
      step: name,
      'wall ms (median)': `skipped: no fixtures at ${FIXTURES_DIR}`,
      'CPU ms (min)': '',
      'peak RSS MB': '',
    });
    continue;
  }
  const { wall, cpu, rss } = measure(step);
  rows.push({
    step: name,
    'wall ms (median)': wall.toFixed(0),
    'CPU ms (min)': cpu.toFixed(0),
    'peak RSS MB': rss.toFixed(0),
  });
  console.log(
    `${name}: ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU, ${rss.toFixed(0)} MB`,
  );
}
rmSync(work, { recursive: true, force: true });

const markdown = [
  `Bundle \`dist/main.js\`: ${(size / 1e6).toFixed(2)} MB (${(gzipSync(readFileSync(bundle)).length / 1e6).toFixed(2)} MB gzipped). Each row is one action step as a runner runs it: a fresh \`node dist/main.js\` process; ${RUNS} runs after a warm-up, wall time median, CPU time (user + system of the step process) minimum.`,
  '',
  markdownTable(rows),
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} (the machine is shared: wall times vary, CPU times less).`,
].join('\n');
if (!existsSync(join(packageDir, 'README.md'))) throw new Error('README.md missing');
writeBenchSection(join(packageDir, 'README.md'), markdown);
console.log(markdown);
