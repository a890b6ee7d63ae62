import * as core from '@actions/core';
import { runCommand } from './commands';
import type { ActionIO } from './io';

const io: ActionIO = {
  getInput: (name, options) => core.getInput(name, options),
  setOutput: (name, value) => core.setOutput(name, value),
  setSecret: (secret) => core.setSecret(secret),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  annotate: (severity, message, where) =>
    (severity === 'error' ? core.error : core.warning)(message, {
      file: where.file,
      startLine: where.line,
      startColumn: where.column,
    }),
  appendSummary: async (markdown) => {
    // Outside a runner there is no summary file; the table still reaches the log.
    if (!process.env.GITHUB_STEP_SUMMARY) return core.info(markdown);
    await core.summary.addRaw(markdown).write();
  },
};

try {
  await runCommand(io);
} catch (error) {
  core.setFailed(error instanceof Error ? error.message : String(error));
}
