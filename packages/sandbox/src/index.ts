export { main } from './main';
export { runDemo } from './run';
export type { DemoOptions, DemoResult } from './run';
export { createSandbox, SANDBOX_PROJECT } from './sandbox';
export type { Sandbox, SandboxOptions } from './sandbox';
export { sandboxReporter } from './output';
export type { Output } from './output';
export { SandboxError } from './errors';
export type { SandboxErrorCode, SandboxErrorDetails } from './errors';
