export interface ActionIO {
  getInput(name: string, options?: { required?: boolean }): string;
  setOutput(name: string, value: string): void;
  info(message: string): void;
}

export type ActionCommand = (io: ActionIO) => Promise<void>;

/** The commands the action runs, selected by the `command` input. */
export const ACTION_COMMANDS: Readonly<Record<string, ActionCommand>> = {};

export async function runCommand(io: ActionIO): Promise<void> {
  const name = io.getInput('command', { required: true });
  const command = Object.hasOwn(ACTION_COMMANDS, name) ? ACTION_COMMANDS[name] : undefined;
  if (!command) {
    const known = Object.keys(ACTION_COMMANDS).join(', ') || '(none yet)';
    throw new Error(`input "command": expected one of ${known}, found "${name}"`);
  }
  await command(io);
}
