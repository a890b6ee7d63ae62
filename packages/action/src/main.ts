import * as core from '@actions/core';
import { runCommand } from './commands';

try {
  await runCommand(core);
} catch (error) {
  core.setFailed(error instanceof Error ? error.message : String(error));
}
