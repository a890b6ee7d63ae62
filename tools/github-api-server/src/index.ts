export { startGitHubApiServer, Faults, GITHUB_API_VERSION, RELEASE_BODY_LIMIT } from './server';
export type { GitHubApiServer, GitHubApiServerOptions, RequestMatcher, RequestRecord } from './server';
export { GitHubState } from './state';
export type { Asset, CheckConclusion, CheckRun, CheckStatus, Commit, CreateRepoOptions, PullRequest, Release, Repo, RunStatus, StateEvent, Workflow, WorkflowRun } from './state';
export { OpenApiContract, loadContract, OPENAPI_DOCUMENT } from './openapi';
export type { MatchedOperation, Operation } from './openapi';
