import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { writeFileAtomic } from '@oci-sd/core';
import { createGitHubClient, downloadAsset, findRelease, parseRepo, uploadAsset } from '@oci-sd/gh';
import type { AssetAction, AssetInfo } from '@oci-sd/gh';
import type { GitHubContext } from '../context';
import { ActionError } from '../errors';
import { booleanInput, digestInput, imageRepositoryInput, optionalInput } from '../io';
import type { ActionIO } from '../io';
import { code, link, plain, summaryTable } from '../summary';

/** release-metadata.json: the release asset and the predicate of the project's custom attestation. */
export interface ReleaseMetadata {
  version: string;
  tag: string;
  image: string;
  digest: string;
  commit: string;
  workflow: string;
  run_id: string;
  run_url: string;
  release_url: string;
  built_at: string;
}

export interface ReleaseMetadataInput {
  tag: string;
  image: string;
  digest: string;
  commit: string;
  workflow: string;
  runId: string;
  /** `https://github.com/OWNER/REPO` (GitHub Enterprise: its server URL). */
  repositoryUrl: string;
  /** The release page; `<repositoryUrl>/releases/tag/<tag>` when absent. */
  releaseUrl?: string;
  builtAt: Date;
}

/** The document in release-metadata's published field order (the order is part of the bytes). */
export function releaseMetadata(input: ReleaseMetadataInput): ReleaseMetadata {
  return {
    version: input.tag.replace(/^v(?=\d)/, ''),
    tag: input.tag,
    image: input.image,
    digest: input.digest,
    commit: input.commit,
    workflow: input.workflow,
    run_id: input.runId,
    run_url: `${input.repositoryUrl}/actions/runs/${input.runId}`,
    release_url: input.releaseUrl ?? `${input.repositoryUrl}/releases/tag/${input.tag}`,
    built_at: input.builtAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

export function formatReleaseMetadata(metadata: ReleaseMetadata): string {
  return `${JSON.stringify(metadata, null, 2)}\n`;
}

/** Predicate type of the release-metadata attestation: `https://github.com/OWNER/REPO/release-metadata`. */
export function releaseMetadataPredicateType(repositoryUrl: string): string {
  return `${repositoryUrl}/release-metadata`;
}

/** The fields that identify a build: an asset agreeing on all of them describes the same build (a re-run's built_at and run differ). */
const BUILD_FIELDS = ['tag', 'image', 'digest', 'commit'] as const;

type BuildField = (typeof BUILD_FIELDS)[number];

/** How the release asset compares with this run's document. */
type Comparison =
  | { kind: 'same-build'; bytes: Buffer; document: Record<string, unknown> }
  | { kind: 'other-build'; differences: { field: BuildField; expected: string; found: unknown }[] }
  | { kind: 'malformed'; problem: string };

/** Reads a release asset as release metadata and compares the build it records with this run's. */
function compareReleaseMetadata(expected: ReleaseMetadata, bytes: Uint8Array): Comparison {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return { kind: 'malformed', problem: `not JSON (${(error as Error).message})` };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    return { kind: 'malformed', problem: 'not a JSON object' };
  const record = document as Record<string, unknown>;
  const missing = BUILD_FIELDS.filter((field) => typeof record[field] !== 'string');
  if (missing.length)
    return {
      kind: 'malformed',
      problem: `no string field ${missing.map((field) => `"${field}"`).join(', ')}`,
    };
  const differences = BUILD_FIELDS.filter((field) => record[field] !== expected[field]).map(
    (field) => ({ field, expected: expected[field], found: record[field] }),
  );
  return differences.length
    ? { kind: 'other-build', differences }
    : { kind: 'same-build', bytes: Buffer.from(bytes), document: record };
}

interface Published {
  asset: AssetInfo;
  action: AssetAction;
  /** Set when the release already recorded this build: its bytes, which become the local file. */
  kept?: { bytes: Buffer; document: Record<string, unknown> };
  /** Why an existing asset was kept or replaced, for the log and the summary. */
  why?: string;
}

/** Far above any release-metadata.json; a bigger asset of that name is not one. */
const MAX_METADATA_BYTES = 1024 * 1024;

/**
 * Puts the document on the tag's release. An asset of the same name from an earlier run of the same
 * build (same tag, image, digest, commit) is kept as it is, so a re-run of an immutable release
 * succeeds; an asset recording another build, or not release metadata at all, is replaced on a
 * mutable release and refused on an immutable one.
 */
async function publishToRelease(
  context: GitHubContext,
  token: string,
  tag: string,
  name: string,
  metadata: ReleaseMetadata,
  text: string,
): Promise<Published> {
  const client = await createGitHubClient({
    token,
    apiUrl: context.apiUrl,
    serverUrl: context.serverUrl,
    ghCli: false,
  });
  const repo = parseRepo(context.repository);
  const release = await findRelease(client, repo, tag);
  if (!release) {
    throw new ActionError(
      'MISSING_CONTEXT',
      `no release for tag ${tag} in ${context.repository} to upload ${name} to; create it first or set upload: false`,
      {
        expected: `a release for ${tag}`,
        found: 'none',
      },
    );
  }
  const upload = () =>
    uploadAsset(client, repo, release, { name, data: text, contentType: 'application/json' });
  const existing = release.assets.find((asset) => asset.name === name);
  // No asset, or byte-identical: uploadAsset uploads or keeps it without a download.
  if (!existing || existing.digest === `sha256:${createHash('sha256').update(text).digest('hex')}`)
    return upload();

  const comparison: Comparison =
    existing.size > MAX_METADATA_BYTES
      ? {
          kind: 'malformed',
          problem: `${existing.size} bytes, more than release metadata ever needs`,
        }
      : await downloadAsset(client, repo, existing, { maxBytes: MAX_METADATA_BYTES }).then(
          (bytes) => compareReleaseMetadata(metadata, bytes),
        );
  if (comparison.kind === 'same-build') {
    const { built_at: builtAt, run_id: runId } = comparison.document;
    return {
      asset: existing,
      action: 'kept',
      kept: comparison,
      why: `it already records this build (built_at ${String(builtAt)}, run ${String(runId)})`,
    };
  }
  const listed =
    comparison.kind === 'malformed'
      ? []
      : comparison.differences.map(
          (d) =>
            `${d.field}: expected ${JSON.stringify(d.expected)} (this run), found ${JSON.stringify(d.found)} (the release asset)`,
        );
  if (!release.immutable) {
    return {
      ...(await upload()),
      why:
        comparison.kind === 'malformed'
          ? `it was not release metadata (${comparison.problem})`
          : `it recorded another build (${listed.join('; ')})`,
    };
  }

  const where = `the immutable release ${tag} of ${context.repository}`;
  if (comparison.kind === 'malformed') {
    throw new ActionError(
      'RELEASE_ASSET_CONFLICT',
      `${where} holds a ${name} that is not release metadata (${comparison.problem}); it cannot be replaced: release a new version`,
      {
        expected: `a JSON object with ${BUILD_FIELDS.join(', ')}`,
        found: comparison.problem,
      },
    );
  }
  throw new ActionError(
    'RELEASE_ASSET_CONFLICT',
    `${where} holds a ${name} recording another build; ${listed.join('; ')}. Immutable release assets cannot change: release a new version`,
    {
      expected: Object.fromEntries(comparison.differences.map((d) => [d.field, d.expected])),
      found: Object.fromEntries(comparison.differences.map((d) => [d.field, d.found])),
    },
  );
}

/** `command: release-metadata` */
export async function releaseMetadataCommand(io: ActionIO, context: GitHubContext): Promise<void> {
  const image = imageRepositoryInput(io);
  const digest = digestInput(io, 'digest');
  const tag = context.tag(optionalInput(io, 'tag'));
  const repositoryUrl = `${context.serverUrl}/${context.repository}`;
  const metadata = releaseMetadata({
    tag,
    image,
    digest,
    commit: context.sha,
    workflow: context.workflow,
    runId: context.runId,
    repositoryUrl,
    ...(context.release?.html_url ? { releaseUrl: context.release.html_url } : {}),
    builtAt: new Date(),
  });
  const path = context.resolvePath(optionalInput(io, 'metadata-file') ?? 'release-metadata.json');
  const text = formatReleaseMetadata(metadata);

  const published = booleanInput(io, 'upload', context.release !== undefined)
    ? await publishToRelease(context, io.getInput('token'), tag, basename(path), metadata, text)
    : undefined;
  // A kept asset's bytes become the local file, so a later attest step attests what the release holds.
  await writeFileAtomic(path, published?.kept?.bytes ?? text);
  const recorded = published?.kept?.document ?? metadata;

  io.setOutput('metadata-file', path);
  io.setOutput('asset-url', published?.asset.downloadUrl ?? '');
  io.setOutput('asset-action', published?.action ?? '');
  io.setOutput('predicate-type', releaseMetadataPredicateType(repositoryUrl));
  io.setOutput('result', JSON.stringify(recorded));
  const why = published?.why
    ? ` (${published.why}${published.kept ? `; ${path} holds its bytes` : ''})`
    : '';
  io.info(
    `wrote ${path} for ${tag} (${image}@${digest})${published ? `; release asset ${published.action}: ${published.asset.downloadUrl}${why}` : ''}`,
  );
  await io.appendSummary(
    summaryTable(`Release metadata for ${tag}`, [
      ['Image', code(`${image}@${digest}`)],
      ['Commit', code(metadata.commit)],
      ['Release', link(metadata.release_url, metadata.release_url)],
      ['File', code(path)],
      [
        'Release asset',
        published
          ? `${link(published.asset.name, published.asset.downloadUrl)} (${published.action}${published.why ? `: ${plain(published.why)}` : ''})`
          : 'not uploaded',
      ],
    ]),
  );
}
