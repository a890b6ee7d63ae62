/** `sign/release-<SAFE_VERSION>-<run_id>`: `/`, `.`, `+` and space in the version become `-` (as the TUF-on-CI release workflow names it). */
export function signingBranchName(version: string, runId: string | number): string {
  return `sign/release-${version.replace(/[/.+ ]/g, '-')}-${runId}`;
}

/** Target name of a release manifest in targets.json: `<project>/releases/<tag>.json`, with `/` in the tag as `_`. */
export function releaseTargetName(project: string, tag: string): string {
  return `${project}/releases/${tag.replaceAll('/', '_')}.json`;
}

/** `sign/add-signer-<username>`, the branch `tuf-on-ci-delegate` makes to onboard a signer (`@` dropped, lower case). */
export function addSignerBranchName(user: string): string {
  return `sign/add-signer-${user.replace(/^@/, '').toLowerCase()}`;
}
