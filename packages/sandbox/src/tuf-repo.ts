import {
  initRepository,
  sigstoreSigner,
  staticToken,
  type SigstoreTrustedRootJSON,
  type TufSigner,
} from '@oci-sd/tuf';
import {
  emailIdentity,
  githubActionsIdentity,
  type TestIdentity,
  type TestSigstore,
} from '@oci-sd/test-sigstore';

/** The people and workflows that sign the sandbox's TUF repository, all through the test Sigstore instance. */
export interface TufSigners {
  /** `@maintainer`: root and targets (offline role, "browser" identity). */
  maintainer: () => TufSigner;
  maintainerUser: string;
  /** The online-sign workflow: snapshot and timestamp. */
  online: () => TufSigner;
}

/** A Sigstore signer for `identity`; a fresh OIDC token each time (tokens live ten minutes). */
function signerFor(sigstore: TestSigstore, identity: TestIdentity): () => TufSigner {
  return () =>
    sigstoreSigner({
      token: staticToken(sigstore.identityToken(identity)),
      fulcioUrl: sigstore.fulcioURL,
      rekorUrl: sigstore.rekorURL,
      trustedRoot: sigstore.trustedRoot as unknown as SigstoreTrustedRootJSON,
    });
}

export function tufSigners(sigstore: TestSigstore, tufRepository: string): TufSigners {
  return {
    maintainer: signerFor(sigstore, emailIdentity('maintainer@example.test')),
    maintainerUser: '@maintainer',
    online: signerFor(
      sigstore,
      githubActionsIdentity({
        repository: tufRepository,
        workflowPath: '.github/workflows/online-sign.yml',
        ref: 'refs/heads/main',
        sha: '0'.repeat(40),
      }),
    ),
  };
}

/** Writes the sandbox's TUF-on-CI repository (version 1, as `tuf-on-ci` initialises it) into `dir`. */
export async function initTufRepository(
  dir: string,
  signers: TufSigners,
  now = new Date(),
): Promise<void> {
  await initRepository(dir, {
    maintainer: { signer: signers.maintainer(), user: signers.maintainerUser },
    online: { signer: signers.online(), uri: 'sigstore:' },
    now,
  });
}
