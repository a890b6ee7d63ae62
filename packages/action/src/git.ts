import { CoreError, git as runGit, type GitOptions } from '@oci-sd/core';
import { ActionError } from './errors';

export type { GitOptions };

/** Runs git through core's runner (token only in git's environment, never in messages); failures are ActionError GIT. */
export async function git(args: readonly string[], options: GitOptions = {}): Promise<string> {
  try {
    return await runGit(args, options);
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    throw new ActionError('GIT', error.message, { found: error.found, cause: error });
  }
}
