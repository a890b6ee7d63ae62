import type { CheckResult, VerificationReport } from '../../src/index';

/** The commit the round-trip images are built from. */
export const COMMIT = '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';

/** One check of a report by name; fails the test, listing the checks there are, when it is missing. */
export function check(report: VerificationReport, name: string): CheckResult {
  const found = report.checks.find((c) => c.check === name);
  if (!found)
    throw new Error(
      `no check ${name} in ${report.checks.map((c) => `${c.check}=${c.status}`).join(', ')}`,
    );
  return found;
}
