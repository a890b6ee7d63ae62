import { readChangelog } from '@oci-sd/changelog';
import { writeFileAtomic } from '@oci-sd/core';
import type { ReleaseNotes } from '@oci-sd/changelog';
import type { GitHubContext } from '../context';
import { optionalInput } from '../io';
import type { ActionIO } from '../io';
import { code, link, summaryTable } from '../summary';

export interface ReleaseNotesRequest {
  changelogPath: string;
  tag: string;
  /** `OWNER/REPO` for the Full Changelog link; read from the changelog's links when absent. */
  repository?: string | undefined;
  serverUrl?: string | undefined;
  tagPrefix?: string;
}

/** The release notes of a tag from CHANGELOG.md, ending with the Full Changelog link. */
export async function releaseNotesFor(request: ReleaseNotesRequest): Promise<ReleaseNotes> {
  const changelog = await readChangelog(request.changelogPath);
  return changelog.notes(request.tag, {
    ...(request.repository ? { repo: request.repository } : {}),
    ...(request.serverUrl ? { serverUrl: request.serverUrl } : {}),
    ...(request.tagPrefix !== undefined ? { tagPrefix: request.tagPrefix } : {}),
  });
}

/** `command: release-notes`: outputs `notes` (and writes `notes-file` when given). */
export async function releaseNotesCommand(io: ActionIO, context: GitHubContext): Promise<void> {
  const tagPrefix = optionalInput(io, 'tag-prefix');
  const notes = await releaseNotesFor({
    changelogPath: context.resolvePath(optionalInput(io, 'changelog') ?? 'CHANGELOG.md'),
    tag: context.tag(optionalInput(io, 'tag')),
    repository: context.repositoryIfKnown,
    serverUrl: context.serverUrl,
    ...(tagPrefix !== undefined ? { tagPrefix } : {}),
  });
  const notesFile = optionalInput(io, 'notes-file');
  if (notesFile) await writeFileAtomic(context.resolvePath(notesFile), notes.body);

  io.setOutput('notes', notes.body);
  io.setOutput('tag', notes.tag);
  io.setOutput('version', notes.version);
  io.setOutput('previous-tag', notes.previousTag ?? '');
  io.setOutput('full-changelog-url', notes.fullChangelogUrl);
  io.setOutput('prerelease', String(notes.prerelease));
  if (notesFile) io.setOutput('notes-file', context.resolvePath(notesFile));
  io.setOutput('result', JSON.stringify(notes));
  io.info(
    `release notes for ${notes.tag}: ${notes.body.length} characters${notes.previousTag ? `, since ${notes.previousTag}` : ''}`,
  );
  await io.appendSummary(
    summaryTable(`Release notes for ${notes.tag}`, [
      ['Version', code(notes.version)],
      ['Previous tag', notes.previousTag ? code(notes.previousTag) : 'none (first release)'],
      ['Full Changelog', link(notes.fullChangelogUrl, notes.fullChangelogUrl)],
    ]) + `<details><summary>Notes</summary>\n\n${notes.body}\n\n</details>\n\n`,
  );
}
