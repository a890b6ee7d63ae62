/** A link to a repository page that names tags: a compare view or a single tag. */
export interface RepositoryLink {
  /** Everything before `/compare/` or the tag path: `https://github.com/OWNER/REPO`, `https://gitlab.com/g/p/-`. */
  base: string;
  kind: 'compare' | 'tag';
  /** Compare links only: the older side and the separator (`...` or `..`). */
  from?: string;
  separator?: string;
  /** The newer side of a compare link, or the tag a tag link shows. */
  to: string;
}

const COMPARE = /^(https?:\/\/.+?)\/compare\/(.+?)(\.{2,3})(.+)$/;
const TAG = /^(https?:\/\/.+?)\/(?:releases\/tag|tags|tree|commits)\/(.+)$/;

export function parseRepositoryLink(url: string): RepositoryLink | undefined {
  const compare = COMPARE.exec(url);
  if (compare) return { base: compare[1]!, kind: 'compare', from: compare[2]!, separator: compare[3]!, to: compare[4]! };
  const tag = TAG.exec(url);
  if (tag) return { base: tag[1]!, kind: 'tag', to: tag[2]! };
  return undefined;
}

export function compareUrl(base: string, from: string, to: string, separator = '...'): string {
  return `${base}/compare/${from}${separator}${to}`;
}

/** Where a first release points: GitLab's `/-/tags/T`, otherwise GitHub's `/releases/tag/T`. */
export function tagUrl(base: string, tag: string): string {
  return base.endsWith('/-') ? `${base}/tags/${tag}` : `${base}/releases/tag/${tag}`;
}

/** Label matching as CommonMark does it: case-insensitive, inner whitespace collapsed. */
export function normalizeLabel(label: string): string {
  return /\s/.test(label) ? label.trim().replace(/\s+/g, ' ').toLowerCase() : label.toLowerCase();
}
