/** GitHub.com's full REST description, from the @octokit/openapi devDependency (only tests and the trim script read it). */
export const FULL_DESCRIPTION = '@octokit/openapi/generated/api.github.com.json';

/** The trimmed description, next to the server's modules (and next to the chunks of a bundle that includes the server). */
export const TRIMMED_DESCRIPTION_FILE = 'api.github.com.trimmed.json';
