export { runRelease } from './run';
export type { ReleaseOptions } from './run';
export {
  changelogService,
  createServices,
  githubService,
  tufService,
  verifyService,
} from './adapters';
export type {
  ChangelogService,
  CheckState,
  GitHubService,
  PullRequest,
  Release,
  ReleaseServices,
  SigningStatus,
  TargetCheck,
  TufService,
  VerifyCheck,
  VerifyService,
  WorkflowRun,
} from './services';
export { GitRepo } from './git';
export {
  loadState,
  newState,
  saveState,
  STATE_DIR,
  statePath,
  STEP_IDS,
  unfinishedReleases,
} from './state';
export type { ReleaseFacts, ReleaseState, StepId } from './state';
export type { WaitOptions } from './wait';
export { CONFIG_FILE, loadConfig } from './config/load';
export { parseRemoteUrl } from './config/remote';
export type { RemoteRepo } from './config/remote';
export type { ReleaseConfig } from './config/schema';
export { ReleaseError } from './errors';
export type { ReleaseErrorCode, ReleaseErrorDetails } from './errors';
export type { ProgressEvent, Reporter } from './events';
