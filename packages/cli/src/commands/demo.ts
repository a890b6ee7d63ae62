import type { Command } from 'commander';
import { CliError } from '../errors';

export function register(program: Command): void {
  program
    .command('demo')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('USAGE', 'oci-sd demo is not implemented yet');
    });
}
