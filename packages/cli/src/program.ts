import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index';
import { exitCodeFor, formatError } from './exit';

declare const __OCI_SD_VERSION__: string;

export function createProgram(): Command {
  return new Command('oci-sd')
    .description(
      'Release, sign, record in TUF and verify container images: the whole process, in one tool.',
    )
    .version(typeof __OCI_SD_VERSION__ === 'string' ? __OCI_SD_VERSION__ : '0.0.0-dev')
    .exitOverride()
    .showHelpAfterError();
}

/** Runs the CLI and returns the process exit code. Only the command being run is loaded. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry) {
    (await entry.load()).register(program);
  } else {
    for (const c of COMMANDS) program.command(c.name).description(c.summary);
  }
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`${formatError(error)}\n`);
    return exitCodeFor(error);
  }
}
