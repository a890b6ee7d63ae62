import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TufError } from '../errors';
import { metadataFile, requireRole } from './repository';

export interface CheckTargetOptions {
  /** Target name, `<project>/releases/<tag>.json`. */
  name: string;
  /** Expected SHA-256 (hex); when omitted, the file `targets/<name>` of the checkout is hashed. */
  sha256?: string;
  /** The targets role listing it (default `targets`). */
  role?: string;
}

export interface CheckedTarget {
  name: string;
  role: string;
  sha256: string;
  length: number;
  /** Version of the role file that lists the target. */
  version: number;
}

/** The release process's "confirm the target is listed with its SHA-256": fails naming what differs. */
export async function checkTarget(
  repoDir: string,
  options: CheckTargetOptions,
): Promise<CheckedTarget> {
  const role = options.role ?? 'targets';
  const source = join(repoDir, metadataFile(role));
  const metadata = await requireRole(repoDir, role);
  const entry = (
    metadata.signed.targets as
      Record<string, { hashes?: Record<string, string>; length?: number }> | undefined
  )?.[options.name];
  if (!entry)
    throw new TufError('NOT_FOUND', `${source}: target ${options.name} is not listed`, {
      expected: options.name,
      found: 'not listed',
    });
  const listed = entry.hashes?.sha256;
  if (typeof listed !== 'string' || typeof entry.length !== 'number') {
    throw new TufError(
      'METADATA_INVALID',
      `${source}: target ${options.name} needs hashes.sha256 and length`,
      { expected: '{hashes: {sha256}, length}', found: entry },
    );
  }
  let expected = options.sha256?.toLowerCase().replace(/^sha256:/, '');
  if (expected === undefined) {
    const file = join(repoDir, 'targets', options.name);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new TufError('NOT_FOUND', `${file} does not exist; give the expected sha256 instead`, {
        cause: error,
      });
    }
    if (bytes.length !== entry.length) {
      throw new TufError(
        'LENGTH_MISMATCH',
        `${source}: target ${options.name} has length ${entry.length}, ${file} is ${bytes.length} bytes`,
        { expected: entry.length, found: bytes.length },
      );
    }
    expected = createHash('sha256').update(bytes).digest('hex');
  }
  if (listed !== expected) {
    throw new TufError(
      'HASH_MISMATCH',
      `${source}: target ${options.name} has sha256 ${listed}, expected ${expected}`,
      { expected, found: listed },
    );
  }
  return {
    name: options.name,
    role,
    sha256: listed,
    length: entry.length,
    version: metadata.signed.version as number,
  };
}
