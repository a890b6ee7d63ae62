import { GitHubContext } from './context';
import { ActionError } from './errors';
import type { ActionIO } from './io';
import { attestCommand, signCommand } from './commands/attest';
import { releaseMetadataCommand } from './commands/release-metadata';
import { releaseNotesCommand } from './commands/release-notes';
import { tufPublishCommand } from './commands/tuf-publish';
import { verifyCommand } from './commands/verify';

export type ActionCommand = (io: ActionIO, context: GitHubContext) => Promise<void>;

/** The commands the action runs, selected by the `command` input. */
export const ACTION_COMMANDS: Readonly<Record<string, ActionCommand>> = {
  'release-notes': releaseNotesCommand,
  'release-metadata': releaseMetadataCommand,
  'tuf-publish': tufPublishCommand,
  sign: signCommand,
  attest: attestCommand,
  verify: verifyCommand,
};

export async function runCommand(io: ActionIO, context: GitHubContext = new GitHubContext()): Promise<void> {
  // Mask first, so nothing printed later (errors included) can show the token.
  const token = io.getInput('token');
  if (token) io.setSecret(token);
  const name = io.getInput('command', { required: true }).trim();
  const command = Object.hasOwn(ACTION_COMMANDS, name) ? ACTION_COMMANDS[name] : undefined;
  if (!command) {
    const known = Object.keys(ACTION_COMMANDS).join(', ');
    throw new ActionError('INVALID_INPUT', `input "command": expected one of ${known}, found "${name}"`, { expected: known, found: name });
  }
  await command(io, context);
}
