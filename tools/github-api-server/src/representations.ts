import type {
  Asset,
  CheckRun,
  Commit,
  PullRequest,
  Release,
  Repo,
  Workflow,
  WorkflowRun,
} from './state';

/** Where the server lives: the REST root, the web root (html_url) and the uploads root. */
export interface Urls {
  api: string;
  web: string;
  uploads: string;
}

type Json = Record<string, unknown>;

const EPOCH = '2026-01-01T00:00:00Z';

function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}${id}`).toString('base64');
}

export function user(urls: Urls, login: string, id: number): Json {
  const u = `${urls.api}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId('U_', id),
    avatar_url: `${urls.web}/avatars/${login}`,
    gravatar_id: '',
    url: u,
    html_url: `${urls.web}/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: 'User',
    site_admin: false,
  };
}

/** The `minimal-repository` shape (workflow runs embed it). */
export function minimalRepository(urls: Urls, repo: Repo): Json {
  const r = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: nodeId('R_', repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: user(urls, repo.owner, repo.ownerId),
    private: repo.private,
    html_url: `${urls.web}/${repo.owner}/${repo.name}`,
    description: null,
    fork: false,
    url: r,
    archive_url: `${r}/{archive_format}{/ref}`,
    assignees_url: `${r}/assignees{/user}`,
    blobs_url: `${r}/git/blobs{/sha}`,
    branches_url: `${r}/branches{/branch}`,
    collaborators_url: `${r}/collaborators{/collaborator}`,
    comments_url: `${r}/comments{/number}`,
    commits_url: `${r}/commits{/sha}`,
    compare_url: `${r}/compare/{base}...{head}`,
    contents_url: `${r}/contents/{+path}`,
    contributors_url: `${r}/contributors`,
    deployments_url: `${r}/deployments`,
    downloads_url: `${r}/downloads`,
    events_url: `${r}/events`,
    forks_url: `${r}/forks`,
    git_commits_url: `${r}/git/commits{/sha}`,
    git_refs_url: `${r}/git/refs{/sha}`,
    git_tags_url: `${r}/git/tags{/sha}`,
    hooks_url: `${r}/hooks`,
    issue_comment_url: `${r}/issues/comments{/number}`,
    issue_events_url: `${r}/issues/events{/number}`,
    issues_url: `${r}/issues{/number}`,
    keys_url: `${r}/keys{/key_id}`,
    labels_url: `${r}/labels{/name}`,
    languages_url: `${r}/languages`,
    merges_url: `${r}/merges`,
    milestones_url: `${r}/milestones{/number}`,
    notifications_url: `${r}/notifications{?since,all,participating}`,
    pulls_url: `${r}/pulls{/number}`,
    releases_url: `${r}/releases{/id}`,
    stargazers_url: `${r}/stargazers`,
    statuses_url: `${r}/statuses/{sha}`,
    subscribers_url: `${r}/subscribers`,
    subscription_url: `${r}/subscription`,
    tags_url: `${r}/tags`,
    teams_url: `${r}/teams`,
    trees_url: `${r}/git/trees{/sha}`,
  };
}

/** The `repository` shape (pull request heads and bases embed it). */
export function repository(urls: Urls, repo: Repo): Json {
  const web = `${urls.web}/${repo.owner}/${repo.name}`;
  const host = new URL(urls.web).host;
  return {
    ...minimalRepository(urls, repo),
    clone_url: `${web}.git`,
    git_url: `git://${host}/${repo.owner}/${repo.name}.git`,
    ssh_url: `git@${host}:${repo.owner}/${repo.name}.git`,
    svn_url: web,
    mirror_url: null,
    homepage: null,
    language: null,
    default_branch: repo.defaultBranch,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: 0,
    open_issues_count: 0,
    size: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: EPOCH,
    created_at: EPOCH,
    updated_at: EPOCH,
  };
}

/** The `full-repository` shape (`GET /repos/{owner}/{repo}`). */
export function fullRepository(urls: Urls, repo: Repo): Json {
  return {
    ...repository(urls, repo),
    has_discussions: false,
    network_count: 0,
    subscribers_count: 0,
  };
}

export function asset(urls: Urls, repo: Repo, a: Asset, release: Release): Json {
  return {
    id: a.id,
    node_id: nodeId('RA_', a.id),
    name: a.name,
    label: a.label,
    content_type: a.contentType,
    size: a.bytes.length,
    digest: `sha256:${a.sha256}`,
    state: 'uploaded',
    download_count: 0,
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/releases/assets/${a.id}`,
    // Drafts have no tag yet, so their downloads hang off a placeholder like GitHub's `untagged-…`.
    browser_download_url: `${urls.web}/${repo.owner}/${repo.name}/releases/download/${release.draft ? `untagged-${release.id}` : release.tagName}/${encodeURIComponent(a.name)}`,
    uploader: user(urls, repo.owner, repo.ownerId),
    created_at: a.createdAt,
    updated_at: a.createdAt,
  };
}

export function release(urls: Urls, repo: Repo, r: Release): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const web = `${urls.web}/${repo.owner}/${repo.name}`;
  return {
    url: `${api}/releases/${r.id}`,
    html_url: r.draft
      ? `${web}/releases/tag/untagged-${r.id}`
      : `${web}/releases/tag/${encodeURIComponent(r.tagName)}`,
    assets_url: `${api}/releases/${r.id}/assets`,
    upload_url: `${urls.uploads}/repos/${repo.owner}/${repo.name}/releases/${r.id}/assets{?name,label}`,
    tarball_url: r.draft ? null : `${api}/tarball/${encodeURIComponent(r.tagName)}`,
    zipball_url: r.draft ? null : `${api}/zipball/${encodeURIComponent(r.tagName)}`,
    id: r.id,
    node_id: nodeId('RE_', r.id),
    tag_name: r.tagName,
    target_commitish: r.targetCommitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: r.immutable,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    published_at: r.publishedAt,
    author: user(urls, repo.owner, repo.ownerId),
    assets: r.assets.map((a) => asset(urls, repo, a, r)),
  };
}

function link(href: string): Json {
  return { href };
}

/**
 * `pull-request-simple` (lists) or, given what `mergeable` shows (null while GitHub computes it),
 * the full `pull-request` (single GET, create).
 */
export function pullRequest(
  urls: Urls,
  repo: Repo,
  pr: PullRequest,
  mergeable?: boolean | null,
): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const web = `${urls.web}/${repo.owner}/${repo.name}`;
  const owner = user(urls, repo.owner, repo.ownerId);
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: owner,
    repo: repository(urls, repo),
  });
  const simple: Json = {
    url: `${api}/pulls/${pr.number}`,
    id: pr.id,
    node_id: nodeId('PR_', pr.id),
    html_url: `${web}/pull/${pr.number}`,
    diff_url: `${web}/pull/${pr.number}.diff`,
    patch_url: `${web}/pull/${pr.number}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    commits_url: `${api}/pulls/${pr.number}/commits`,
    review_comments_url: `${api}/pulls/${pr.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    statuses_url: `${api}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: owner,
    body: pr.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pr.head, pr.headSha),
    base: side(pr.base, pr.baseSha),
    _links: {
      self: link(`${api}/pulls/${pr.number}`),
      html: link(`${web}/pull/${pr.number}`),
      issue: link(`${api}/issues/${pr.number}`),
      comments: link(`${api}/issues/${pr.number}/comments`),
      review_comments: link(`${api}/pulls/${pr.number}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${api}/pulls/${pr.number}/commits`),
      statuses: link(`${api}/statuses/${pr.headSha}`),
    },
    author_association: 'OWNER',
    auto_merge: null,
    draft: false,
  };
  if (mergeable === undefined) return simple;
  return {
    ...simple,
    merged: pr.mergedAt !== null,
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeable === null ? 'unknown' : mergeable ? 'clean' : 'dirty',
    merged_by: pr.mergedAt === null ? null : owner,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}

export function checkRun(urls: Urls, repo: Repo, c: CheckRun): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: c.id,
    node_id: nodeId('CR_', c.id),
    head_sha: c.headSha,
    external_id: null,
    url: `${api}/check-runs/${c.id}`,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/runs/${c.id}`,
    details_url: `${urls.web}/${repo.owner}/${repo.name}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: null,
      summary: null,
      text: null,
      annotations_count: 0,
      annotations_url: `${api}/check-runs/${c.id}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.id },
    app: null,
    pull_requests: [],
  };
}

export function workflowRun(urls: Urls, repo: Repo, workflow: Workflow, run: WorkflowRun): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const runUrl = `${api}/actions/runs/${run.id}`;
  const minimal = minimalRepository(urls, repo);
  return {
    id: run.id,
    name: workflow.name,
    node_id: nodeId('WFR_', run.id),
    check_suite_id: run.id,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: `${workflow.path}@${run.headBranch ?? run.headSha}`,
    run_number: run.runNumber,
    run_attempt: 1,
    display_title: run.displayTitle,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: workflow.id,
    url: runUrl,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.createdAt,
    actor: user(urls, repo.owner, repo.ownerId),
    triggering_actor: user(urls, repo.owner, repo.ownerId),
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${api}/check-suites/${run.id}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    workflow_url: `${api}/actions/workflows/${workflow.id}`,
    head_commit: {
      id: run.headSha,
      tree_id: run.headSha,
      message: run.displayTitle,
      timestamp: run.createdAt,
      author: { name: repo.owner, email: `${repo.owner}@users.noreply.github.com` },
      committer: { name: repo.owner, email: `${repo.owner}@users.noreply.github.com` },
    },
    repository: minimal,
    head_repository: minimal,
  };
}

export function gitRef(urls: Urls, repo: Repo, ref: string, sha: string): Json {
  return {
    ref,
    node_id: nodeId('REF_', ref),
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/git/${ref}`,
    object: {
      type: 'commit',
      sha,
      url: `${urls.api}/repos/${repo.owner}/${repo.name}/git/commits/${sha}`,
    },
  };
}

export function commit(urls: Urls, repo: Repo, c: Commit): Json {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const person = {
    name: repo.owner,
    email: `${repo.owner}@users.noreply.github.com`,
    date: c.date,
  };
  return {
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId('C_', c.sha),
    html_url: `${urls.web}/${repo.owner}/${repo.name}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: person,
      committer: person,
      message: c.message,
      comment_count: 0,
      tree: { sha: c.sha, url: `${api}/git/trees/${c.sha}` },
    },
    author: user(urls, repo.owner, repo.ownerId),
    committer: user(urls, repo.owner, repo.ownerId),
    parents: c.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${urls.web}/${repo.owner}/${repo.name}/commit/${sha}`,
    })),
  };
}
