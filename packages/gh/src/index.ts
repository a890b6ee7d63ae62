export { GitHubError } from './errors';
export type { GitHubErrorCode, GitHubErrorDetails } from './errors';
export { redact } from './redact';
