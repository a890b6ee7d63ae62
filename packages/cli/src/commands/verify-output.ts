import { readFile } from 'node:fs/promises';
import { VerificationError, formatReport } from '@oci-sd/verify';
import type { VerificationReport } from '@oci-sd/verify';
import { CliError } from '../errors';

// What every `verify` subcommand shares: the report on stdout, the JSON error document, input files.

/** Failures whose report is already printed: no second JSON document for them. */
const reportedFailures = new WeakSet<Error>();

/**
 * With --json, scripts get JSON on stdout even when verification cannot run (registry down, bad input):
 * `{ ok: false, error: { code, message } }`; the error still goes to stderr and sets the exit code.
 */
export function jsonErrors<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      const flags = args.find(
        (arg): arg is { json?: boolean } =>
          typeof arg === 'object' && arg !== null && 'json' in arg,
      );
      if (flags?.json && !(error instanceof Error && reportedFailures.has(error))) {
        const code = (error as { code?: unknown }).code;
        process.stdout.write(
          `${JSON.stringify({ ok: false, error: { code: typeof code === 'string' ? code : 'UNKNOWN', message: (error as Error).message } }, null, 2)}\n`,
        );
      }
      throw error;
    }
  };
}

/** Prints the report; a failed verification exits 1 through the error it throws. */
export function emit(report: VerificationReport, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(formatReport(report, { color }));
  }
  if (!report.ok) {
    const failed = report.checks.filter((check) => check.status === 'fail');
    const error = new VerificationError(
      failed[0]?.code ?? 'SIGNATURE_INVALID',
      `verification failed: ${failed.map((check) => check.check).join(', ')}`,
      {
        expected: 'every check passes',
        found: failed.map((check) => `${check.check}: ${check.status}`),
      },
    );
    reportedFailures.add(error);
    throw error;
  }
}

export async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new CliError('USAGE', `cannot read ${what} ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}
