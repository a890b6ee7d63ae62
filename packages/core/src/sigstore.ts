// Imported, not read from disk at run time, so bundles (the GitHub Action's dist) carry it.
import seeds from '@sigstore/tuf/seeds.json' with { type: 'json' };
import { CoreError } from './errors';

/** The Sigstore public-good instance's services. */
export const PUBLIC_GOOD_FULCIO_URL = 'https://fulcio.sigstore.dev';
export const PUBLIC_GOOD_REKOR_URL = 'https://rekor.sigstore.dev';
/** The TUF repository that distributes the public-good trusted root. */
export const PUBLIC_GOOD_TUF_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

/** Where the embedded public-good trusted root comes from, for reports. */
export const PUBLIC_GOOD_TRUSTED_ROOT_SOURCE = 'public-good (@sigstore/tuf seeds.json)';

let publicGoodRoot: object | undefined;

/**
 * The Sigstore public-good `trusted_root.json` document (parsed JSON), as shipped inside
 * @sigstore/tuf's `seeds.json`: never fetched, so verification stays offline. Parsed once.
 * Fails with CoreError INVALID_INPUT when the installed seeds hold none.
 */
export function publicGoodTrustedRoot(): object {
  if (publicGoodRoot) return publicGoodRoot;
  const encoded = (seeds as Record<string, { targets?: Record<string, string> } | undefined>)[
    PUBLIC_GOOD_TUF_MIRROR
  ]?.targets?.['trusted_root.json'];
  if (encoded === undefined) {
    throw new CoreError(
      'INVALID_INPUT',
      `@sigstore/tuf seeds.json: no trusted_root.json target for ${PUBLIC_GOOD_TUF_MIRROR}`,
      {
        expected: `targets["trusted_root.json"] under "${PUBLIC_GOOD_TUF_MIRROR}"`,
        found: Object.keys(seeds),
      },
    );
  }
  publicGoodRoot = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as object;
  return publicGoodRoot;
}
