// npm run bench: @oci-sd/changelog on generated 6 and 12 MB changelogs, in process and as a
// whole CLI process, against keep-a-changelog's parse + stringify on the same input.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseChangelog } from '@oci-sd/changelog';
import { markdownTable, writeBenchSection } from '../../../tools/bench/table.ts';
import type { BenchRow } from '../../../tools/bench/table.ts';
import { generateChangelog } from './generate.ts';

const MB = 1_000_000;
const RUNS = 11;
const KAC_CAP_MS = 120_000;
const KAC_RUNS = 3;
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
const cliBin = join(root, 'packages/cli/bin/oci-sd.js');

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Timing {
  /** Median wall-clock time. */
  wall: number;
  /** Lowest CPU time of the runs: what the code costs, least disturbed by other jobs on the machine. */
  cpu: number;
}

function time(fn: () => unknown, runs = RUNS): Timing {
  fn(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    fn();
    const used = process.cpuUsage(cpuStart);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: Math.min(...cpu) };
}

const reportCpu = join(here, 'report-cpu.mjs');

/** A whole process: wall clock, and its CPU time (all threads, microsecond resolution) as it reports it on exit. */
function timeProcess(args: string[]): Timing {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, ['--import', reportCpu, ...args], {
      encoding: 'utf8',
    });
    wall.push(performance.now() - start);
    if (result.status !== 0)
      throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    const used = /bench-cpu-us (\d+)\s*$/.exec(result.stderr);
    if (!used) throw new Error(`${args.join(' ')} did not report its CPU time: ${result.stderr}`);
    cpu.push(Number(used[1]) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const ms = (value: number | undefined) =>
  value === undefined
    ? 'n/a'
    : value >= 1000
      ? `${(value / 1000).toFixed(1)} s`
      : `${value.toFixed(1)} ms`;
const both = (t: Timing | undefined) =>
  t === undefined ? 'n/a' : `${ms(t.wall)} (cpu ${Number.isNaN(t.cpu) ? 'n/a' : ms(t.cpu)})`;
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b)
    ? 'n/a'
    : `${(a / b).toFixed(2)}x`;

function buildCli(): boolean {
  try {
    execFileSync('npx', ['nx', 'run', '@oci-sd/cli:build', '--output-style=static'], {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
  } catch (error) {
    console.error(
      `building the CLI failed, so its process is not timed:\n${String((error as { stdout?: unknown }).stdout ?? error).slice(-2000)}`,
    );
  }
  return existsSync(join(root, 'packages/cli/dist/index.js'));
}

/** keep-a-changelog in `runs` child processes: the median wall and CPU time (it varies by a third from run to run here). */
function keepAChangelog(file: string, version: string, runs: number): Timing | undefined {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = spawnSync(process.execPath, [join(here, 'keep-a-changelog.ts'), file, version], {
      encoding: 'utf8',
      timeout: KAC_CAP_MS,
    });
    if (result.status !== 0) {
      console.error(
        `keep-a-changelog did not finish within ${KAC_CAP_MS / 1000} s (or failed): ${result.error?.message ?? result.stderr}`,
      );
      return undefined;
    }
    const timing = JSON.parse(result.stdout) as { parsedAndPrinted: number; cpu: number };
    wall.push(timing.parsedAndPrinted);
    cpu.push(timing.cpu);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const dir = mkdtempSync(join(tmpdir(), 'changelog-bench-'));
try {
  const haveCli = buildCli();
  const inputs = [6 * MB, 12 * MB].map((size) => {
    const { text, versions } = generateChangelog(size);
    const file = join(dir, `CHANGELOG-${size / MB}MB.md`);
    writeFileSync(file, text);
    return { size, text, file, versions, latest: versions[0]! };
  });
  const half = generateChangelog(3 * MB);
  const halfFile = join(dir, 'CHANGELOG-3MB.md');
  writeFileSync(halfFile, half.text);

  const measure = (op: (input: (typeof inputs)[number]) => unknown) =>
    inputs.map((input) => time(() => op(input)));
  const ours: [string, Timing[]][] = [
    [
      'parse + promote minor (new text and diff)',
      measure(({ text }) => parseChangelog(text).promote('minor', { date: '2026-06-01' })),
    ],
    [
      'parse + notes of the latest release',
      measure(({ text, latest }) => parseChangelog(text).notes(latest)),
    ],
    [
      'parse + notes of the oldest release',
      measure(({ text, versions }) => parseChangelog(text).notes(versions.at(-1)!)),
    ],
    ['parse + validate', measure(({ text }) => parseChangelog(text).validate())],
  ];
  const cliCommands: [string, (input: (typeof inputs)[number]) => string[]][] = [
    ['notes', (input) => ['notes', input.latest, '--file', input.file]],
    // --dry-run computes the new text and the diff and writes nothing, so every run sees the same file.
    [
      'promote minor --dry-run',
      (input) => ['promote', 'minor', '--date', '2026-06-01', '--dry-run', '--file', input.file],
    ],
  ];
  const cli = haveCli
    ? cliCommands.map(
        ([name, args]) =>
          [
            name,
            inputs.map((input) => timeProcess([cliBin, 'changelog', ...args(input)])),
          ] as const,
      )
    : undefined;
  const nodeStartup = timeProcess(['-e', '0']);
  console.log(`keep-a-changelog on 3 MB (once) and 6 MB (${KAC_RUNS} runs), capped ...`);
  const kac3 = keepAChangelog(halfFile, half.versions[0]!, 1);
  const kac6 = keepAChangelog(inputs[0]!.file, inputs[0]!.latest, KAC_RUNS);

  const rows: BenchRow[] = [
    ...ours.map(([operation, [six, twelve]]) => ({
      operation: `@oci-sd/changelog: ${operation}`,
      '6 MB': both(six),
      '12 MB': both(twelve),
      '12 MB / 6 MB (cpu)': ratio(twelve?.cpu, six?.cpu),
      'keep-a-changelog / this, 6 MB (cpu)': ratio(kac6?.cpu, six?.cpu),
    })),
    ...(cli
      ? cli.map(([name, [six, twelve]]) => ({
          operation: `\`oci-sd changelog ${name}\` whole CLI process`,
          '6 MB': both(six),
          '12 MB': both(twelve),
          '12 MB / 6 MB (cpu)': ratio(twelve?.cpu, six?.cpu),
          'keep-a-changelog / this, 6 MB (cpu)': ratio(kac6?.cpu, six?.cpu),
        }))
      : [
          {
            operation: '`oci-sd changelog` whole CLI process',
            '6 MB': 'not built',
            '12 MB': 'not built',
            '12 MB / 6 MB (cpu)': 'n/a',
            'keep-a-changelog / this, 6 MB (cpu)': 'n/a',
          },
        ]),
    {
      operation: '`node -e 0` (process start alone, for scale)',
      '6 MB': both(nodeStartup),
      '12 MB': both(nodeStartup),
      '12 MB / 6 MB (cpu)': '-',
      'keep-a-changelog / this, 6 MB (cpu)': '-',
    },
    {
      operation: `keep-a-changelog 3.1: parse + stringify (6 MB: median of ${KAC_RUNS} runs)`,
      '6 MB': both(kac6),
      '12 MB': `not run; 3 MB: ${both(kac3)}`,
      '12 MB / 6 MB (cpu)': `6 MB / 3 MB: ${ratio(kac6?.cpu, kac3?.cpu)}`,
      'keep-a-changelog / this, 6 MB (cpu)': '1x',
    },
  ];
  const [six, twelve] = inputs;
  const note = [
    `Inputs: generated changelogs of ${(six!.text.length / MB).toFixed(1)} MB (${six!.versions.length} versions) and ${(twelve!.text.length / MB).toFixed(1)} MB (${twelve!.versions.length} versions), with Added/Changed/Fixed, nested lists, release candidates and a link reference per version.`,
    `Each cell: the median wall-clock time of ${RUNS} runs (in process: after a warm-up), and in brackets CPU time (user + system, all threads, garbage collector and compiler threads included), which other jobs on a shared machine disturb least: in process the lowest of the runs, for a whole process the median, as the process reports it on exit. Ratios use CPU time. keep-a-changelog runs in a child process, ${KAC_RUNS} times on 6 MB and once on 3 MB, each run capped at ${KAC_CAP_MS / 1000} s.`,
    `Machine: Node ${process.version}, ${cpus().length} cores shared with other jobs (load average ${loadavg()[0]!.toFixed(1)} at the end of the run). Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.`,
  ].join('\n');
  const table = `${markdownTable(rows)}\n\n${note}`;
  console.log(table);
  writeBenchSection(join(here, '../README.md'), table);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
