export { ACTION_COMMANDS, runCommand } from './commands';
export type { ActionCommand, ActionIO } from './commands';
