export { createAttestation, listAttestations } from './attestations';
export { GitHubClient, createGitHubClient } from './client';
export type { CallContext, GitHubClientOptions, RateLimitEvent, RequestEvent } from './client';
export { readGhCliToken, resolveEndpoints, resolveToken } from './config';
export type { Endpoints, GhCliTokenReader, TokenSource } from './config';
export { GitHubError } from './errors';
export type { GitHubErrorCode, GitHubErrorDetails } from './errors';
export { getCheck, PASSING_CHECK_CONCLUSIONS, waitForCheck } from './checks';
export type { CheckInfo, CheckProgress, WaitForCheckOptions } from './checks';
export { poll } from './poll';
export type { PollOptions, PollStep } from './poll';
export { findPullRequest, getPullRequest, mergePullRequest, openPullRequest } from './pulls';
export type { MergeOptions, OpenPullRequestOptions, PullRequestInfo, PullSelector } from './pulls';
export { redact } from '@oci-sd/core';
export {
  createRelease,
  downloadAsset,
  findRelease,
  loadAsset,
  previousReleaseTag,
  RELEASE_BODY_LIMIT,
  uploadAsset,
} from './releases';
export type {
  AssetAction,
  AssetInfo,
  AssetInput,
  CreateReleaseOptions,
  CreateReleaseResult,
  DownloadAssetOptions,
  LoadedAsset,
  PreviousTagOptions,
  ReleaseInfo,
  ReleaseProgress,
} from './releases';
export { defaultBranch, parseRepo, repoName } from './repo';
export type { RepoRef } from './repo';
export { dispatchWorkflow, findWorkflowRun, getWorkflowRun, waitForRun } from './workflows';
export type {
  DispatchOptions,
  DispatchResult,
  RunFilter,
  RunInfo,
  WaitForRunOptions,
} from './workflows';
