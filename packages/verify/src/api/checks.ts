import type { StageOutcome } from '../checks/bundle';
import type { CheckResult } from '../types';

export function toCheck(
  check: string,
  outcome: StageOutcome,
  evidence?: Record<string, unknown>,
): CheckResult {
  return {
    check,
    status: outcome.status,
    summary: outcome.message,
    ...('expected' in outcome ? { expected: outcome.expected } : {}),
    ...('found' in outcome ? { found: outcome.found } : {}),
    ...(evidence ? { evidence } : {}),
  };
}
