export { ACTION_COMMANDS, runCommand } from './commands';
export type { ActionCommand } from './commands';
export type { ActionIO } from './io';
export { GitHubContext } from './context';
export type { ReleaseEvent } from './context';
export { ActionError } from './errors';
export type { ActionErrorCode, ActionErrorDetails } from './errors';
export { releaseNotesFor } from './commands/release-notes';
export type { ReleaseNotesRequest } from './commands/release-notes';
export {
  formatReleaseMetadata,
  releaseMetadata,
  releaseMetadataPredicateType,
} from './commands/release-metadata';
export type { ReleaseMetadata, ReleaseMetadataInput } from './commands/release-metadata';
export { publishToTuf } from './commands/tuf-publish';
export type { TufPublishRequest, TufPublishResult } from './commands/tuf-publish';
export { summaryTable } from './summary';
