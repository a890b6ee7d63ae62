import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@oci-sd/core';
import type { FetchFunction } from '@oci-sd/core';
import { VerificationError } from '../errors';
import { trustMaterialFromJSON } from '../trust/trusted-root';
import type { LoadedTrustMaterial } from '../trust/trusted-root';
import { GITHUB_TUF_ROOT } from './github-tuf-root';

/** Where GitHub publishes its TUF repository (metadata at the top, targets under `targets/`), as gh reads it. */
export const GITHUB_TUF_URL = 'https://tuf-repo.github.com';
/** The target holding the trusted root of GitHub's Sigstore instance. */
export const GITHUB_TRUSTED_ROOT_TARGET = 'trusted_root.json';

export interface GitHubTrustOptions {
  /**
   * Keeps the TUF client's verified metadata between runs (`metadata/root.json` starts as the pinned
   * root and advances by rotation), like gh's TUF cache.
   */
  cacheDir: string;
  /** Metadata base URL (`<N>.root.json`, `timestamp.json`, ...); default {@link GITHUB_TUF_URL}. */
  metadataUrl?: string;
  /** Targets base URL; default `<metadataUrl>/targets`. */
  targetsUrl?: string;
  /** The pinned root v1; default GitHub's, embedded. Used only when the cache holds no root yet. */
  root?: unknown;
  now?: Date;
  fetch?: FetchFunction;
  timeoutMs?: number;
}

/**
 * GitHub's Sigstore trusted root through its TUF repository: a full TUF client update (TUF specification
 * section 5: root rotation, timestamp, snapshot, targets, with rollback and expiry checks) from the pinned
 * root, then the `trusted_root.json` target checked against its listed length and hashes.
 * A network failure is `REGISTRY` (exit 3); metadata that does not verify is `TUF_MISMATCH`.
 */
export async function githubTrustMaterial(
  options: GitHubTrustOptions,
): Promise<LoadedTrustMaterial> {
  const { TufError, Updater } = await import('@oci-sd/tuf');
  const base = (options.metadataUrl ?? GITHUB_TUF_URL).replace(/\/+$/, '');
  const targets = (options.targetsUrl ?? `${base}/targets`).replace(/\/+$/, '');
  const metadataDir = join(options.cacheDir, 'metadata');
  await mkdir(metadataDir, { recursive: true });
  const trustedRoot = join(metadataDir, 'root.json');
  if (!(await exists(trustedRoot)))
    await writeFileAtomic(trustedRoot, `${JSON.stringify(options.root ?? GITHUB_TUF_ROOT)}\n`);
  const updater = new Updater({
    metadataDir,
    metadataBaseUrl: `${base}/`,
    targetBaseUrl: `${targets}/`,
    targetDir: join(options.cacheDir, 'targets'),
    ...(options.now ? { now: options.now } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  try {
    const state = await updater.refresh();
    const info = await updater.getTargetInfo(GITHUB_TRUSTED_ROOT_TARGET);
    if (!info)
      throw new VerificationError(
        'TUF_MISMATCH',
        `${GITHUB_TRUSTED_ROOT_TARGET} is not a target of ${base} (targets v${state.targets.version})`,
        { expected: GITHUB_TRUSTED_ROOT_TARGET, found: 'not listed' },
      );
    const bytes = await readFile(await updater.downloadTarget(info));
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (cause) {
      throw new VerificationError(
        'MALFORMED',
        `${base} ${GITHUB_TRUSTED_ROOT_TARGET}: not JSON: ${(cause as Error).message}`,
        { expected: 'a Sigstore trusted root', cause },
      );
    }
    return trustMaterialFromJSON(
      json,
      `${base} ${GITHUB_TRUSTED_ROOT_TARGET} (TUF root v${state.root.version}, targets v${state.targets.version})`,
    );
  } catch (error) {
    if (!(error instanceof TufError)) throw error;
    throw new VerificationError(
      error.code === 'FETCH' ? 'REGISTRY' : 'TUF_MISMATCH',
      `GitHub TUF repository ${base}: ${error.message}`,
      { expected: error.expected, found: error.found, cause: error },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
