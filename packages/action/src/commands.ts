import { GitHubContext } from './context';
import { ActionError } from './errors';
import type { ActionIO } from './io';

export type ActionCommand = (io: ActionIO, context: GitHubContext) => Promise<void>;

/**
 * The commands the action runs, selected by the `command` input. Each is imported when run, so
 * a step initialises only its own libraries (release notes never load sigstore-js).
 */
export const ACTION_COMMANDS: Readonly<Record<string, () => Promise<ActionCommand>>> = {
  'release-notes': async () => (await import('./commands/release-notes')).releaseNotesCommand,
  'changelog-validate': async () =>
    (await import('./commands/changelog-validate')).changelogValidateCommand,
  'release-metadata': async () =>
    (await import('./commands/release-metadata')).releaseMetadataCommand,
  'tuf-publish': async () => (await import('./commands/tuf-publish')).tufPublishCommand,
  sign: async () => (await import('./commands/attest')).signCommand,
  attest: async () => (await import('./commands/attest')).attestCommand,
  verify: async () => (await import('./commands/verify')).verifyCommand,
};

export async function runCommand(
  io: ActionIO,
  context: GitHubContext = new GitHubContext(),
): Promise<void> {
  // Mask first, so nothing printed later (errors included) can show the token.
  const token = io.getInput('token');
  if (token) io.setSecret(token);
  const name = io.getInput('command', { required: true }).trim();
  const load = Object.hasOwn(ACTION_COMMANDS, name) ? ACTION_COMMANDS[name] : undefined;
  if (!load) {
    const known = Object.keys(ACTION_COMMANDS).join(', ');
    throw new ActionError(
      'INVALID_INPUT',
      `input "command": expected one of ${known}, found "${name}"`,
      { expected: known, found: name },
    );
  }
  const command = await load();
  await command(io, context);
}
