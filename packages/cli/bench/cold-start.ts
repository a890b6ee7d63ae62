/**
 * npm run bench: cold starts of the built CLI (`bin/oci-sd.js` on `dist/`), each a fresh Node
 * process, against Node's own start-up; and one whole `oci-sd demo`. Goals: `--help` and
 * `changelog notes` under 150 ms, the demo under a minute. Writes the table into README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownTable, writeBenchSection, type BenchRow } from '../../../tools/bench/table.ts';
import { fixturePath, haveFixtures } from '@oci-sd/test-support';

const BIN = join(process.cwd(), 'bin', 'oci-sd.js');
const RUNS = 21;
const WARMUP = 3;

function timeOnce(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', env });
  const elapsed = performance.now() - start;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

function stats(args: string[]): { median: number; p90: number; min: number } {
  for (let i = 0; i < WARMUP; i++) timeOnce(args);
  const times = Array.from({ length: RUNS }, () => timeOnce(args)).sort((a, b) => a - b);
  return {
    median: times[Math.floor(RUNS / 2)]!,
    p90: times[Math.floor(RUNS * 0.9)]!,
    min: times[0]!,
  };
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

if (!existsSync(join(process.cwd(), 'dist', 'index.js')))
  throw new Error('dist/ is missing: build @oci-sd/cli first');
const scratch = mkdtempSync(join(tmpdir(), 'oci-sd-bench-'));
try {
  const changelog = haveFixtures
    ? fixturePath('changelog', 'oci-prometheus-sd-proxy.CHANGELOG.md')
    : join(scratch, 'CHANGELOG.md');
  if (!haveFixtures) {
    writeFileSync(
      changelog,
      '# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-06-01\n\n### Added\n- x\n\n## [1.4.1] - 2026-05-01\n\n### Fixed\n- y\n',
    );
  }
  const rows: BenchRow[] = [];
  const node = stats(['-e', '']);
  rows.push({
    command: '`node -e ""` (Node start-up, for scale)',
    median: ms(node.median),
    p90: ms(node.p90),
    min: ms(node.min),
    goal: '',
    result: '',
  });
  for (const [label, args] of [
    ['`oci-sd --help`', [BIN, '--help']],
    [
      '`oci-sd changelog notes 1.1.0` (the seed project changelog)',
      [BIN, 'changelog', 'notes', '1.1.0', '--file', changelog],
    ],
    ['`oci-sd release --help`', [BIN, 'release', '--help']],
  ] as const) {
    const s = stats([...args]);
    const goal = label.includes('release') ? '' : '< 150 ms';
    rows.push({
      command: label,
      median: ms(s.median),
      p90: ms(s.p90),
      min: ms(s.min),
      goal,
      result: goal ? (s.median < 150 ? 'met' : 'missed') : '',
    });
  }
  const demo = timeOnce([BIN, 'demo', '--json']);
  rows.push({
    command: '`oci-sd demo` (whole release in the sandbox, 1 run)',
    median: ms(demo),
    p90: '',
    min: '',
    goal: '< 60000 ms',
    result: demo < 60_000 ? 'met' : 'missed',
  });
  const table = `${RUNS} runs after ${WARMUP} warm-ups, each a new \`node\` process (${process.version}, ${new Date().toISOString().slice(0, 10)}).\n\n${markdownTable(rows)}`;
  console.log(table);
  writeBenchSection(join(process.cwd(), 'README.md'), table);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
