import { ChangelogError, parseChangelog } from '@oci-sd/changelog';
import type { ChangelogService } from './services';

// Any valid date: resolving a version must not depend on the day it runs.
const PROBE_DATE = '2000-01-01';

/** @oci-sd/changelog, with errors located in `file`. */
export function changelogService(file: string): ChangelogService {
  return {
    resolveVersion(text, requested) {
      return parseChangelog(text, { file }).promote(requested, { date: PROBE_DATE }).version;
    },
    hasUnreleasedChanges(text) {
      try {
        parseChangelog(text, { file }).promote('patch', { date: PROBE_DATE });
        return true;
      } catch (error) {
        if (error instanceof ChangelogError && (error.code === 'EMPTY_UNRELEASED' || error.code === 'NO_UNRELEASED')) return false;
        throw error;
      }
    },
    promote(text, version, date, tagPrefix) {
      const { text: promoted, diff } = parseChangelog(text, { file }).promote(version, { date, tagPrefix });
      return { text: promoted, diff };
    },
    notes(text, version, options) {
      return parseChangelog(text, { file }).notes(version, options).body;
    },
  };
}
