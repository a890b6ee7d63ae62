/** How a forge writes compare links: GitHub, GitLab and Gitea `/compare/A...B`; Bitbucket `/branches/compare/B%0DA`. */
export type LinkStyle = 'github' | 'bitbucket' | 'gitlab-query';

/** A link to a repository page that names tags: a compare view or a single tag. */
export interface RepositoryLink {
  /** Everything before the compare or tag path: `https://github.com/OWNER/REPO`, `https://gitlab.com/g/p/-`. */
  base: string;
  style: LinkStyle;
  kind: 'compare' | 'tag';
  /** Compare links only: the older side and the separator (`...`, `..` or Bitbucket's `%0D`). */
  from?: string;
  separator?: string;
  /** The newer side of a compare link, or the tag a tag link shows. */
  to: string;
  /** A query string or fragment after the refs (`?diff=split`, `#files`), kept when a link like it is written. */
  suffix?: string;
}

const COMPARE = /^(https?:\/\/.+?)\/compare\/(.+?)(\.{2,3})(.+)$/;
const BITBUCKET_COMPARE = /^(https?:\/\/.+?)\/branches\/compare\/(.+?)(%0D)(.+)$/i;
const BITBUCKET_TAG = /^(https?:\/\/bitbucket\.[^/]+\/.+?)\/(?:commits\/tag|src)\/(.+)$/;
const TAG = /^(https?:\/\/.+?)\/(?:releases\/tag|tags|tree|commits)\/(.+)$/;

/** GitLab's other compare form: `/-/compare?from=A&to=B` (either order, other parameters kept). */
const QUERY_COMPARE = /^(https?:\/\/[^?#]+?)\/compare\?([^#]*)$/;

export function parseRepositoryLink(url: string): RepositoryLink | undefined {
  const query = QUERY_COMPARE.exec(url);
  if (query) {
    const params = new URLSearchParams(query[2]!);
    const from = params.get('from');
    const to = params.get('to');
    if (!from || !to) return undefined;
    params.delete('from');
    params.delete('to');
    const rest = params.toString();
    return {
      base: query[1]!,
      style: 'gitlab-query',
      kind: 'compare',
      from,
      to,
      ...(rest ? { suffix: `&${rest}` } : {}),
    };
  }
  // A query string or fragment after the refs (`...HEAD?diff=split`) is kept apart from them.
  const cut = url.search(/[?#]/);
  if (cut !== -1) {
    const link = parseRepositoryLink(url.slice(0, cut));
    return link && link.style !== 'gitlab-query' ? { ...link, suffix: url.slice(cut) } : link;
  }
  const bitbucket = BITBUCKET_COMPARE.exec(url);
  // Bitbucket puts the newer side first.
  if (bitbucket)
    return {
      base: bitbucket[1]!,
      style: 'bitbucket',
      kind: 'compare',
      from: bitbucket[4]!,
      separator: bitbucket[3]!,
      to: bitbucket[2]!,
    };
  const compare = COMPARE.exec(url);
  if (compare)
    return {
      base: compare[1]!,
      style: 'github',
      kind: 'compare',
      from: compare[2]!,
      separator: compare[3]!,
      to: compare[4]!,
    };
  const bitbucketTag = BITBUCKET_TAG.exec(url);
  if (bitbucketTag)
    return { base: bitbucketTag[1]!, style: 'bitbucket', kind: 'tag', to: bitbucketTag[2]! };
  const tag = TAG.exec(url);
  if (tag) return { base: tag[1]!, style: 'github', kind: 'tag', to: tag[2]! };
  return undefined;
}

/** A compare link from `from` to `to` written the way `like` (a link from the same file) is written. */
export function compareUrl(
  base: string,
  from: string,
  to: string,
  like: Pick<RepositoryLink, 'style' | 'separator' | 'suffix'> = { style: 'github' },
): string {
  const suffix = like.suffix ?? '';
  if (like.style === 'gitlab-query')
    return `${base}/compare?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${suffix}`;
  if (like.style === 'bitbucket')
    return `${base}/branches/compare/${to}${like.separator ?? '%0D'}${from}${suffix}`;
  return `${base}/compare/${from}${like.separator ?? '...'}${to}${suffix}`;
}

/** Where a first release points: Bitbucket's `/src/T`, GitLab's `/-/tags/T`, otherwise GitHub's `/releases/tag/T`. */
export function tagUrl(base: string, tag: string, style: LinkStyle = 'github'): string {
  if (style === 'bitbucket') return `${base}/src/${tag}`;
  if (style === 'gitlab-query') return `${base}/tags/${tag}`;
  return base.endsWith('/-') ? `${base}/tags/${tag}` : `${base}/releases/tag/${tag}`;
}

/** Label matching as CommonMark does it: case-insensitive, inner whitespace collapsed. */
export function normalizeLabel(label: string): string {
  return /\s/.test(label) ? label.trim().replace(/\s+/g, ' ').toLowerCase() : label.toLowerCase();
}
