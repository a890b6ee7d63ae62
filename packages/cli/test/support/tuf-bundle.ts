import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json } from '@sigstore/core';
import { fixturePath } from '@oci-sd/test-support';

/**
 * A real keyless signature to verify: the canonical `signed` body of one of the amaanx86 TUF-on-CI
 * metadata files (the artifact) and the Sigstore bundle its first signature carries, written into `dir`.
 */
export function writeMetadataBundle(
  dir: string,
  role: 'targets' | 'timestamp',
): { artifact: string; bundle: string } {
  const metadata = JSON.parse(
    readFileSync(fixturePath('tuf', 'amaanx86', 'metadata', `${role}.json`), 'utf8'),
  ) as { signed: unknown; signatures: { bundle: unknown }[] };
  const artifact = join(dir, `${role}.signed.json`);
  const bundle = join(dir, `${role}.sigstore.json`);
  writeFileSync(artifact, json.canonicalize(metadata.signed));
  writeFileSync(bundle, JSON.stringify(metadata.signatures[0]!.bundle));
  return { artifact, bundle };
}
