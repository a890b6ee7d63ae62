import { ReleaseError } from '../errors';

/** The release configuration after defaults: every field the release needs, validated. */
export interface ReleaseConfig {
  /** The project repository, `OWNER/REPO`. */
  repo: string;
  /** The TUF-on-CI signing repository, `OWNER/REPO`. */
  tufRepo: string;
  /** Image name without tag or digest, e.g. `ghcr.io/owner/repo` (or `oci-layout:DIR` for a local layout). */
  image: string;
  /** Tags are `<tagPrefix><version>`. */
  tagPrefix: string;
  /** Predicate type of the release-metadata attestation. */
  predicateType: string;
  /** Path of the changelog, relative to the project root. */
  changelog: string;
  defaultBranch: string;
  /** Git remote of the project repository. */
  remote: string;
  /** Web origin of the GitHub server (links, compare URLs, certificate identities). */
  serverUrl: string;
  /** REST API base URL. */
  apiUrl: string;
  workflows: {
    /** Build workflow file started by the release (signs and attests the image). */
    build: string;
    /** TUF repository workflow that publishes metadata. */
    publish: string;
  };
  /** Name of the check that must pass on the signing PR. */
  signingCheck: string;
  /** Checks that must pass on the changelog PR before it is merged. */
  prChecks: string[];
  /** First path segment of release target names: `<tufProject>/releases/<tag>.json`. */
  tufProject: string;
  /** Branch of the TUF repository that signing PRs merge into. */
  tufDefaultBranch: string;
  /** Git URL of the TUF repository (signing branches are read from it). */
  tufGitUrl: string;
  /** Published TUF metadata (what consumers fetch). */
  tufUrl: string;
  /** Pinned TUF root for the final verification; relative to the project root (or absolute). */
  tufRoot?: string;
  /** Sigstore trusted root for verification (private or test instances); relative to the project root (or absolute). */
  trustedRoot?: string;
}

export type ConfigInput = { [K in keyof ReleaseConfig]?: unknown };

/** Where a configuration came from, for error messages. */
export interface ConfigSource {
  /** File path as the user knows it. */
  file: string;
  /** Prefix of field names in that file (`oci-sd.` inside package.json). */
  prefix: string;
}

const REPO = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
// registry host (with optional port) then a lowercase path, as the OCI distribution spec allows
const IMAGE = /^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;
const WORKFLOW_FILE = /^[A-Za-z0-9._-]+\.ya?ml$/;
const BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$)[A-Za-z0-9._/-]+(?<!\/)$/;
const TAG_PREFIX = /^[A-Za-z0-9._/-]*$/;

const KNOWN_FIELDS = new Set<string>([
  'repo',
  'tufRepo',
  'image',
  'tagPrefix',
  'predicateType',
  'changelog',
  'defaultBranch',
  'remote',
  'serverUrl',
  'apiUrl',
  'workflows',
  'signingCheck',
  'prChecks',
  'tufProject',
  'tufDefaultBranch',
  'tufGitUrl',
  'tufUrl',
  'tufRoot',
  'trustedRoot',
]);

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

export function httpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

interface Problem {
  field: string;
  expected: string;
  found: unknown;
}

/** Checks the raw configuration (already merged with defaults); every problem is reported at once. */
export function validateConfig(
  input: ConfigInput & Record<string, unknown>,
  source: ConfigSource,
): ReleaseConfig {
  const problems: Problem[] = [];
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key))
      problems.push({
        field: key,
        expected: `one of the known fields (${[...KNOWN_FIELDS].join(', ')})`,
        found: key,
      });
  }
  const text = (
    field: string,
    value: unknown,
    expected: string,
    ok: (v: string) => boolean,
  ): string => {
    if (typeof value !== 'string' || !ok(value)) {
      problems.push({ field, expected, found: value });
      return '';
    }
    return value;
  };
  const optionalText = (field: string, value: unknown, expected: string): string | undefined =>
    value === undefined ? undefined : text(field, value, expected, (v) => v.length > 0);

  const workflows = input.workflows;
  let build: unknown;
  let publish: unknown;
  if (typeof workflows !== 'object' || workflows === null || Array.isArray(workflows)) {
    problems.push({
      field: 'workflows',
      expected: 'an object {"build": "<file>.yml", "publish": "<file>.yml"}',
      found: workflows,
    });
  } else {
    ({ build, publish } = workflows as Record<string, unknown>);
    for (const key of Object.keys(workflows)) {
      if (key !== 'build' && key !== 'publish')
        problems.push({
          field: `workflows.${key}`,
          expected: 'only "build" and "publish"',
          found: key,
        });
    }
  }
  const prChecks = input.prChecks;
  if (!Array.isArray(prChecks) || prChecks.some((c) => typeof c !== 'string' || c.length === 0)) {
    problems.push({ field: 'prChecks', expected: 'an array of check names', found: prChecks });
  }

  const config: ReleaseConfig = {
    repo: text('repo', input.repo, 'OWNER/REPO', (v) => REPO.test(v)),
    tufRepo: text('tufRepo', input.tufRepo, 'OWNER/REPO', (v) => REPO.test(v)),
    image: text(
      'image',
      input.image,
      'an image name without tag or digest, e.g. ghcr.io/owner/repo',
      (v) => IMAGE.test(v) || /^oci-layout:\S+$/.test(v),
    ),
    tagPrefix: text('tagPrefix', input.tagPrefix, 'a tag prefix such as "v" or ""', (v) =>
      TAG_PREFIX.test(v),
    ),
    predicateType: text('predicateType', input.predicateType, 'an absolute URI', (v) =>
      /^[a-z][a-z0-9+.-]*:\S+$/i.test(v),
    ),
    changelog: text(
      'changelog',
      input.changelog,
      'a relative file path',
      (v) => v.length > 0 && !v.startsWith('/'),
    ),
    defaultBranch: text('defaultBranch', input.defaultBranch, 'a branch name', (v) =>
      BRANCH.test(v),
    ),
    remote: text('remote', input.remote, 'a git remote name', (v) => /^[A-Za-z0-9._-]+$/.test(v)),
    serverUrl: text('serverUrl', input.serverUrl, 'an http(s) URL', httpUrl).replace(/\/+$/, ''),
    apiUrl: text('apiUrl', input.apiUrl, 'an http(s) URL', httpUrl).replace(/\/+$/, ''),
    workflows: {
      build: text(
        'workflows.build',
        build,
        'a workflow file name such as docker-build-push.yml',
        (v) => WORKFLOW_FILE.test(v),
      ),
      publish: text('workflows.publish', publish, 'a workflow file name such as publish.yml', (v) =>
        WORKFLOW_FILE.test(v),
      ),
    },
    signingCheck: text('signingCheck', input.signingCheck, 'a check name', (v) => v.length > 0),
    prChecks: Array.isArray(prChecks) ? (prChecks as string[]) : [],
    tufProject: text('tufProject', input.tufProject, 'a project name (no "/")', (v) =>
      /^[A-Za-z0-9._-]+$/.test(v),
    ),
    tufDefaultBranch: text('tufDefaultBranch', input.tufDefaultBranch, 'a branch name', (v) =>
      BRANCH.test(v),
    ),
    tufGitUrl: text(
      'tufGitUrl',
      input.tufGitUrl,
      'a git URL or path of the TUF repository',
      (v) => v.length > 0,
    ),
    tufUrl: text('tufUrl', input.tufUrl, 'an http(s) URL of the published TUF metadata', httpUrl),
  };
  const tufRoot = optionalText('tufRoot', input.tufRoot, 'a path to the pinned root.json');
  if (tufRoot !== undefined) config.tufRoot = tufRoot;
  const trustedRoot = optionalText(
    'trustedRoot',
    input.trustedRoot,
    'a path to a Sigstore trusted_root.json',
  );
  if (trustedRoot !== undefined) config.trustedRoot = trustedRoot;

  if (problems.length) {
    const lines = problems.map(
      (p) => `  ${source.prefix}${p.field}: expected ${p.expected}, found ${describe(p.found)}`,
    );
    throw new ReleaseError('CONFIG', `${source.file}: invalid configuration\n${lines.join('\n')}`, {
      expected: problems.map((p) => `${source.prefix}${p.field}: ${p.expected}`),
      found: problems.map((p) => p.found),
    });
  }
  return config;
}
