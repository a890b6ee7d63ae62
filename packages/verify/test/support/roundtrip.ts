import { startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestIdentity, TestSigstore } from '@oci-sd/test-sigstore';
import { SEED_WORKFLOW } from '@oci-sd/release-fixture';
import { RegistrySource, pushImage } from '@oci-sd/oci';
import { trustMaterialFromJSON } from '../../src/index';
import type { Digest, IdentityPolicy, LoadedTrustMaterial } from '../../src/index';
import { COMMIT } from './report';

export interface RoundTripImage {
  store: RegistrySource;
  /** The image index, tagged v1.5.0. */
  digest: Digest;
  image: string;
  /** Its one platform manifest. */
  platform: Digest;
}

/** A docker-registry and a test Sigstore that trusts itself, with the seed workflow's identity at v1.5.0 and the exact policy for it. */
export interface RoundTripWorld {
  registry: TestRegistry;
  sigstore: TestSigstore;
  trust: LoadedTrustMaterial;
  identity: TestIdentity;
  policy: IdentityPolicy;
  /** A fresh image in its own repository (`<prefix><n>`): every test starts from nothing attached. */
  newImage(): Promise<RoundTripImage>;
  stop(): Promise<void>;
}

export async function startRoundTripWorld(repositoryPrefix: string): Promise<RoundTripWorld> {
  const [registry, sigstore] = await Promise.all([startRegistry(), startTestSigstore()]);
  const identity = githubActionsIdentity({
    repository: 'acme/app',
    workflowPath: SEED_WORKFLOW,
    ref: 'refs/tags/v1.5.0',
    sha: COMMIT,
  });
  let images = 0;
  return {
    registry,
    sigstore,
    trust: trustMaterialFromJSON(sigstore.trustedRoot, 'test sigstore'),
    identity,
    policy: { identity: identity.subjectAlternativeName, issuer: identity.issuer },
    async newImage() {
      const repository = `${repositoryPrefix}${++images}`;
      const store = new RegistrySource(registry.host, repository);
      const pushed = await pushImage(store, {
        tag: 'v1.5.0',
        platforms: [{ os: 'linux', architecture: 'amd64', files: { app: `build ${images}` } }],
      });
      return {
        store,
        digest: pushed.digest,
        image: `${registry.host}/${repository}`,
        platform: pushed.platforms[0]!.digest,
      };
    },
    async stop() {
      await Promise.all([registry.stop(), sigstore.stop()]);
    },
  };
}
