import type { Command } from 'commander';
import { CliError } from '../errors';

export function register(program: Command): void {
  program
    .command('verify')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('USAGE', 'oci-sd verify is not implemented yet');
    });
}
