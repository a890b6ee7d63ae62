import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { canonicalize, keyIdOf, releaseManifest, sigstoreSigner, staticToken } from '@oci-sd/tuf';
import type { SigstoreTrustedRootJSON, TufKey, TufSigner } from '@oci-sd/tuf';
import { startRegistry } from '@oci-sd/test-registry';
import type { TestRegistry } from '@oci-sd/test-registry';
import {
  emailIdentity,
  githubActionsIdentity,
  slsaGeneratorIdentity,
  startTestSigstore,
} from '@oci-sd/test-sigstore';
import type { TestIdentity, TestSigstore } from '@oci-sd/test-sigstore';
import { pem } from '@sigstore/core';
// Packages, not ../src: vitest resolves them to src/, the benchmark (plain node) to their builds.
import {
  attachLegacyAttestation,
  attachReferrerBundle,
  COSIGN_SIGN_PREDICATE_TYPE,
  pushImage,
  RegistrySource,
  type Digest,
  type ImageStore,
} from '@oci-sd/oci';

/**
 * A release shaped like the seed's: a two-platform image on a registry, signed (cosign v3 referrer),
 * a CycloneDX SBOM and a release-metadata attestation (referrers), SLSA v0.2 provenance from the
 * container generator (legacy `.att`), and a TUF-on-CI checkout whose sigstore-oidc keys (maintainer
 * and online workflow) sign root, targets, snapshot and timestamp listing the release manifest.
 * Everything is signed by the local test Sigstore instance; verify with its trusted root.
 * Shared by the round-trip tests and the benchmark.
 */
export interface SeedReleaseOptions {
  registryHost: string;
  sigstore: TestSigstore;
  /** Directory for the TUF checkout and the trusted root file. */
  dir: string;
  owner?: string;
  repo?: string;
  tag?: string;
  /** Fields to override in the release-metadata predicate (tests of disagreeing artifacts). */
  releaseMetadata?: Record<string, string>;
}

export interface SeedRelease {
  /** `OWNER/REPO@TAG` */
  release: string;
  owner: string;
  repo: string;
  tag: string;
  /** `HOST/OWNER/REPO` */
  image: string;
  digest: Digest;
  /** The release workflow's identity (docker-build-push.yml at the tag). */
  identity: TestIdentity;
  /** The SLSA generator's identity for this repository and tag. */
  builder: TestIdentity;
  commit: string;
  tufRepo: string;
  trustedRootPath: string;
  releaseMetadataType: string;
  releaseMetadata: Record<string, string>;
  store: ImageStore;
}

export const SEED_WORKFLOW = '.github/workflows/docker-build-push.yml';
export const CYCLONEDX_TYPE = 'https://cyclonedx.org/bom';
export const SLSA_V02_TYPE = 'https://slsa.dev/provenance/v0.2';
const DAY = 24 * 60 * 60 * 1000;

export function inTotoStatement(
  digest: Digest,
  name: string,
  predicateType: string,
  predicate: unknown,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name, digest: { sha256: digest.slice('sha256:'.length) } }],
      predicateType,
      predicate,
    }),
  );
}

export function signStatement(
  sigstore: TestSigstore,
  identity: TestIdentity,
  statement: Buffer,
): Promise<SerializedBundle> {
  return sigstore.signDsse(statement, 'application/vnd.in-toto+json', identity);
}

/** The test CA's intermediate and root in PEM, as cosign stores Fulcio's chain in `.sig`/`.att` layers. */
export function caChainPem(sigstore: TestSigstore): string {
  const [authority] = sigstore.trustedRoot.certificateAuthorities as {
    certChain: { certificates: { rawBytes: string }[] };
  }[];
  return authority!.certChain.certificates
    .map((certificate) => pem.fromDER(Buffer.from(certificate.rawBytes, 'base64')))
    .join('');
}

/** SLSA v0.2 provenance as slsa-github-generator's container workflow writes it for a tag push. */
export function containerProvenance(options: {
  digest: Digest;
  image: string;
  repository: string;
  tag: string;
  commit: string;
  runId: string;
  builderId?: string;
}): Buffer {
  const source = `git+https://github.com/${options.repository}@refs/tags/${options.tag}`;
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: SLSA_V02_TYPE,
      subject: [
        { name: options.image, digest: { sha256: options.digest.slice('sha256:'.length) } },
      ],
      predicate: {
        builder: {
          id:
            options.builderId ??
            'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0',
        },
        buildType: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
        invocation: {
          configSource: {
            uri: source,
            digest: { sha1: options.commit },
            entryPoint: SEED_WORKFLOW,
          },
          parameters: {},
          environment: {
            github_event_name: 'push',
            github_event_payload: { base_ref: 'refs/heads/main', ref: `refs/tags/${options.tag}` },
            github_ref: `refs/tags/${options.tag}`,
            github_ref_type: 'tag',
            github_run_attempt: '1',
            github_run_id: options.runId,
            github_sha1: options.commit,
          },
        },
        metadata: {
          buildInvocationID: `${options.runId}-1`,
          completeness: { parameters: true, environment: false, materials: false },
          reproducible: false,
        },
        materials: [{ uri: source, digest: { sha1: options.commit } }],
      },
    }),
  );
}

/** A docker-registry, a test Sigstore instance and a temp folder holding one published seed release. */
export interface SeedReleaseWorld {
  registry: TestRegistry;
  sigstore: TestSigstore;
  dir: string;
  release: SeedRelease;
  /** Stops both servers and removes the folder. */
  stop(): Promise<void>;
}

export async function startSeedReleaseWorld(dirPrefix: string): Promise<SeedReleaseWorld> {
  const [registry, sigstore] = await Promise.all([startRegistry(), startTestSigstore()]);
  const dir = await mkdtemp(join(tmpdir(), dirPrefix));
  const stop = async () => {
    await Promise.all([
      registry.stop(),
      sigstore.stop(),
      rm(dir, { recursive: true, force: true }),
    ]);
  };
  try {
    return {
      registry,
      sigstore,
      dir,
      release: await publishSeedRelease({ registryHost: registry.host, sigstore, dir }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function publishSeedRelease(options: SeedReleaseOptions): Promise<SeedRelease> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'app';
  const tag = options.tag ?? 'v1.5.0';
  const repository = `${owner}/${repo}`;
  const { sigstore } = options;
  const commit = '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
  const runId = '987654321';
  const store = new RegistrySource(options.registryHost, repository);
  const image = `${options.registryHost}/${repository}`;
  const pushed = await pushImage(store, {
    tag,
    platforms: [
      { os: 'linux', architecture: 'amd64', files: { 'app/server': `amd64 build of ${tag}` } },
      { os: 'linux', architecture: 'arm64', files: { 'app/server': `arm64 build of ${tag}` } },
    ],
  });
  const { digest } = pushed;
  const identity = githubActionsIdentity({
    repository,
    workflowPath: SEED_WORKFLOW,
    ref: `refs/tags/${tag}`,
    sha: commit,
    runId,
  });
  const builder = slsaGeneratorIdentity({
    repository,
    workflowPath: SEED_WORKFLOW,
    ref: `refs/tags/${tag}`,
    sha: commit,
    runId,
  });
  const releaseMetadataType = `https://github.com/${repository}/release-metadata`;
  const releaseMetadata = {
    digest,
    commit,
    tag,
    build_timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...options.releaseMetadata,
  };

  const [signature, sbom, metadata, provenance] = await Promise.all([
    signStatement(
      sigstore,
      identity,
      inTotoStatement(digest, image, COSIGN_SIGN_PREDICATE_TYPE, {}),
    ),
    signStatement(
      sigstore,
      identity,
      inTotoStatement(digest, image, CYCLONEDX_TYPE, {
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        components: [{ type: 'application', name: repo, version: tag }],
      }),
    ),
    signStatement(
      sigstore,
      identity,
      inTotoStatement(digest, image, releaseMetadataType, releaseMetadata),
    ),
    signStatement(
      sigstore,
      builder,
      containerProvenance({ digest, image, repository, tag, commit, runId }),
    ),
  ]);
  for (const bundle of [signature, sbom, metadata])
    await attachReferrerBundle(store, digest, bundle);
  await attachLegacyAttestation(store, digest, provenance, { chainPem: caChainPem(sigstore) });

  const trustedRootPath = join(options.dir, 'trusted_root.json');
  await sigstore.writeTrustedRoot(trustedRootPath);
  const tufRepo = join(options.dir, `${repo}-tuf-on-ci`);
  const made = releaseManifest({
    project: repo,
    repository,
    tag,
    image,
    digest,
    runId,
    createdAt: new Date(),
  });
  await writeTufCheckout(tufRepo, sigstore, repository, { [made.targetName]: made.content });

  return {
    release: `${repository}@${tag}`,
    owner,
    repo,
    tag,
    image,
    digest,
    identity,
    builder,
    commit,
    tufRepo,
    trustedRootPath,
    releaseMetadataType,
    releaseMetadata,
    store,
  };
}

/** A TUF-on-CI checkout on main after a merged signing event: every role at version 1, sigstore-oidc keys. */
export async function writeTufCheckout(
  dir: string,
  sigstore: TestSigstore,
  repository: string,
  targets: Record<string, string>,
): Promise<void> {
  const trustedRoot = sigstore.trustedRoot as unknown as SigstoreTrustedRootJSON;
  const signer = (identity: TestIdentity): TufSigner =>
    sigstoreSigner({
      token: staticToken(sigstore.identityToken(identity)),
      fulcioUrl: sigstore.fulcioURL,
      rekorUrl: sigstore.rekorURL,
      trustedRoot,
    });
  const maintainer = signer(emailIdentity('maintainer@example.test'));
  const online = signer(
    githubActionsIdentity({
      repository: `${repository}-tuf-on-ci`,
      workflowPath: '.github/workflows/online-sign.yml',
      ref: 'refs/heads/main',
      sha: 'a'.repeat(40),
    }),
  );
  const maintainerKey: TufKey = {
    ...(await maintainer.publicKey()),
    'x-tuf-on-ci-keyowner': '@maintainer',
  };
  const onlineKey: TufKey = {
    ...(await online.publicKey()),
    'x-tuf-on-ci-online-uri': 'sigstore:',
  };
  const [maintainerId, onlineId] = [keyIdOf(maintainerKey), keyIdOf(onlineKey)];
  const expires = (days: number) =>
    new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const targetEntries = Object.fromEntries(
    Object.entries(targets).map(([name, content]) => {
      const bytes = Buffer.from(content);
      return [name, { hashes: { sha256: createSha256(bytes) }, length: bytes.length }];
    }),
  );
  const roles = {
    root: {
      _type: 'root',
      consistent_snapshot: true,
      expires: expires(365),
      keys: { [maintainerId]: maintainerKey, [onlineId]: onlineKey },
      roles: {
        root: { keyids: [maintainerId], threshold: 1 },
        snapshot: { keyids: [onlineId], threshold: 1 },
        targets: { keyids: [maintainerId], threshold: 1 },
        timestamp: { keyids: [onlineId], threshold: 1 },
      },
      spec_version: '1.0.31',
      version: 1,
    },
    targets: {
      _type: 'targets',
      expires: expires(365),
      spec_version: '1.0.31',
      targets: targetEntries,
      version: 1,
    },
    snapshot: {
      _type: 'snapshot',
      expires: expires(365),
      meta: { 'targets.json': { version: 1 } },
      spec_version: '1.0.31',
      version: 1,
    },
    timestamp: {
      _type: 'timestamp',
      expires: expires(2),
      meta: { 'snapshot.json': { version: 1 } },
      spec_version: '1.0.31',
      version: 1,
    },
  };
  const signed = async (role: keyof typeof roles, by: TufSigner, keyid: string) =>
    JSON.stringify(
      {
        signatures: [{ keyid, ...(await by.sign(canonicalize(roles[role]))) }],
        signed: roles[role],
      },
      null,
      1,
    );
  const [root, targetsFile, snapshot, timestamp] = await Promise.all([
    signed('root', maintainer, maintainerId),
    signed('targets', maintainer, maintainerId),
    signed('snapshot', online, onlineId),
    signed('timestamp', online, onlineId),
  ]);
  await mkdir(join(dir, 'metadata', 'root_history'), { recursive: true });
  await Promise.all([
    writeFile(join(dir, 'metadata', 'root.json'), root),
    writeFile(join(dir, 'metadata', 'root_history', '1.root.json'), root),
    writeFile(join(dir, 'metadata', 'targets.json'), targetsFile),
    writeFile(join(dir, 'metadata', 'snapshot.json'), snapshot),
    writeFile(join(dir, 'metadata', 'timestamp.json'), timestamp),
    ...Object.entries(targets).map(async ([name, content]) => {
      await mkdir(join(dir, 'targets', ...name.split('/').slice(0, -1)), { recursive: true });
      await writeFile(join(dir, 'targets', ...name.split('/')), content);
    }),
  ]);
}

function createSha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The published TUF-on-CI site (consistent snapshots) of a checkout, served over http on loopback. */
export async function serveTufSite(
  checkout: string,
  site: string,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  await mkdir(join(site, 'metadata'), { recursive: true });
  await cp(
    join(checkout, 'metadata', 'root_history', '1.root.json'),
    join(site, 'metadata', '1.root.json'),
  );
  await cp(join(checkout, 'metadata', 'timestamp.json'), join(site, 'metadata', 'timestamp.json'));
  for (const role of ['snapshot', 'targets'])
    await cp(join(checkout, 'metadata', `${role}.json`), join(site, 'metadata', `1.${role}.json`));
  for (const entry of await readdir(join(checkout, 'targets'), {
    recursive: true,
    withFileTypes: true,
  })) {
    if (!entry.isFile()) continue;
    const bytes = await readFile(join(entry.parentPath, entry.name));
    const relative = entry.parentPath.slice(join(checkout, 'targets').length);
    await mkdir(join(site, 'targets', relative), { recursive: true });
    await writeFile(
      join(
        site,
        'targets',
        relative,
        `${createHash('sha256').update(bytes).digest('hex')}.${entry.name}`,
      ),
      bytes,
    );
  }
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requests.push(path);
    readFile(join(site, ...path.split('/').filter((part) => part && part !== '..')))
      .then((bytes) => response.writeHead(200).end(bytes))
      .catch(() => response.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
