/** A GitHub repository as the git remote names it: server, owner and name. */
export interface RemoteRepo {
  /** `https://github.com`, or a GitHub Enterprise Server origin. */
  serverUrl: string;
  owner: string;
  repo: string;
}

// https://host/owner/repo(.git), ssh://git@host(:port)/owner/repo(.git), git@host:owner/repo(.git)
const URL_FORM =
  /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/;
const SCP_FORM = /^(?:[^@/]+@)?([^/:]+):([^/]+)\/([^/]+?)(?:\.git)?\/?$/;

/** Reads owner and repository from a GitHub remote URL; undefined for anything else (a local path, say). */
export function parseRemoteUrl(url: string): RemoteRepo | undefined {
  const match = URL_FORM.exec(url.trim()) ?? SCP_FORM.exec(url.trim());
  if (!match) return undefined;
  const [, host, owner, repo] = match as unknown as [string, string, string, string];
  return { serverUrl: `https://${host}`, owner, repo };
}
