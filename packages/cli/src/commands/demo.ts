import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('demo')
    .summary('run a whole release end to end in a local sandbox (no account, no network)')
    .description(
      'Builds a sandbox in a temp folder (a sample project with a changelog and a git remote, a TUF-on-CI repository, the GitHub API test server, a test Sigstore instance, an OCI image layout as the registry), runs `oci-sd release minor` end to end while simulated workflows build, sign, attest and publish, then verifies the release as a consumer. Everything stops when it ends.',
    )
    .option('--json', 'one JSON event per line')
    .option('--keep', 'keep the sandbox folder for inspection')
    .option(
      '--registry <host>',
      'push to this registry (e.g. 127.0.0.1:5000) instead of an OCI image layout',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ oci-sd demo            # seconds, no account, no network; leaves nothing running\n',
    )
    .action(async (flags: { json?: boolean; keep?: boolean; registry?: string }) => {
      // the sandbox (test servers, Sigstore instance) loads only when the demo runs
      const [{ runDemo }, { createReporter, outputMode }] = await Promise.all([
        import('../demo/run'),
        import('../ui/reporter'),
      ]);
      const reporter = createReporter(
        outputMode(flags.json === true, process.stdout),
        process.stdout,
      );
      try {
        await runDemo({
          reporter,
          json: flags.json === true,
          ...(flags.keep ? { keep: true } : {}),
          ...(flags.registry ? { registryHost: flags.registry } : {}),
        });
      } finally {
        reporter.close();
      }
    });
}
