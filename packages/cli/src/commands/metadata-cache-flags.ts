import type { MetadataCache } from '@oci-sd/tuf';
import { CliError } from '../errors';

// Types only from @oci-sd/tuf: `verify image` must not load the TUF client.
/** `--metadata-dir DIR` / `--no-cache` (commander's `cache: false`), shared by `tuf verify` and `verify release`. */
export function metadataCacheFlags(flags: { metadataDir?: string; cache: boolean }): MetadataCache {
  if (flags.metadataDir !== undefined && !flags.cache)
    throw new CliError('USAGE', 'give --metadata-dir DIR or --no-cache, not both', {
      expected: 'one of them',
      found: { metadataDir: flags.metadataDir, cache: false },
    });
  if (!flags.cache) return { kind: 'none' };
  return flags.metadataDir !== undefined
    ? { kind: 'dir', dir: flags.metadataDir }
    : { kind: 'user' };
}
