import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf, RepoBuilder, RepoServer } from '@oci-sd/test-support';
import type { SerializedBundle } from '@sigstore/bundle';
import { startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { GitHubActionsIdentityOptions, TestSigstore } from '@oci-sd/test-sigstore';
import { RegistrySource, attachReferrerBundle, pushImage } from '@oci-sd/oci';
import {
  SLSA_PROVENANCE_V1,
  githubTrustMaterial,
  trustMaterialFromJSON,
  verifyAttestation,
  VerificationError,
} from '../src/index';
import type { Digest, LoadedTrustMaterial, VerifyAttestationOptions } from '../src/index';
import { inTotoStatement } from './support/signing';
import { COMMIT, check } from './support/report';

const IN_TOTO = 'application/vnd.in-toto+json';
const WORKFLOW = '.github/workflows/release.yml';
const identityOptions: GitHubActionsIdentityOptions = {
  repository: 'acme/app',
  workflowPath: WORKFLOW,
  ref: 'refs/tags/v1.5.0',
  sha: COMMIT,
};

/** The predicate actions/attest-build-provenance writes (spec: "What is produced"). */
function githubProvenance(): unknown {
  return {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: {
        workflow: {
          ref: 'refs/tags/v1.5.0',
          repository: 'https://github.com/acme/app',
          path: WORKFLOW,
        },
      },
      internalParameters: {
        github: {
          event_name: 'push',
          repository_id: '100000001',
          repository_owner_id: '100000000',
        },
      },
      resolvedDependencies: [
        { uri: 'git+https://github.com/acme/app@refs/tags/v1.5.0', digest: { gitCommit: COMMIT } },
      ],
    },
    runDetails: {
      builder: { id: 'https://github.com/actions/runner/github-hosted' },
      metadata: { invocationId: 'https://github.com/acme/app/actions/runs/1/attempts/1' },
    },
  };
}

describe('GitHub attestations round trip: docker-registry, test Sigstore (public-good and GitHub-shaped)', () => {
  let registry: TestRegistry;
  let publicGood: TestSigstore;
  let github: TestSigstore;
  let images = 0;

  beforeAll(async () => {
    [registry, publicGood, github] = await Promise.all([
      startRegistry(),
      startTestSigstore(),
      startTestSigstore({ instance: 'github' }),
    ]);
  });
  afterAll(() => Promise.all([registry?.stop(), publicGood?.stop(), github?.stop()]));

  async function newImage() {
    const repository = `attest/app${++images}`;
    const store = new RegistrySource(registry.host, repository);
    const pushed = await pushImage(store, {
      tag: 'v1.5.0',
      platforms: [{ os: 'linux', architecture: 'amd64', files: { app: `build ${images}` } }],
    });
    return { store, digest: pushed.digest, image: `oci://${registry.host}/${repository}:v1.5.0` };
  }

  function attest(
    sigstore: TestSigstore,
    digest: Digest,
    identity: Partial<GitHubActionsIdentityOptions> = {},
  ): Promise<SerializedBundle> {
    return sigstore.signDsse(
      inTotoStatement(digest, 'acme/app', SLSA_PROVENANCE_V1, githubProvenance()),
      IN_TOTO,
      githubActionsIdentity({ ...identityOptions, ...identity }),
    );
  }

  const rootOf = (sigstore: TestSigstore): LoadedTrustMaterial =>
    trustMaterialFromJSON(sigstore.trustedRoot, `${sigstore.instance} test root`);

  const verify = (options: Partial<VerifyAttestationOptions>) =>
    verifyAttestation({
      owner: 'acme',
      bundleFromOci: true,
      trustedRoots: [rootOf(publicGood), rootOf(github)],
      ...options,
    } as VerifyAttestationOptions);

  for (const instance of ['public-good', 'github'] as const) {
    const sigstore = () => (instance === 'github' ? github : publicGood);

    describe(`${instance}-shaped instance`, () => {
      it('an attestation pushed as a referrer verifies by tag, with the instance it needs', async () => {
        const { store, digest, image } = await newImage();
        await attachReferrerBundle(store, digest, await attest(sigstore(), digest));
        const report = await verify({
          artifact: image,
          owner: undefined,
          repo: 'acme/app',
          signerWorkflow: `acme/app/${WORKFLOW}`,
          denySelfHostedRunners: true,
        });
        expect(report.ok, JSON.stringify(report.checks, null, 1)).toBe(true);
        expect(report.image?.digest).toBe(digest);
        const evidence = check(report, 'attestation').evidence as Record<string, unknown>;
        expect(evidence.instance).toBe(instance === 'github' ? 'github' : 'custom');
        expect(evidence.commit).toBe(COMMIT);
        if (instance === 'github') {
          expect(evidence.tlog).toEqual([]);
          expect(evidence.timestampAuthorityTimes).toHaveLength(1);
        }
      });

      it('fails for another owner, and for a self-hosted runner only when denied', async () => {
        const { store, digest, image } = await newImage();
        await attachReferrerBundle(
          store,
          digest,
          await attest(sigstore(), digest, { runnerEnvironment: 'self-hosted' }),
        );
        const otherOwner = await verify({ artifact: image, owner: 'acme-evil' });
        expect(check(otherOwner, 'attestation:owner')).toMatchObject({
          status: 'fail',
          code: 'IDENTITY_MISMATCH',
          found: 'https://github.com/acme',
        });
        expect((await verify({ artifact: image })).ok).toBe(true);
        const denied = await verify({ artifact: image, denySelfHostedRunners: true });
        expect(denied.ok).toBe(false);
        expect(check(denied, 'attestation:runner')).toMatchObject({
          status: 'fail',
          found: 'self-hosted',
        });
      });

      it('fails for an attestation of another digest attached to the image', async () => {
        const first = await newImage();
        const second = await newImage();
        await attachReferrerBundle(
          second.store,
          second.digest,
          await attest(sigstore(), first.digest),
        );
        const report = await verify({ artifact: second.image });
        expect(check(report, 'attestation')).toMatchObject({
          status: 'fail',
          code: 'DIGEST_MISMATCH',
        });
        expect(check(report, 'attestation:signature').status).toBe('pass');
      });

      it('fails for a tampered statement, and a good one next to it still verifies', async () => {
        const { store, digest, image } = await newImage();
        const bundle = await attest(sigstore(), digest);
        const tampered = structuredClone(bundle);
        const envelope = tampered.dsseEnvelope!;
        const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
        statement.predicate.runDetails.builder.id = 'https://evil.example/builder';
        envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
        await attachReferrerBundle(store, digest, tampered);
        const alone = await verify({ artifact: image });
        expect(check(alone, 'attestation')).toMatchObject({
          status: 'fail',
          code: 'SIGNATURE_INVALID',
        });
        await attachReferrerBundle(store, digest, bundle);
        const both = await verify({ artifact: image });
        expect(both.ok).toBe(true);
        expect(
          (check(both, 'attestation').evidence as { rejected: unknown[] }).rejected,
        ).toHaveLength(1);
      });

      it('fails under a trusted root of the other instance only', async () => {
        const { store, digest, image } = await newImage();
        await attachReferrerBundle(store, digest, await attest(sigstore(), digest));
        const other = instance === 'github' ? publicGood : github;
        const report = await verify({ artifact: image, trustedRoots: [rootOf(other)] });
        expect(check(report, 'attestation:signature')).toMatchObject({ status: 'fail' });
        expect(check(report, 'attestation:signature').summary).toMatch(/no trusted root/);
      });
    });
  }

  it('GitHub-shaped: a bundle without its RFC 3161 timestamp fails (there is no log time)', async () => {
    const { digest } = await newImage();
    const bundle = await attest(github, digest);
    delete (bundle.verificationMaterial as { timestampVerificationData?: unknown })
      .timestampVerificationData;
    const report = await verify({
      artifact: digest,
      bundleFromOci: false,
      bundles: [{ bundle, location: 'stripped' }],
    });
    expect(check(report, 'attestation:signature')).toMatchObject({
      status: 'fail',
      code: 'SIGNATURE_INVALID',
    });
  });

  it('public-good-shaped: a bundle without its log entry fails', async () => {
    const { digest } = await newImage();
    const bundle = await attest(publicGood, digest);
    bundle.verificationMaterial.tlogEntries = [];
    const report = await verify({
      artifact: digest,
      bundleFromOci: false,
      bundles: [{ bundle, location: 'no log entry' }],
    });
    expect(check(report, 'attestation:signature').status).toBe('fail');
  });

  it('an image without attestations fails with NO_SIGNATURES; a file artifact cannot read referrers', async () => {
    const { image } = await newImage();
    const report = await verify({ artifact: image });
    expect(check(report, 'attestation')).toMatchObject({ status: 'fail', code: 'NO_SIGNATURES' });
    const error = await rejectionOf(verify({ artifact: Buffer.from('file') }), VerificationError);
    expect(error.code).toBe('INVALID_INPUT');
  });

  describe('GitHub’s trusted root through a TUF repository (local, served over loopback)', () => {
    let tuf: RepoBuilder;
    let server: RepoServer;
    let cache: string;

    beforeAll(async () => {
      tuf = new RepoBuilder('ecdsa-sha2-nistp256');
      tuf.addTarget('trusted_root.json', `${JSON.stringify(github.trustedRoot)}\n`);
      await tuf.publish();
      server = await new RepoServer(tuf).start();
      cache = mkdtempSync(join(tmpdir(), 'oci-sd-github-tuf-'));
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(cache, { recursive: true, force: true });
    });

    const load = (dir = cache) =>
      githubTrustMaterial({
        cacheDir: dir,
        metadataUrl: server.metadataUrl,
        targetsUrl: server.targetsUrl,
        root: JSON.parse(tuf.initialRoot.toString('utf8')),
      });

    it('is fetched only for a bundle GitHub’s instance issued, and then verifies it', async () => {
      const { digest } = await newImage();
      const bundle = await attest(github, digest);
      let loads = 0;
      const githubTrust = () => {
        loads += 1;
        return load();
      };
      const report = await verifyAttestation({
        artifact: digest,
        owner: 'acme',
        bundles: [{ bundle, location: 'github bundle' }],
        githubTrust,
      });
      expect(report.ok, JSON.stringify(report.checks, null, 1)).toBe(true);
      expect(loads).toBe(1);
      expect(
        (check(report, 'attestation').evidence as { trustedRoot: string }).trustedRoot,
      ).toMatch(/trusted_root\.json \(TUF root v1, targets v1\)/);

      const publicGoodBundle = await attest(publicGood, digest);
      const other = await verifyAttestation({
        artifact: digest,
        owner: 'acme',
        bundles: [{ bundle: publicGoodBundle, location: 'public-good-shaped bundle' }],
        githubTrust,
      });
      expect(loads).toBe(1);
      // The embedded public-good root does not know the test instance.
      expect(other.ok).toBe(false);
    });

    it('a trusted root target that does not match its TUF hashes is refused', async () => {
      const path = [...tuf.files.keys()].find((name) => name.endsWith('trusted_root.json'))!;
      const original = tuf.files.get(path)!;
      tuf.files.set(path, Buffer.from(original.toString('utf8').replace('oci-sd', 'oci-sx')));
      try {
        const error = await rejectionOf(
          load(mkdtempSync(join(tmpdir(), 'oci-sd-github-tuf-'))),
          VerificationError,
        );
        expect(error.code).toBe('TUF_MISMATCH');
      } finally {
        tuf.files.set(path, original);
      }
    });

    it('an unreachable TUF repository is a network failure (REGISTRY)', async () => {
      const error = await rejectionOf(
        githubTrustMaterial({
          cacheDir: mkdtempSync(join(tmpdir(), 'oci-sd-github-tuf-')),
          metadataUrl: 'http://127.0.0.1:9/',
          timeoutMs: 200,
          root: JSON.parse(tuf.initialRoot.toString('utf8')),
        }),
        VerificationError,
      );
      expect(error.code).toBe('REGISTRY');
    });
  });
});
