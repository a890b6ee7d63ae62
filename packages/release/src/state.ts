import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@oci-sd/core';
import { ReleaseError } from './errors';

export const STEP_IDS = [
  'preflight',
  'changelog',
  'release',
  'build',
  'signing',
  'publish',
  'verify',
] as const;
export type StepId = (typeof STEP_IDS)[number];

/** What earlier steps learned; later steps (and a resumed run) read it instead of asking again. */
export interface ReleaseFacts {
  changelogBranch?: string;
  changelogPr?: number;
  changelogPrUrl?: string;
  /** Commit on the default branch that contains the promoted changelog (the release target). */
  releaseCommit?: string;
  releaseId?: number;
  releaseUrl?: string;
  buildRunId?: number;
  buildRunUrl?: string;
  signingBranch?: string;
  signingPr?: number;
  signingPrUrl?: string;
  /** Set just before the publish dispatch: a run created since then is ours (a resume finds it instead of dispatching again). */
  publishDispatchedAfter?: string;
  publishRunId?: number;
  publishRunUrl?: string;
  digest?: string;
}

export interface ReleaseState {
  schema: 1;
  version: string;
  tag: string;
  repo: string;
  tufRepo: string;
  startedAt: string;
  updatedAt: string;
  completed: StepId[];
  facts: ReleaseFacts;
}

export const STATE_DIR = '.oci-sd';

export function statePath(projectDir: string, version: string): string {
  return join(projectDir, STATE_DIR, `release-${version}.json`);
}

/** Writes atomically (temp file, then rename): a kill never leaves half a state file. */
export async function saveState(projectDir: string, state: ReleaseState): Promise<void> {
  const dir = join(projectDir, STATE_DIR);
  // the folder ignores itself: release state never shows up as a change to commit
  if (!existsSync(join(dir, '.gitignore'))) await writeFileAtomic(join(dir, '.gitignore'), '*\n');
  const next = { ...state, updatedAt: new Date().toISOString() };
  await writeFileAtomic(statePath(projectDir, state.version), `${JSON.stringify(next, null, 2)}\n`);
  Object.assign(state, next);
}

function isState(value: unknown): value is ReleaseState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    s.schema === 1 &&
    typeof s.version === 'string' &&
    typeof s.tag === 'string' &&
    typeof s.repo === 'string' &&
    typeof s.tufRepo === 'string' &&
    Array.isArray(s.completed) &&
    s.completed.every((id) => (STEP_IDS as readonly unknown[]).includes(id)) &&
    typeof s.facts === 'object' &&
    s.facts !== null
  );
}

export function loadState(projectDir: string, version: string): ReleaseState | undefined {
  const file = statePath(projectDir, version);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ReleaseError(
      'STATE',
      `${file}: not valid JSON; delete it to start the release over`,
      {
        expected: 'a release state file',
        found: 'invalid JSON',
        cause: error,
      },
    );
  }
  if (!isState(parsed)) {
    throw new ReleaseError(
      'STATE',
      `${file}: not a release state file (schema 1); delete it to start the release over`,
      { expected: 'schema 1 release state', found: parsed },
    );
  }
  return parsed;
}

/** Versions with a state file whose release has not finished, oldest first. */
export function unfinishedReleases(projectDir: string): string[] {
  const dir = join(projectDir, STATE_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^release-(.+)\.json$/.exec(name)?.[1])
    .filter((version): version is string => version !== undefined)
    .filter((version) => loadState(projectDir, version)?.completed.length !== STEP_IDS.length)
    .sort();
}

export function newState(
  version: string,
  tag: string,
  repo: string,
  tufRepo: string,
): ReleaseState {
  const now = new Date().toISOString();
  return {
    schema: 1,
    version,
    tag,
    repo,
    tufRepo,
    startedAt: now,
    updatedAt: now,
    completed: [],
    facts: {},
  };
}
