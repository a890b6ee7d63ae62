import { ChangelogError, formatProblem, promoteFile, readChangelog } from '@oci-sd/changelog';
import { Option } from 'commander';
import type { Command } from 'commander';

const EXAMPLES = `
Examples:
  $ oci-sd changelog promote 1.5.0 --date 2026-06-01   # Unreleased becomes [1.5.0] - 2026-06-01
  $ oci-sd changelog promote minor --dry-run           # show the change as a unified diff, write nothing
  $ oci-sd changelog notes 1.5.0 --repo amaanx86/oci-prometheus-sd-proxy > notes.md
  $ oci-sd changelog validate --json                   # every problem with line and column
  $ oci-sd changelog next                              # the version the Unreleased entries call for

Errors print as file:line:col: message and exit with 2; the file is never left half-written.`;

function fileOption(): Option {
  return new Option('--file <path>', 'the changelog').default('CHANGELOG.md');
}

function versionIndexOption(): Option {
  return new Option(
    '--version-index <n>',
    'which version of a heading naming several (## [1.41.0/0.63.0/0.17.0]) is the release, from 0 (default: 0, the first)',
  ).argParser((value: string) => {
    if (!/^\d+$/.test(value))
      throw new ChangelogError('INVALID_OPTION', `--version-index "${value}" is not 0, 1, 2, ...`, {
        expected: 'a non-negative integer',
        found: value,
      });
    return Number(value);
  });
}

function parseOptions(opts: { versionIndex?: number }): { versionIndex?: number } {
  return opts.versionIndex !== undefined ? { versionIndex: opts.versionIndex } : {};
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** With --json, a refusal is JSON on stdout too (code, file, line, column, expected, found); the exit code stays 2. */
async function reportingJson(json: boolean | undefined, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (json && error instanceof ChangelogError) {
      const { code, message, file, line, column, expected, found } = error;
      printJson({
        error: {
          code,
          message,
          file: file ?? null,
          line: line ?? null,
          column: column ?? null,
          expected: expected ?? null,
          found: found ?? null,
        },
      });
    }
    throw error;
  }
}

interface ValidateCommandOptions {
  file: string;
  json?: boolean;
  strict?: boolean;
  changeTypes?: string;
  versionIndex?: number;
}

export function register(program: Command): void {
  const changelog = program
    .command('changelog')
    .description('Keep a Changelog: promote Unreleased, release notes, validate, next version')
    .addHelpText('after', EXAMPLES);

  changelog
    .command('promote')
    .description(
      'turn Unreleased into a version section under a fresh empty Unreleased, and update the link references',
    )
    .argument('<version>', 'X.Y.Z[-PRERELEASE], or major, minor or patch from the latest release')
    .option('--date <YYYY-MM-DD>', 'release date (default: today, UTC)')
    .addOption(fileOption())
    .option(
      '--tag-prefix <prefix>',
      'tag prefix for new link references (default: as the links show, else v)',
    )
    .option('--dry-run', 'print the change as a unified diff and write nothing')
    .addOption(versionIndexOption())
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd changelog promote 1.5.0 --date 2026-06-01\n  $ oci-sd changelog promote patch --file docs/CHANGELOG.md --dry-run',
    )
    .action(
      (
        target: string,
        opts: {
          date?: string;
          file: string;
          tagPrefix?: string;
          dryRun?: boolean;
          json?: boolean;
          versionIndex?: number;
        },
      ) =>
        reportingJson(opts.json, async () => {
          const result = await promoteFile(opts.file, target, {
            ...parseOptions(opts),
            ...(opts.date !== undefined ? { date: opts.date } : {}),
            ...(opts.tagPrefix !== undefined ? { tagPrefix: opts.tagPrefix } : {}),
            dryRun: opts.dryRun === true,
          });
          if (opts.json) {
            const { file, version, date, previousVersion, written, diff } = result;
            printJson({
              file,
              version,
              date,
              previousVersion: previousVersion ?? null,
              written,
              diff,
            });
          } else if (opts.dryRun) {
            process.stdout.write(result.diff);
          } else {
            print(`${result.file}: Unreleased is now ${result.version} (${result.date})`);
          }
        }),
    );

  changelog
    .command('notes')
    .description(
      "print a version's GitHub release notes: its section with ### shown as ##, then the Full Changelog link",
    )
    .argument('[version]', 'the released version, e.g. 1.5.0 or v1.5.0')
    .option('--unreleased', 'notes of the Unreleased section instead, compared with HEAD')
    .addOption(
      new Option(
        '--repo <owner/repo>',
        'repository for the compare link (default: from the link references)',
      ).env('GITHUB_REPOSITORY'),
    )
    .addOption(
      new Option(
        '--server-url <url>',
        'GitHub (Enterprise) server URL (default: from the link references, else https://github.com)',
      ).env('GITHUB_SERVER_URL'),
    )
    .option(
      '--tag-prefix <prefix>',
      "prefix that turns a version into its tag; '' for bare versions (default: from the links, else v)",
    )
    .addOption(fileOption())
    .addOption(versionIndexOption())
    .option('--json', 'print the notes and their tags as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd changelog notes 1.5.0 > notes.md\n  $ oci-sd changelog notes --unreleased   # what the next release will say, compared with HEAD\n  $ oci-sd changelog notes 2.0.0 --server-url https://ghe.example.com --repo acme/app --tag-prefix ""',
    )
    .action(
      (
        version: string | undefined,
        opts: {
          unreleased?: boolean;
          repo?: string;
          serverUrl?: string;
          tagPrefix?: string;
          file: string;
          json?: boolean;
          versionIndex?: number;
        },
      ) =>
        reportingJson(opts.json, async () => {
          if ((version === undefined) === (opts.unreleased !== true))
            throw new ChangelogError(
              'INVALID_OPTION',
              version === undefined
                ? 'say which notes: a version, or --unreleased'
                : `a version (${version}) and --unreleased: say one`,
              { expected: 'a version or --unreleased', found: version ?? 'neither' },
            );
          const changelog = await readChangelog(opts.file, parseOptions(opts));
          const notesOptions = {
            ...(opts.repo !== undefined ? { repo: opts.repo } : {}),
            ...(opts.serverUrl !== undefined ? { serverUrl: opts.serverUrl } : {}),
            ...(opts.tagPrefix !== undefined ? { tagPrefix: opts.tagPrefix } : {}),
          };
          const notes =
            version === undefined
              ? changelog.unreleasedNotes(notesOptions)
              : changelog.notes(version, notesOptions);
          if (opts.json) printJson(notes);
          else print(notes.body);
        }),
    );

  changelog
    .command('validate')
    .description(
      'check versions, order, dates, Unreleased, link references and empty sections; exit 2 on any error',
    )
    .addOption(fileOption())
    .option('--strict', 'treat warnings as errors (exit 2 on any problem)')
    .option(
      '--change-types <list>',
      'the ### headings allowed, comma-separated (default: Added, Changed, Deprecated, Removed, Fixed, Security)',
    )
    .addOption(versionIndexOption())
    .option('--json', 'print the problems as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd changelog validate\n  $ oci-sd changelog validate --strict --change-types "Added,Changed,Fixed,Performance"\n  $ oci-sd changelog validate --file CHANGELOG.md --json | jq .problems',
    )
    .action(async (opts: ValidateCommandOptions) => {
      const problems = (await readChangelog(opts.file, parseOptions(opts))).validate({
        ...(opts.strict ? { strict: true } : {}),
        ...(opts.changeTypes !== undefined
          ? {
              changeTypes: opts.changeTypes
                .split(',')
                .map((t) => t.trim())
                .filter(Boolean),
            }
          : {}),
      });
      const errors = problems.filter((p) => p.severity === 'error').length;
      if (opts.json)
        printJson({
          file: opts.file,
          valid: errors === 0,
          problems: problems.map((p) => ({ file: opts.file, ...p })),
        });
      else if (problems.length) print(problems.map((p) => formatProblem(p, opts.file)).join('\n'));
      else print(`${opts.file}: valid`);
      if (errors) {
        throw new ChangelogError(
          'INVALID_CHANGELOG',
          `${errors} error${errors === 1 ? '' : 's'}, ${problems.length - errors} warning${problems.length - errors === 1 ? '' : 's'}`,
          {
            file: opts.file,
            expected: 'no errors',
            found: errors,
          },
        );
      }
    });

  changelog
    .command('next')
    .description(
      'print the version the Unreleased entries call for (Removed or BREAKING: major; Added, Changed, Deprecated: minor; else patch)',
    )
    .addOption(fileOption())
    .option('--preid <id>', 'suggest a prerelease, e.g. rc')
    .option('--pre <id>', 'the same as --preid: --pre rc gives X.Y.Z-rc.0, then -rc.1, ...')
    .addOption(
      new Option(
        '--breaking-below-one <bump>',
        'what a breaking change bumps below 1.0.0 (0.3.0 -> 0.4.0 by default, as changesets and release-please do)',
      )
        .choices(['minor', 'major'])
        .default('minor'),
    )
    .option('--json', 'print the version, the bump and the reasons as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oci-sd changelog next\n  $ oci-sd changelog promote "$(oci-sd changelog next --preid rc)"',
    )
    .addOption(versionIndexOption())
    .action(
      (opts: {
        file: string;
        preid?: string;
        pre?: string;
        breakingBelowOne: 'minor' | 'major';
        json?: boolean;
        versionIndex?: number;
      }) =>
        reportingJson(opts.json, async () => {
          const preid = opts.preid ?? opts.pre;
          const next = (await readChangelog(opts.file, parseOptions(opts))).nextVersion({
            ...(preid !== undefined ? { preid } : {}),
            breakingBelowOne: opts.breakingBelowOne,
          });
          if (opts.json) printJson(next);
          else print(next.version);
        }),
    );
}
