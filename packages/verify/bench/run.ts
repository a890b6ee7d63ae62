// npm run bench: (a) cold `verify release` of a seed-shaped release from docker-registry and a local
// TUF-on-CI checkout; (b) N bundles through verifyBundle against the same N bare @sigstore/verify calls.
// Writes the table into README.md between the bench markers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity } from '@sigstore/verify';
import { emailIdentity } from '@oci-sd/test-sigstore';
import { trustMaterialFromJSON, verifyBundle } from '@oci-sd/verify';
import { markdownTable, writeBenchSection } from '../../../tools/bench/table.ts';
import { serveTufSite, startSeedReleaseWorld } from '@oci-sd/release-fixture';

const COLD_RUNS = 7;
const execFileAsync = promisify(execFile);
const BUNDLES = 200;
const ROUNDS = 5;

const here = fileURLToPath(new URL('.', import.meta.url));
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;

// Everything is signed first: the test instance's keep-alive sockets go stale while cold runs spawn.
const { sigstore, dir, release, stop } = await startSeedReleaseWorld('oci-sd-verify-bench-');
try {
  // (b) N message-signature bundles: our verifyBundle (policy, digest, evidence) against bare @sigstore/verify
  const identity = emailIdentity('bench@example.test');
  const artifacts = Array.from({ length: BUNDLES }, (_, i) =>
    Buffer.from(`artifact ${i} ${'x'.repeat(1024)}`),
  );
  const bundles: Awaited<ReturnType<typeof sigstore.signMessage>>[] = [];
  // One at a time: the test instance is one small http server.
  for (const artifact of artifacts) bundles.push(await sigstore.signMessage(artifact, identity));
  // (a) cold release verification, each in a fresh node process: TUF from a checkout, then from a published site
  const site = await serveTufSite(release.tufRepo, join(dir, 'site'));
  type Cold = {
    verdictMs: number;
    cpuMs: number;
    mainCpuMs: number;
    requests: number;
    roundTrips: number;
    wallMs: number;
    ok: boolean;
    tufReads: number;
  };
  // One after another, and asynchronously: the TUF site is served by this process.
  const coldRuns = async (tuf: string[]): Promise<Cold[]> => {
    const runs: Cold[] = [];
    for (let run = 0; run < COLD_RUNS; run++) {
      const started = performance.now();
      const { stdout } = await execFileAsync(
        process.execPath,
        [join(here, 'cold-release.js'), release.release, release.trustedRootPath, ...tuf],
        { encoding: 'utf8' },
      );
      runs.push({
        ...(JSON.parse(stdout) as Omit<Cold, 'wallMs'>),
        wallMs: performance.now() - started,
      });
    }
    return runs;
  };
  const cold = await coldRuns([release.tufRepo]);
  const coldSite = await coldRuns([
    site.url,
    join(release.tufRepo, 'metadata', 'root_history', '1.root.json'),
  ]);
  await site.close();
  if (![...cold, ...coldSite].every((run) => run.ok))
    throw new Error('a cold release verification failed');

  const trust = trustMaterialFromJSON(sigstore.trustedRoot, 'test sigstore');
  const policy = { identity: identity.subjectAlternativeName, issuer: identity.issuer };
  const ours = () => {
    for (let i = 0; i < BUNDLES; i++)
      if (!verifyBundle({ bundle: bundles[i], artifact: artifacts[i]!, policy, trust }).ok)
        throw new Error('bundle failed');
  };
  const bare = () => {
    const verifier = new Verifier(trust.material);
    for (let i = 0; i < BUNDLES; i++)
      verifier.verify(toSignedEntity(bundleFromJSON(bundles[i]), artifacts[i]), {
        subjectAlternativeName: policy.identity,
        extensions: { issuer: policy.issuer },
      });
  };
  const cpuOf = (fn: () => void) => {
    const before = process.cpuUsage();
    fn();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  };
  ours();
  bare();
  const oursCpu: number[] = [];
  const bareCpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareCpu.push(cpuOf(bare));
    oursCpu.push(cpuOf(ours));
  }
  const overhead = (median(oursCpu) / median(bareCpu) - 1) * 100;

  const last = cold[cold.length - 1]!;
  const lastSite = coldSite[coldSite.length - 1]!;
  const rows = [
    {
      measure: `cold \`verify release --tuf-repo\` (4 artifacts + TUF chain), median of ${COLD_RUNS} fresh processes`,
      value: `${ms(median(cold.map((r) => r.verdictMs)))} to verdict (process start to result), ${ms(median(cold.map((r) => r.wallMs)))} spawn to exit`,
      goal: '< 200 ms',
    },
    {
      measure: 'the same: CPU (user + system), whole process / JavaScript thread',
      value: `${ms(median(cold.map((r) => r.cpuMs)))} / ${ms(median(cold.map((r) => r.mainCpuMs)))}`,
      goal: '',
    },
    {
      measure: 'the same: registry HTTP requests / sequential round trips',
      value: `${last.requests} / ${last.roundTrips} (plus ${last.tufReads} TUF files read from the checkout)`,
      goal: '<= 12 / <= 5',
    },
    {
      measure: `cold \`verify release --tuf-url\` (TUF site over http on loopback), median of ${COLD_RUNS}`,
      value: `${ms(median(coldSite.map((r) => r.verdictMs)))} to verdict, CPU ${ms(median(coldSite.map((r) => r.cpuMs)))}`,
      goal: '',
    },
    {
      measure: 'the same: HTTP requests / sequential round trips (registry + TUF site)',
      value: `${lastSite.requests + lastSite.tufReads} / ${lastSite.roundTrips + lastSite.tufReads} (TUF: ${lastSite.tufReads} sequential: root probe, timestamp, snapshot, targets, manifest)`,
      goal: '',
    },
    {
      measure: `${BUNDLES} bundles: verifyBundle CPU (median of ${ROUNDS})`,
      value: ms(median(oursCpu)),
      goal: '',
    },
    {
      measure: `${BUNDLES} bundles: bare @sigstore/verify Verifier CPU (median of ${ROUNDS})`,
      value: ms(median(bareCpu)),
      goal: '',
    },
    {
      measure: 'verifyBundle overhead over bare @sigstore/verify',
      value: `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)} %`,
      goal: '<= 10 %',
    },
  ];
  const table = `${markdownTable(rows)}\n\nMeasured ${new Date().toISOString().slice(0, 10)} on ${process.platform} ${process.arch}, Node ${process.versions.node}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the end; local docker-registry and test Sigstore instance, nothing else on the network.`;
  writeBenchSection(join(here, '..', 'README.md'), table);
  process.stdout.write(`${table}\n`);
} finally {
  await stop();
}
