export { startGitHubApiServer, Faults, GITHUB_API_VERSION, RELEASE_BODY_LIMIT } from './server';
export type {
  GitHubApiServer,
  GitHubApiServerOptions,
  RequestMatcher,
  RequestRecord,
} from './server';
export { GitHubState } from './state';
export type {
  Asset,
  CheckConclusion,
  CheckRun,
  CheckStatus,
  Commit,
  CreateRepoOptions,
  PullRequest,
  Release,
  Repo,
  RunStatus,
  StateEvent,
  Workflow,
  WorkflowRun,
} from './state';
export { OpenApiContract, loadContract, loadFullContract, loadFullDescription } from './openapi';
export type { IndexedOperation, MatchedOperation, Operation } from './openapi';
export { IMPLEMENTED_OPERATIONS } from './operations';
export type { ImplementedOperation } from './operations';
export { trimDescription, refsIn, resolvePointer, OPERATION_INDEX_KEY } from './trim';
export type { OperationIndex } from './trim';
