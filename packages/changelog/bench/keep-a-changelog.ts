// Child process for the benchmark: keep-a-changelog's parse + stringify of one file, timed.
// Usage: node keep-a-changelog.ts <file> <version>; prints wall and CPU milliseconds as JSON.
import { readFileSync } from 'node:fs';
import { parser } from 'keep-a-changelog';

const [file, version] = process.argv.slice(2);
const text = readFileSync(file!, 'utf8');
const start = performance.now();
const cpuStart = process.cpuUsage();
const changelog = parser(text);
const out = changelog.toString();
const parsedAndPrinted = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
const notes = changelog.findRelease(version)?.toString(changelog) ?? '';
const total = performance.now() - start;
process.stdout.write(
  JSON.stringify({
    parsedAndPrinted,
    cpu: (cpu.user + cpu.system) / 1000,
    total,
    bytes: out.length + notes.length,
  }),
);
