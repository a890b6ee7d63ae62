import type { CheckResult, RejectedCandidate, VerificationReport } from '../types';

export interface FormatOptions {
  /** ANSI colours (only on a terminal, never with NO_COLOR). */
  color?: boolean;
  /** Show expected and found for failed checks, and the candidates each check rejected (default true). */
  details?: boolean;
}

const MARKS = { pass: '✓', fail: '✗', skip: '-' } as const;

/** A report for people: one line per check with a mark, expected and found under each failure. */
export function formatReport(report: VerificationReport, options: FormatOptions = {}): string {
  const paint = painter(options.color === true);
  const lines: string[] = [];
  if (report.image)
    lines.push(
      `${paint.bold('image')} ${escapeControl(report.image.reference)} ${paint.dim('->')} ${report.image.digest}`,
    );
  else if (report.artifact) lines.push(`${paint.bold('artifact')} ${report.artifact.digest}`);
  for (const check of report.checks) {
    const mark =
      check.status === 'pass'
        ? paint.green(MARKS.pass)
        : check.status === 'fail'
          ? paint.red(MARKS.fail)
          : paint.dim(MARKS.skip);
    lines.push(`${mark} ${escapeControl(check.check)}: ${escapeControl(check.summary)}`);
    if (options.details !== false) {
      if (check.status === 'fail') lines.push(...failureDetails(check));
      lines.push(...rejectedCandidates(check));
    }
  }
  for (const warning of report.warnings ?? [])
    lines.push(`${paint.yellow('!')} warning: ${warning.message}`);
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const passed = report.checks.filter((check) => check.status === 'pass').length;
  lines.push(
    report.ok
      ? paint.green(`PASSED: ${plural(passed, 'check')} verified`)
      : paint.red(`FAILED: ${failed} of ${plural(report.checks.length, 'check')} failed`),
  );
  return `${lines.join('\n')}\n`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function failureDetails(check: CheckResult): string[] {
  const details: string[] = [];
  if (check.code) details.push(`    code:     ${check.code}`);
  if (check.expected !== undefined) details.push(`    expected: ${describe(check.expected)}`);
  if (check.found !== undefined) details.push(`    found:    ${describe(check.found)}`);
  return details;
}

/** Every candidate the check turned down, passed or not: a malformed or foreign signature is worth seeing. */
function rejectedCandidates(check: CheckResult): string[] {
  const rejected = (check.evidence?.rejected ?? []) as RejectedCandidate[];
  return rejected.map(
    (candidate) =>
      `    rejected: ${escapeControl(candidate.location)}: ${candidate.code}: ${escapeControl(candidate.reason)}`,
  );
}

function describe(value: unknown): string {
  return escapeControl(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * Summaries and reasons quote what signers and pushers chose (predicate types, SANs, annotations): control
 * characters in them are shown escaped (`\u001b`), never sent to the terminal.
 */
function escapeControl(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// eslint-disable-next-line no-control-regex -- matching them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

function painter(enabled: boolean) {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}
