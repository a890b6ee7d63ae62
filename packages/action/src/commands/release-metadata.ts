import { basename } from 'node:path';
import { writeFileAtomic } from '@oci-sd/tuf';
import { createGitHubClient, findRelease, parseRepo, uploadAsset } from '@oci-sd/gh';
import type { AssetAction, AssetInfo } from '@oci-sd/gh';
import type { GitHubContext } from '../context';
import { ActionError } from '../errors';
import { booleanInput, digestInput, imageRepositoryInput, optionalInput } from '../io';
import type { ActionIO } from '../io';
import { code, link, summaryTable } from '../summary';

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

/** The document in the seed's field order (the order is part of the bytes). */
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

/** Uploads the file to the tag's release (kept when GitHub already has the same bytes). */
async function uploadToRelease(context: GitHubContext, token: string, tag: string, path: string): Promise<{ asset: AssetInfo; action: AssetAction }> {
  const client = await createGitHubClient({ token, apiUrl: context.apiUrl, serverUrl: context.serverUrl, ghCli: false });
  const repo = parseRepo(context.repository);
  const release = await findRelease(client, repo, tag);
  if (!release) {
    throw new ActionError('MISSING_CONTEXT', `no release for tag ${tag} in ${context.repository} to upload ${basename(path)} to; create it first or set upload: false`, {
      expected: `a release for ${tag}`,
      found: 'none',
    });
  }
  return uploadAsset(client, repo, release, { path, name: basename(path), contentType: 'application/json' });
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
  await writeFileAtomic(path, formatReleaseMetadata(metadata));

  const upload = booleanInput(io, 'upload', context.release !== undefined)
    ? await uploadToRelease(context, io.getInput('token'), tag, path)
    : undefined;

  io.setOutput('metadata-file', path);
  io.setOutput('asset-url', upload?.asset.downloadUrl ?? '');
  io.setOutput('predicate-type', releaseMetadataPredicateType(repositoryUrl));
  io.setOutput('result', JSON.stringify(metadata));
  io.info(`wrote ${path} for ${tag} (${image}@${digest})${upload ? `; release asset ${upload.action}: ${upload.asset.downloadUrl}` : ''}`);
  await io.appendSummary(
    summaryTable(`Release metadata for ${tag}`, [
      ['Image', code(`${image}@${digest}`)],
      ['Commit', code(metadata.commit)],
      ['Release', link(metadata.release_url, metadata.release_url)],
      ['File', code(path)],
      ['Release asset', upload ? `${link(upload.asset.name, upload.asset.downloadUrl)} (${upload.action})` : 'not uploaded'],
    ]),
  );
}
