/**
 * npm run bench (bundled with esbuild so it can use src/ and the test support):
 * - the GitHub API test server's start-up, cold (parses GitHub's 13 MB OpenAPI description) and warm,
 * - the seed's release steps 2 to 6 against it, first run and idempotent rerun: wall time and requests,
 * - validated request throughput (every request and response checked against the description).
 * Writes the table into README.md between the bench markers.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startGitHubApiServer } from '@oci-sd/github-api-server';
import { markdownTable, writeBenchSection, type BenchRow } from '../../../tools/bench/table';
import { findRelease, parseRepo } from '../src/index';
import { startServer, testClient } from '../test/support/helpers';
import { releaseV150, seedRepositories } from '../test/support/seed-flow';

// npm runs the bench in the package directory; the bundle itself lives elsewhere.
const README = join(process.cwd(), 'README.md');
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const rows: BenchRow[] = [];

const [cold, first] = await time(() => startGitHubApiServer());
await first.stop();
const warm: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [t, server] = await time(() => startGitHubApiServer());
  warm.push(t);
  await server.stop();
}
rows.push({
  case: 'test server start, first in process (loads its trimmed OpenAPI description)',
  time: ms(cold),
  requests: '',
});
rows.push({
  case: `test server start, warm (median of ${RUNS})`,
  time: ms(median(warm)),
  requests: '',
});

const firstRuns: number[] = [];
const reruns: number[] = [];
let firstRequests = 0;
let rerunRequests = 0;
for (let i = 0; i < RUNS; i++) {
  const gh = await startServer();
  const client = await testClient(gh);
  const ci = await testClient(gh);
  await seedRepositories(gh, ci);
  const [t1, a] = await time(() => releaseV150(gh, client, ci));
  const [t2, b] = await time(() => releaseV150(gh, client, ci));
  gh.assertNoViolations();
  firstRuns.push(t1);
  reruns.push(t2);
  firstRequests = a.requests;
  rerunRequests = b.requests;
  await gh.stop();
}
rows.push({
  case: `seed release steps 2-6 (release + 2 assets, build, signing PR, check, merge, dispatch, wait), median of ${RUNS}`,
  time: ms(median(firstRuns)),
  requests: firstRequests,
});
rows.push({
  case: `the same release rerun (idempotent: finds everything, creates nothing), median of ${RUNS}`,
  time: ms(median(reruns)),
  requests: rerunRequests,
});

{
  const gh = await startServer();
  const client = await testClient(gh);
  const ci = await testClient(gh);
  await seedRepositories(gh, ci);
  const repo = parseRepo('amaanx86/oci-prometheus-sd-proxy');
  const N = 300;
  await findRelease(client, repo, 'v1.4.1');
  const [t] = await time(async () => {
    for (let i = 0; i < N; i++) await findRelease(client, repo, 'v1.4.1');
  });
  gh.assertNoViolations();
  rows.push({
    case: `GET release by tag through @oci-sd/gh, ${N} sequential requests, each validated both ways`,
    time: `${ms(t / N)} / request (${Math.round((N * 1000) / t)}/s)`,
    requests: N,
  });
  await gh.stop();
}

const table = markdownTable(rows);
console.log(table);
writeBenchSection(
  README,
  `Measured on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, loopback HTTP, virtual time for the waits, load average ${loadavg()[0]!.toFixed(1)} at the end.\n\n${table}`,
);
