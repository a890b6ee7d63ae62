// The GitHub API test server lands here (see README).
export const GITHUB_API_VERSION = '2022-11-28';
