import type { Command } from 'commander';
import { CliError } from '../errors';

export function register(program: Command): void {
  program
    .command('release')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('USAGE', 'oci-sd release is not implemented yet');
    });
}
