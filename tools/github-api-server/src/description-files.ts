/** GitHub.com's full REST description, from the @octokit/openapi devDependency (only tests and the trim script read it). */
export const FULL_DESCRIPTION = '@octokit/openapi/generated/api.github.com.json';

/** The trimmed description, in src/ (imported by openapi.ts, written by scripts/trim-openapi.ts). */
export const TRIMMED_DESCRIPTION_FILE = 'api.github.com.trimmed.json';
