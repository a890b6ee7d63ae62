// One cold `verify release` in a fresh process: prints {verdictMs, cpuMs, requests, roundTrips, ok} as JSON.
// verdictMs counts from process start (Node boot and module loading included).
import { RequestCounter, verifyRelease } from '@oci-sd/verify';

const [release, tufRepo, trustedRoot] = process.argv.slice(2);
if (!release || !tufRepo || !trustedRoot) throw new Error('usage: cold-release.ts OWNER/REPO@TAG TUF_REPO TRUSTED_ROOT');
const counter = new RequestCounter();
const report = await verifyRelease({ release, tuf: { repo: tufRepo }, trust: trustedRoot, registry: { counter } });
const cpu = process.cpuUsage();
const tufReads = (report.checks.find((check) => check.check === 'tuf-target')?.evidence as { requests?: number } | undefined)?.requests;
process.stdout.write(JSON.stringify({
  ok: report.ok,
  verdictMs: performance.now(),
  cpuMs: (cpu.user + cpu.system) / 1000,
  requests: counter.requests,
  roundTrips: counter.roundTrips,
  tufReads,
}));
