// One cold `verify release` in a fresh process: prints {verdictMs, cpuMs, mainCpuMs, requests, roundTrips, tufReads, ok} as JSON.
// verdictMs counts from process start (Node boot and module loading included); cpuMs is the whole process (GC and
// libuv threads too), mainCpuMs the JavaScript thread alone, the part that bounds the time to verdict.
// TUF is a checkout directory, or `URL ROOT` for a published site. Cold means no metadata cache; with
// `--metadata-dir DIR` first, the run keeps trusted TUF metadata there (a rerun against an unchanged site).
// Plain JavaScript, as the CLI ships: a .ts harness would add Node's type stripping (~40 ms) to every cold run.
import { verifyRelease } from '@oci-sd/verify';
import { RequestCounter } from '@oci-sd/oci';

const args = process.argv.slice(2);
const metadataDir = args[0] === '--metadata-dir' ? args.splice(0, 2)[1] : undefined;
const [release, trustedRoot, tufRepoOrUrl, pinnedRoot] = args;
if (!release || !trustedRoot || !tufRepoOrUrl)
  throw new Error(
    'usage: cold-release.js [--metadata-dir DIR] OWNER/REPO@TAG TRUSTED_ROOT (TUF_REPO | TUF_URL TUF_ROOT)',
  );
const tuf =
  pinnedRoot === undefined ? { repo: tufRepoOrUrl } : { url: tufRepoOrUrl, root: pinnedRoot };
const counter = new RequestCounter();
const report = await verifyRelease({
  release,
  tuf,
  trust: trustedRoot,
  registry: { counter },
  tufCache: metadataDir === undefined ? { kind: 'none' } : { kind: 'dir', dir: metadataDir },
});
const cpu = process.cpuUsage();
const mainCpu = process.threadCpuUsage();
const tufReads = report.checks.find((check) => check.check === 'tuf-target')?.evidence?.requests;
process.stdout.write(
  JSON.stringify({
    ok: report.ok,
    verdictMs: performance.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainCpuMs: (mainCpu.user + mainCpu.system) / 1000,
    requests: counter.requests,
    roundTrips: counter.roundTrips,
    tufReads,
  }),
);
