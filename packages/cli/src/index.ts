export { main } from './program';
export { EXIT, exitCodeFor, formatError } from './exit';
export { CliError } from './errors';
export type { CliErrorCode } from './errors';
