import { TufError } from './errors';
import { formatManifestJson } from './events/format';
import { releaseTargetName } from './naming';

/** The TUF release manifest, in the release workflow's field order (the order is part of the bytes). */
export interface ReleaseManifest {
  schema_version: '1.0';
  project: string;
  version: string;
  tag: string;
  image: string;
  digest: string;
  image_ref_digest: string;
  release_metadata_asset_url: string;
  release_url: string;
  workflow_run_url: string;
  cosign_verify_cmd: string;
  cosign_verify_attestation_cmd: string;
  created_at: string;
}

export interface ReleaseManifestInput {
  /** Project name, the first path segment of the target name (`oci-prometheus-sd-proxy`). */
  project: string;
  /** GitHub repository of the project, `OWNER/REPO`. */
  repository: string;
  /** Release tag, `v1.5.0`. */
  tag: string;
  /** Version without the leading `v`; derived from the tag when omitted. */
  version?: string;
  /** Image repository without tag or digest, `ghcr.io/OWNER/REPO`. */
  image: string;
  /** Digest of the pushed image (the multi-arch index), `sha256:<64 hex>`. */
  digest: string;
  /** The build workflow run id (`github.run_id`). */
  runId: string | number;
  /** When the manifest was made; written as UTC `YYYY-MM-DDTHH:MM:SSZ`. */
  createdAt: Date | string;
  /** GitHub web origin; `https://github.com` unless GitHub Enterprise. */
  serverUrl?: string;
  /** Workflow file that signs the image, relative to the repository root. */
  workflowPath?: string;
  /** OIDC issuer of the signing certificate. */
  oidcIssuer?: string;
}

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
const DEFAULT_WORKFLOW_PATH = '.github/workflows/docker-build-push.yml';
const FIELD_ORDER: readonly (keyof ReleaseManifest)[] = [
  'schema_version',
  'project',
  'version',
  'tag',
  'image',
  'digest',
  'image_ref_digest',
  'release_metadata_asset_url',
  'release_url',
  'workflow_run_url',
  'cosign_verify_cmd',
  'cosign_verify_attestation_cmd',
  'created_at',
];
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function invalid(field: string, expected: string, found: unknown): TufError {
  return new TufError(
    'INVALID_INPUT',
    `release manifest ${field}: expected ${expected}, found ${JSON.stringify(found)}`,
    { expected, found },
  );
}

function utcSeconds(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw invalid('createdAt', 'a date', value);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A release manifest made exactly as the TUF-on-CI release workflow makes it: its bytes, target name and repository path. */
export function releaseManifest(input: ReleaseManifestInput): {
  manifest: ReleaseManifest;
  content: string;
  targetName: string;
  path: string;
} {
  if (!DIGEST.test(input.digest))
    throw invalid('digest', 'sha256:<64 lowercase hex>', input.digest);
  if (!REPOSITORY.test(input.repository))
    throw invalid('repository', 'OWNER/REPO', input.repository);
  if (!input.project || input.project.includes('/'))
    throw invalid('project', 'a name without "/"', input.project);
  if (!input.tag) throw invalid('tag', 'a tag', input.tag);
  if (!input.image || /[@\s]/.test(input.image))
    throw invalid('image', 'an image repository without digest', input.image);
  if (!/^\d+$/.test(String(input.runId))) throw invalid('runId', 'a numeric run id', input.runId);
  const server = (input.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const repoUrl = `${server}/${input.repository}`;
  const issuer = input.oidcIssuer ?? GITHUB_ACTIONS_ISSUER;
  const identity = `${repoUrl}/${input.workflowPath ?? DEFAULT_WORKFLOW_PATH}@refs/tags/${input.tag}`;
  const imageRef = `${input.image}@${input.digest}`;
  const policy = `--certificate-identity=${identity} --certificate-oidc-issuer=${issuer}`;
  const manifest: ReleaseManifest = {
    schema_version: '1.0',
    project: input.project,
    version: input.version ?? input.tag.replace(/^v/, ''),
    tag: input.tag,
    image: input.image,
    digest: input.digest,
    image_ref_digest: imageRef,
    release_metadata_asset_url: `${repoUrl}/releases/download/${input.tag}/release-metadata.json`,
    release_url: `${repoUrl}/releases/tag/${input.tag}`,
    workflow_run_url: `${repoUrl}/actions/runs/${input.runId}`,
    cosign_verify_cmd: `cosign verify ${policy} ${imageRef}`,
    cosign_verify_attestation_cmd: `cosign verify-attestation ${policy} --type ${repoUrl}/release-metadata ${imageRef}`,
    created_at: utcSeconds(input.createdAt),
  };
  const targetName = releaseTargetName(input.project, input.tag);
  return {
    manifest,
    content: formatManifestJson(manifest),
    targetName,
    path: `targets/${targetName}`,
  };
}

/**
 * Reads a release manifest (any of the shapes the workflow has written), checking every field
 * and that `image_ref_digest` is `image@digest`. `source` names the file in errors.
 */
export function parseReleaseManifest(bytes: Uint8Array | string, source: string): ReleaseManifest {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new TufError('METADATA_INVALID', `${source}: not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TufError('METADATA_INVALID', `${source}: expected a JSON object`, {
      expected: 'object',
      found: value,
    });
  }
  const record = value as Record<string, unknown>;
  for (const field of FIELD_ORDER) {
    if (typeof record[field] !== 'string') {
      throw new TufError(
        'METADATA_INVALID',
        `${source}: field ${field} must be a string, found ${JSON.stringify(record[field] ?? null)}`,
        { expected: 'string', found: record[field] },
      );
    }
  }
  const manifest = record as unknown as ReleaseManifest;
  if (manifest.schema_version !== '1.0') {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: schema_version must be "1.0", found ${JSON.stringify(manifest.schema_version)}`,
      { expected: '1.0', found: manifest.schema_version },
    );
  }
  if (!DIGEST.test(manifest.digest)) {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: digest must be sha256:<64 hex>, found ${JSON.stringify(manifest.digest)}`,
      { expected: 'sha256:<64 hex>', found: manifest.digest },
    );
  }
  if (manifest.image_ref_digest !== `${manifest.image}@${manifest.digest}`) {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: image_ref_digest must be ${manifest.image}@${manifest.digest}, found ${manifest.image_ref_digest}`,
      {
        expected: `${manifest.image}@${manifest.digest}`,
        found: manifest.image_ref_digest,
      },
    );
  }
  if (!UTC_SECONDS.test(manifest.created_at)) {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: created_at must be YYYY-MM-DDTHH:MM:SSZ, found ${manifest.created_at}`,
      { expected: 'YYYY-MM-DDTHH:MM:SSZ', found: manifest.created_at },
    );
  }
  return manifest;
}
