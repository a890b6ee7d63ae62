import { readFile } from 'node:fs/promises';
import { CoreError, writeFileAtomic as writeFileAtomicCore } from '@oci-sd/core';
import { Changelog } from './changelog';
import type { ParseOptions } from './changelog';
import { editedByteParts } from './edit';
import { ChangelogError } from './errors';
import type { PromoteOptions, PromoteResult } from './promote';

function ioError(file: string, action: string, cause: unknown): ChangelogError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ChangelogError('IO', `cannot ${action}: ${reason}`, {
    file,
    cause,
    expected: `a ${action === 'read' ? 'readable' : 'writable'} file`,
    found: (cause as { code?: string }).code ?? reason,
  });
}

/** Reads and parses a changelog; errors and problems name `path`. */
export async function readChangelog(
  path: string,
  options: Omit<ParseOptions, 'file'> = {},
): Promise<Changelog> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw ioError(path, 'read', cause);
  }
  // Parsed from the bytes, so an edit splices into them and leaves every other byte as it was.
  return Changelog.parse(bytes, { ...options, file: path });
}

/**
 * Replaces a file's content all at once (`@oci-sd/core`'s atomic write: temp file beside it, same
 * mode, flushed, renamed over it), so readers see the old file or the new one, never half of one.
 * Fails with ChangelogError IO naming `path`.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array | readonly (string | Uint8Array)[],
): Promise<void> {
  try {
    await writeFileAtomicCore(path, content);
  } catch (error) {
    throw ioError(path, 'write', error instanceof CoreError ? error.cause : error);
  }
}

export interface PromoteFileOptions extends PromoteOptions {
  /** See {@link ParseOptions.versionIndex}. */
  versionIndex?: number;
  /** Compute the change (text and diff) without writing the file. */
  dryRun?: boolean;
}

export interface PromoteFileResult extends PromoteResult {
  file: string;
  written: boolean;
}

/** Promotes Unreleased in a changelog file to `target` (a version, or major, minor or patch) and writes it atomically. */
export async function promoteFile(
  path: string,
  target: string,
  options: PromoteFileOptions = {},
): Promise<PromoteFileResult> {
  const { dryRun, versionIndex, ...promoteOptions } = options;
  const changelog = await readChangelog(path, versionIndex !== undefined ? { versionIndex } : {});
  const result = changelog.promote(target, promoteOptions);
  // The original bytes with the edits spliced in, piece by piece: a large file is not joined first.
  if (!dryRun) await writeFileAtomic(path, editedByteParts(changelog, result.edits));
  // Assigned onto the result, so its `text` stays built on demand.
  return Object.assign(result, { file: path, written: !dryRun });
}
