import { relative } from 'node:path';
import { ChangelogError, readChangelog } from '@oci-sd/changelog';
import type { Problem } from '@oci-sd/changelog';
import type { GitHubContext } from '../context';
import { ActionError } from '../errors';
import { booleanInput, listInput, optionalInput } from '../io';
import type { ActionIO } from '../io';
import { code, plain } from '../summary';

/** At most this many problems become annotations and summary rows (GitHub shows 10 annotations of each kind per step anyway). */
const LISTED = 50;

function versionIndexInput(io: ActionIO): number | undefined {
  const value = optionalInput(io, 'version-index');
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new ActionError(
      'INVALID_INPUT',
      `input "version-index": expected 0, 1, 2, ..., found "${value}"`,
      { expected: 'a non-negative integer', found: value },
    );
  return Number(value);
}

function problemTable(file: string, problems: readonly Problem[]): string {
  const rows = problems
    .slice(0, LISTED)
    .map(
      (p) =>
        `| ${code(`${file}:${p.line}:${p.column}`)} | ${p.severity} | ${code(p.code)} | ${plain(p.message)} |`,
    );
  const more = problems.length > LISTED ? `\n\n${problems.length - LISTED} more not shown.` : '';
  return `| where | severity | code | problem |\n| --- | --- | --- | --- |\n${rows.join('\n')}${more}\n\n`;
}

/**
 * `command: changelog-validate`, for pull request checks: every problem becomes an annotation on
 * its line (`::error file=…,line=…,col=…::`), the job summary lists them whether the check passes
 * or fails, and any error (any problem with `strict`) fails the step.
 */
export async function changelogValidateCommand(
  io: ActionIO,
  context: GitHubContext,
): Promise<void> {
  const path = context.resolvePath(optionalInput(io, 'changelog') ?? 'CHANGELOG.md');
  const strict = booleanInput(io, 'strict', false);
  const changeTypes = listInput(io, 'change-types');
  const versionIndex = versionIndexInput(io);
  // Annotations name the file as the repository does: relative to the workspace.
  const shown = relative(context.workspace, path) || path;
  const changelog = await readChangelog(path, versionIndex !== undefined ? { versionIndex } : {});
  const problems = changelog.validate({
    strict,
    ...(changeTypes.length ? { changeTypes } : {}),
  });
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  for (const p of problems.slice(0, LISTED))
    io.annotate(p.severity, `${p.message} [${p.code}]`, {
      file: shown,
      line: p.line,
      column: p.column,
    });
  io.setOutput('valid', String(errors === 0));
  io.setOutput('result', JSON.stringify({ file: shown, valid: errors === 0, problems }));
  const verdict = errors
    ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`
    : problems.length
      ? `valid, ${warnings} warning${warnings === 1 ? '' : 's'}`
      : 'valid';
  io.info(`${shown}: ${verdict}`);
  await io.appendSummary(
    `### Changelog ${code(shown)}: ${verdict}\n\n${problems.length ? problemTable(shown, problems) : ''}`,
  );
  if (errors)
    throw new ChangelogError('INVALID_CHANGELOG', verdict, {
      file: shown,
      expected: 'no errors',
      found: errors,
    });
}
