import type { Command } from 'commander';
import type { ReleaseFlags } from './release-run';

export function register(program: Command): void {
  program
    .command('release')
    .summary(
      'run the whole release: changelog, GitHub release, build, TUF signing, publish, verify',
    )
    .description(
      'Runs the release steps in order as a resumable state machine: preflight, changelog PR, GitHub release, build workflow, TUF signing event, signing PR merge and TUF publish, verification. State lives in .oci-sd/release-<version>.json; every step first looks at the remote state, so --resume after a crash or Ctrl-C finishes without duplicates. Configuration: oci-sd.config.json or "oci-sd" in package.json.',
    )
    .argument(
      '[version]',
      'X.Y.Z, or major, minor or patch (from the changelog); optional with --resume',
    )
    .option('--resume', 'continue the unfinished release (of [version], or the only one)')
    .option('--dry-run', 'print the plan, the changelog diff and the notes; change nothing')
    .option('-y, --yes', 'do not ask for confirmation (CI)')
    .option('--json', 'one JSON event per line')
    .option('-C, --dir <path>', 'project directory', '.')
    .option(
      '--timeout <minutes>',
      'give up a wait (checks, runs, signatures) after this long',
      '60',
    )
    .option('--poll-interval <seconds>', 'time between two looks at GitHub while waiting', '10')
    .option('--date <YYYY-MM-DD>', 'release date in the changelog (default: today, UTC)')
    .addHelpText(
      'after',
      `
Examples:
  $ oci-sd release minor --dry-run     # plan, CHANGELOG.md diff and release notes
  $ oci-sd release 1.5.0               # release v1.5.0 (asks before changing anything)
  $ oci-sd release patch --yes --json  # in CI: no prompt, JSON events
  $ oci-sd release --resume            # continue after Ctrl-C, a crash or a timeout

Environment: GITHUB_TOKEN or GH_TOKEN (or a gh CLI login); NO_COLOR disables colors.`,
    )
    .action(async (version: string | undefined, flags: ReleaseFlags) => {
      // the libraries load only when a release actually runs, so `release --help` stays fast
      const { runReleaseCommand } = await import('./release-run');
      await runReleaseCommand(version, flags);
    });
}
