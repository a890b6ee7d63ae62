/** A row of the job summary table: a label and markdown (use `code()` or `link()` for values). */
export type SummaryRow = readonly [label: string, markdown: string];

/** The release job's summary: a heading and a two-column table (image with digest, TUF manifest, signing PR, ...). */
export function summaryTable(heading: string, rows: readonly SummaryRow[]): string {
  const lines = [
    `### ${heading}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([label, value]) => `| ${cell(label)} | ${value} |`),
  ];
  return `${lines.join('\n')}\n\n`;
}

/** Inline code, safe inside a table cell. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${cell(text)}${fence}`;
}

/** Plain text (e.g. values read from a release asset), safe inside a table cell. */
export function plain(text: string): string {
  return cell(text).replace(/[\\`*_[\]<>]/g, '\\$&');
}

export function link(text: string, url: string): string {
  return `[${cell(text).replace(/[[\]]/g, '\\$&')}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
