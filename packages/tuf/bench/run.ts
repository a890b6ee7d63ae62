/**
 * npm run bench (bundled with esbuild so it can use src/ and the test repo builder):
 * - cold verify of the amaanx86 chain (the `oci-sd tuf verify` work: refresh + v1.5.0 manifest),
 * - refresh of a 10,000-target repository served over loopback HTTP, @oci-sd/tuf vs tuf-js,
 *   with ed25519 and ecdsa P-256 keys (the key types tuf-js verifies correctly),
 * - one sigstore-oidc signature vs one bare @sigstore/verify Verifier.verify call.
 * Writes the table into README.md between the bench markers.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { Updater as TufJsUpdater } from 'tuf-js';
import { markdownTable, writeBenchSection, type BenchRow } from '../../../tools/bench/table';
import {
  fixturePath,
  haveFixtures,
  RepoBuilder,
  RepoServer,
  type KeyScheme,
} from '@oci-sd/test-support';
import {
  Updater,
  canonicalize,
  publicGoodTrustedRoot,
  verifySignature,
  type SignedMetadata,
  type TufKey,
} from '../src/index';

// Bundled into node_modules/.cache: paths come from the package directory npm runs the script in.
const README = join(process.cwd(), 'README.md');
const scratch = mkdtempSync(join(tmpdir(), 'tuf-bench-'));
let dirs = 0;
const freshDir = () => mkdtempSync(join(scratch, `${dirs++}-`));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function medianOf(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await time(fn));
  return median(samples);
}

const progress = (step: string) => process.stderr.write(`bench: ${step}\n`);
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const rows: BenchRow[] = [];

if (haveFixtures) {
  const repo = fixturePath('tuf', 'amaanx86');
  const verifyChain = async () => {
    const metadataDir = freshDir();
    cpSync(join(repo, 'metadata', 'root_history', '1.root.json'), join(metadataDir, 'root.json'));
    const updater = new Updater({
      metadataDir,
      repositoryDir: repo,
      targetDir: join(metadataDir, 't'),
      now: new Date('2026-04-20T12:00:00Z'),
    });
    await updater.downloadTarget(
      (await updater.getTargetInfo('oci-prometheus-sd-proxy/releases/v1.5.0.json'))!,
    );
  };
  progress('amaanx86 chain');
  const first = await time(verifyChain);
  const warm = await medianOf(10, verifyChain);
  rows.push({
    case: 'amaanx86 chain, cold verify to the v1.5.0 manifest (4 sigstore-oidc signatures), first in process',
    '@oci-sd/tuf': ms(first),
    'tuf-js': 'cannot (sigstore-oidc)',
    ratio: '',
  });
  rows.push({
    case: 'amaanx86 chain, cold verify (fresh metadata dir), median of 10',
    '@oci-sd/tuf': ms(warm),
    'tuf-js': 'cannot (sigstore-oidc)',
    ratio: '',
  });

  const root = JSON.parse(
    readFileSync(join(repo, 'metadata', 'root_history', '1.root.json'), 'utf8'),
  ) as SignedMetadata & { signed: { keys: Record<string, TufKey> } };
  const targets = JSON.parse(
    readFileSync(join(repo, 'metadata', 'targets.json'), 'utf8'),
  ) as SignedMetadata;
  const signature = targets.signatures[0]!;
  const key = root.signed.keys[signature.keyid]!;
  const bytes = canonicalize(targets.signed);
  progress('oci-sd tuf verify (process)');
  // The published CLI as a user runs it: a new Node process per verify (module load, trust material, four signatures).
  const workspace = join(process.cwd(), '..', '..');
  execFileSync('npx', ['nx', 'run', '@oci-sd/cli:build', '--output-style=static'], {
    cwd: workspace,
    stdio: 'ignore',
  });
  const cli = [
    join(workspace, 'packages', 'cli', 'bin', 'oci-sd.js'),
    'tuf',
    'verify',
    '--repo',
    repo,
    '--root',
    join(repo, 'metadata', 'root_history', '1.root.json'),
    '--at',
    '2026-04-20T12:00:00Z',
    '--target',
    'oci-prometheus-sd-proxy/releases/v1.5.0.json',
  ];
  const processRun = await medianOf(5, () =>
    execFileSync(process.execPath, cli, { stdio: 'ignore' }),
  );
  rows.push({
    case: 'cold `oci-sd tuf verify --repo … --target …v1.5.0.json` (new process), median of 5',
    '@oci-sd/tuf': ms(processRun),
    'tuf-js': 'cannot (sigstore-oidc)',
    ratio: '',
  });

  progress('sigstore-oidc signature');
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(publicGoodTrustedRoot())));
  verifySignature(key, signature, bytes);
  const ours = await medianOf(50, () => {
    if (!verifySignature(key, signature, bytes).valid)
      throw new Error('bench: signature must verify');
  });
  const bare = await medianOf(50, () =>
    verifier.verify(toSignedEntity(bundleFromJSON(signature.bundle), bytes)),
  );
  rows.push({
    case: 'one sigstore-oidc signature (targets.json) vs one bare @sigstore/verify call, median of 50',
    '@oci-sd/tuf': ms(ours),
    'tuf-js': `@sigstore/verify: ${ms(bare)}`,
    ratio: (ours / bare).toPrecision(2),
  });
}

/**
 * Cold refresh (fresh metadata dir: root probe, timestamp, snapshot, targets.json) plus one lookup,
 * both clients against the same loopback server, interleaved so that they see the same machine load.
 * tuf-js builds its targets map with an object spread per entry (quadratic): at 10,000 targets
 * one run takes minutes, so it runs fewer times there.
 */
async function largeRepository(
  scheme: KeyScheme,
  targetCount: number,
  runs: number,
  tufJsRuns: number,
): Promise<void> {
  progress(`${targetCount} targets, ${scheme}`);
  const repo = new RepoBuilder(scheme);
  for (let i = 0; i < targetCount; i++)
    repo.addTarget(`app/releases/v${i}.json`, `{"release":${i}}\n`);
  await repo.publish();
  const server = await new RepoServer(repo).start();
  const wanted = `app/releases/v${targetCount - 1}.json`;
  const pinnedDir = () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'root.json'), repo.initialRoot);
    return dir;
  };
  const ours = async () => {
    const updater = new Updater({ metadataDir: pinnedDir(), metadataBaseUrl: server.metadataUrl });
    await updater.refresh();
    if (!(await updater.getTargetInfo(wanted))) throw new Error('bench: target must be found');
  };
  const theirs = async () => {
    const updater = new TufJsUpdater({
      metadataDir: pinnedDir(),
      metadataBaseUrl: server.metadataUrl,
    });
    await updater.refresh();
    if (!(await updater.getTargetInfo(wanted))) throw new Error('bench: target must be found');
  };
  try {
    await ours();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(await time(ours));
      if (i < tufJsRuns) b.push(await time(theirs));
    }
    const [oursMs, theirsMs] = [median(a), median(b)];
    rows.push({
      case: `${targetCount.toLocaleString('en')} targets, ${scheme} keys, cold refresh + lookup over HTTP, median of ${runs} (tuf-js: ${tufJsRuns})`,
      '@oci-sd/tuf': ms(oursMs),
      'tuf-js': ms(theirsMs),
      ratio: (oursMs / theirsMs).toPrecision(2),
    });
  } finally {
    await server.stop();
  }
}

for (const scheme of ['ed25519', 'ecdsa-sha2-nistp256'] as const) {
  await largeRepository(scheme, 1_000, 7, 7);
  await largeRepository(scheme, 10_000, 5, 1);
}

const table = `${markdownTable(rows)}\n\nratio = @oci-sd/tuf / other (below 1 is faster). Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}.`;
writeBenchSection(README, table);
console.log(table);
rmSync(scratch, { recursive: true, force: true });
