import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface BenchRow {
  [column: string]: string | number;
}

export function markdownTable(rows: readonly BenchRow[]): string {
  if (!rows.length) return '';
  const columns = Object.keys(rows[0]!);
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [
    line(columns),
    line(columns.map(() => '---')),
    ...rows.map((r) => line(columns.map((c) => r[c] ?? ''))),
  ].join('\n');
}

/** Replaces the text between `<!-- bench:start -->` and `<!-- bench:end -->` in a README (temp file, then rename). */
export function writeBenchSection(readmePath: string, markdown: string): void {
  const text = readFileSync(readmePath, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i
      ? text.slice(0, i) + block + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n## Benchmark\n\n${block}\n`;
  writeFileSync(`${readmePath}.tmp`, next);
  renameSync(`${readmePath}.tmp`, readmePath);
}
