import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TufPackage from '@oci-sd/tuf';
import type { MetadataCache, ReleaseManifest, SigstoreTrustedRootJSON } from '@oci-sd/tuf';
import { rethrowAsVerificationError, VerificationError, withVerificationErrors } from '../errors';
import {
  openImageSource,
  parseImageReference,
  type RegistryCredentials,
  type RegistrySourceOptions,
} from '@oci-sd/oci';
import type { Shape } from '../checks/json-shape';
import type { IdentityPolicy } from '../policy/identity';
import { resolvePredicateType } from '../predicate-types';
import { loadTrustMaterial } from '../trust/trusted-root';
import type { LoadedTrustMaterial } from '../trust/trusted-root';
import type { CheckResult, Digest, ReportWarning, VerificationReport } from '../types';
import { checkImageDigest } from './verify-image';

export type TufLocation =
  /** A published TUF-on-CI site (`metadata/`, `targets/` beneath it) and the pinned root to start from. */
  | { url: string; root: string }
  /** A local TUF-on-CI checkout; the pinned root defaults to its `metadata/root_history/1.root.json`. */
  | { repo: string; root?: string };

export interface VerifyReleaseOptions {
  /** `OWNER/REPO@TAG`, e.g. `amaanx86/oci-prometheus-sd-proxy@v1.5.0`. */
  release: string;
  tuf: TufLocation;
  /** Sigstore trust material for the image and for sigstore-oidc TUF keys; public-good by default. */
  trust?: LoadedTrustMaterial | string;
  registry?: RegistrySourceOptions;
  /** Credentials for the registry the manifest names (known only after TUF), e.g. `dockerConfigCredentials`. */
  credentialsFor?: (registry: string) => Promise<RegistryCredentials | undefined>;
  /** The time TUF expiry is checked against (default now). */
  tufNow?: Date;
  /** Per-request timeout for a TUF site (ms). */
  tufTimeoutMs?: number;
  /**
   * Where trusted TUF metadata persists between runs, so that a repository state older than one
   * verified before is refused (rollback and freeze protection, TUF specification 5.3-5.6): the
   * per-user cache by default (`$XDG_CACHE_HOME/oci-sd/tuf/<location and pinned root>`), a
   * directory, or `{ kind: 'none' }` for a cold run from the pinned root alone.
   */
  tufCache?: MetadataCache | undefined;
}

/** The checks of a release beyond the image's: what TUF says, what the manifest claims, what the artifacts agree on. */
const RELEASE_CHECKS = {
  tuf: 'tuf-target',
  manifest: 'release-manifest',
  digest: 'tuf-digest',
  source: 'release-source',
} as const;

const CYCLONEDX = resolvePredicateType('cyclonedx');

/** The release-metadata predicate fields compared with TUF and the other artifacts; each a string when present. */
const RELEASE_METADATA_SHAPE: Shape = {
  fields: { digest: 'string', commit: 'string', tag: 'string' },
};

interface ReleaseMetadataPredicate {
  digest?: string;
  commit?: string;
  tag?: string;
}

/**
 * The release process's "Verifying a release" section in one call: a full TUF update from a pinned root, the release
 * manifest target (sha256 and length), then, for the image and digest it names and the identity and issuer
 * its cosign command gives: the image signature, the CycloneDX SBOM attestation, the release-metadata
 * attestation (its predicate in the evidence), SLSA provenance for the tag, and digest equality with TUF.
 */
export async function verifyRelease(options: VerifyReleaseOptions): Promise<VerificationReport> {
  const { owner, repo, tag } = parseRelease(options.release);
  const trust =
    typeof options.trust === 'object' ? options.trust : loadTrustMaterial(options.trust);
  // Loaded here, not at the top: only releases need the TUF client (and its signing dependencies).
  const tuf = await import('@oci-sd/tuf');
  const target = tuf.releaseTargetName(repo, tag);

  const fromTuf = await readReleaseManifest(tuf, options, target, trust);
  const warnings = fromTuf.warnings.length > 0 ? { warnings: fromTuf.warnings } : {};
  if (!fromTuf.ok) return { ok: false, checks: [fromTuf.check], ...warnings };
  const { manifest } = fromTuf;
  const checks: CheckResult[] = [fromTuf.check];

  const claims = manifestClaims(manifest, owner, repo, tag);
  checks.push(claims.check);
  if (!claims.policy) return { ok: false, checks, ...warnings };

  const digest = manifest.digest as Digest;
  const imageReference = withVerificationErrors(() =>
    parseImageReference(`${manifest.image}@${digest}`),
  );
  const credentials =
    imageReference.kind === 'registry' && options.credentialsFor
      ? await options.credentialsFor(imageReference.registry)
      : undefined;
  const { source, reference } = withVerificationErrors(() =>
    openImageSource(imageReference, {
      ...options.registry,
      ...(credentials ? { credentials } : {}),
    }),
  );
  const [imageManifest, imageChecks] = await Promise.all([
    source.manifest(digest).catch(rethrowAsVerificationError),
    checkImageDigest(source, digest, trust.material, {
      policy: claims.policy,
      signature: true,
      attestations: [CYCLONEDX, claims.releaseMetadataType],
      predicateShapes: { [claims.releaseMetadataType]: RELEASE_METADATA_SHAPE },
      slsa: { sourceUri: claims.sourceUri, sourceTag: tag },
    }),
  ]);
  checks.push(...imageChecks);

  const releaseMetadata = imageChecks.find(
    (check) =>
      check.check === `attestation:${claims.releaseMetadataType}` && check.status === 'pass',
  );
  // A passing release-metadata attestation had RELEASE_METADATA_SHAPE checked.
  const predicate = releaseMetadata?.evidence?.predicate as ReleaseMetadataPredicate | undefined;
  checks.push(digestEquality(digest, imageManifest.digest, predicate));
  checks.push(sourceConsistency(tag, imageChecks, predicate));
  return {
    ok: checks.every((check) => check.status === 'pass'),
    image: { reference: reference.name, digest },
    checks,
    ...warnings,
  };
}

function parseRelease(release: string): { owner: string; repo: string; tag: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)@(\S+)$/.exec(release);
  if (!match)
    throw new VerificationError(
      'INVALID_INPUT',
      `release ${JSON.stringify(release)} is not OWNER/REPO@TAG`,
      { expected: 'OWNER/REPO@TAG', found: release },
    );
  return { owner: match[1]!, repo: match[2]!, tag: match[3]! };
}

type TufModule = typeof TufPackage;

type TufOutcome = (
  { ok: true; manifest: ReleaseManifest; check: CheckResult } | { ok: false; check: CheckResult }
) & { warnings: ReportWarning[] };

/**
 * TUF client update from the pinned root and what earlier runs trusted (the metadata cache), then the
 * manifest target, its sha256 and length checked.
 */
async function readReleaseManifest(
  tuf: TufModule,
  options: VerifyReleaseOptions,
  target: string,
  trust: LoadedTrustMaterial,
): Promise<TufOutcome> {
  const { TufError, parseReleaseManifest, targetFile, withCachedUpdater } = tuf;
  const location = options.tuf;
  const pinnedRootPath =
    location.root ??
    ('repo' in location
      ? join(location.repo, 'metadata', 'root_history', '1.root.json')
      : undefined);
  if (pinnedRootPath === undefined)
    throw new VerificationError('INVALID_INPUT', 'a TUF URL needs a pinned root file', {
      expected: 'tuf.root',
      found: undefined,
    });
  const pinnedRoot = await readFile(pinnedRootPath).catch((cause: unknown) => {
    throw new VerificationError(
      'INVALID_INPUT',
      `cannot read pinned TUF root ${pinnedRootPath}: ${(cause as Error).message}`,
      { cause },
    );
  });
  const base = 'url' in location ? location.url.replace(/\/+$/, '') : undefined;
  const where = base ?? (location as { repo: string }).repo;
  const warnings: ReportWarning[] = [];
  try {
    return await withCachedUpdater(
      {
        pinnedRoot,
        ...(options.tufCache ? { cache: options.tufCache } : {}),
        ...(base !== undefined
          ? { metadataBaseUrl: `${base}/metadata/`, targetBaseUrl: `${base}/targets/` }
          : { repositoryDir: (location as { repo: string }).repo }),
        ...(options.tufNow ? { now: options.tufNow } : {}),
        ...(options.tufTimeoutMs !== undefined ? { timeoutMs: options.tufTimeoutMs } : {}),
        ...(trust.json ? { sigstoreTrustedRoot: trust.json as SigstoreTrustedRootJSON } : {}),
        onWarning: (warning) => warnings.push(warning),
      },
      async (updater, cache): Promise<TufOutcome> => {
        const state = await updater.refresh();
        const info = await updater.getTargetInfo(target);
        if (!info) {
          return {
            ok: false,
            warnings,
            check: {
              check: RELEASE_CHECKS.tuf,
              status: 'fail',
              code: 'TUF_MISMATCH',
              summary: `${target} is not a TUF target of ${where} (targets v${state.targets.version})`,
              expected: target,
              found: 'not listed',
            },
          };
        }
        const bytes = await readFile(await targetFile(updater, info));
        const manifest = parseReleaseManifest(bytes, target);
        return {
          ok: true,
          manifest,
          warnings,
          check: {
            check: RELEASE_CHECKS.tuf,
            status: 'pass',
            summary: `${target} listed in TUF targets v${state.targets.version} (root v${state.root.version}, snapshot v${state.snapshot.version}, timestamp v${state.timestamp.version}); sha256 and length match`,
            expected: { target, hashes: info.hashes, length: info.length },
            found: { length: bytes.length },
            evidence: {
              repository: where,
              trusted: state,
              manifest,
              requests: updater.requestCount,
              metadataCache: cache.metadataDir ?? 'none (a cold run from the pinned root)',
            },
          },
        };
      },
    );
  } catch (error) {
    // Unreachable sites are network failures (exit 3); everything else TUF refuses is a failed verification.
    if (error instanceof TufError && error.code !== 'FETCH' && error.code !== 'INVALID_INPUT') {
      return {
        ok: false,
        warnings,
        check: {
          check: RELEASE_CHECKS.tuf,
          status: 'fail',
          code: 'TUF_MISMATCH',
          summary: `TUF verification of ${where} failed: ${error.message}`,
          expected: error.expected,
          found: error.found,
        },
      };
    }
    if (error instanceof TufError && error.code === 'FETCH')
      throw new VerificationError('REGISTRY', `TUF repository ${where}: ${error.message}`, {
        cause: error,
      });
    throw error;
  }
}

interface ManifestClaims {
  check: CheckResult;
  policy?: IdentityPolicy;
  releaseMetadataType: string;
  sourceUri: string;
}

/** The manifest names this repository and tag, and its cosign commands give the signer identity and issuer. */
function manifestClaims(
  manifest: ReleaseManifest,
  owner: string,
  repo: string,
  tag: string,
): ManifestClaims {
  const identity = flagValue(manifest.cosign_verify_cmd, '--certificate-identity');
  const issuer = flagValue(manifest.cosign_verify_cmd, '--certificate-oidc-issuer');
  const server = identity ? /^https:\/\/[^/]+/.exec(identity)?.[0] : undefined;
  const repoUrl = `${server ?? 'https://github.com'}/${owner}/${repo}`;
  const releaseMetadataType =
    flagValue(manifest.cosign_verify_attestation_cmd, '--type') ?? `${repoUrl}/release-metadata`;
  const problems: string[] = [];
  if (manifest.tag !== tag) problems.push(`tag is ${manifest.tag}, not ${tag}`);
  if (manifest.project !== repo) problems.push(`project is ${manifest.project}, not ${repo}`);
  if (identity === undefined || issuer === undefined)
    problems.push(
      'cosign_verify_cmd names no --certificate-identity and --certificate-oidc-issuer',
    );
  else if (!identity.startsWith(`${repoUrl}/`) || !identity.endsWith(`@refs/tags/${tag}`))
    problems.push(
      `signer identity ${identity} is not a workflow of ${owner}/${repo} at refs/tags/${tag}`,
    );
  const expected = { tag, project: repo, identity: `${repoUrl}/<workflow>@refs/tags/${tag}` };
  const found = {
    tag: manifest.tag,
    project: manifest.project,
    identity,
    issuer,
    image: manifest.image,
    digest: manifest.digest,
  };
  if (problems.length > 0) {
    return {
      check: {
        check: RELEASE_CHECKS.manifest,
        status: 'fail',
        code: 'TUF_MISMATCH',
        summary: `release manifest: ${problems.join('; ')}`,
        expected,
        found,
      },
      releaseMetadataType,
      sourceUri: repoUrl.replace(/^https:\/\//, ''),
    };
  }
  return {
    check: {
      check: RELEASE_CHECKS.manifest,
      status: 'pass',
      summary: `release manifest: ${manifest.image}@${manifest.digest}, signed by ${identity}`,
      expected,
      found,
      evidence: { releaseMetadataType },
    },
    policy: { identity: identity!, issuer: issuer! },
    releaseMetadataType,
    sourceUri: repoUrl.replace(/^https:\/\//, ''),
  };
}

/** `--flag=value` or `--flag value` in a recorded cosign command line. */
function flagValue(command: string, flag: string): string | undefined {
  const words = command.split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
    if (word === flag) return words[i + 1];
  }
  return undefined;
}

/**
 * One commit and one tag behind every artifact: the signing certificate's source digest (1.13), the SLSA
 * provenance's commit and the release metadata's `commit` and `tag`, where each is present.
 */
function sourceConsistency(
  tag: string,
  imageChecks: CheckResult[],
  releaseMetadata: ReleaseMetadataPredicate | undefined,
): CheckResult {
  const signature = imageChecks.find((check) => check.check === 'image-signature');
  const provenance = imageChecks.find((check) => check.check === 'slsa-provenance');
  if (signature?.status !== 'pass' || provenance?.status !== 'pass') {
    return {
      check: RELEASE_CHECKS.source,
      status: 'skip',
      summary: 'not checked: the signature or the provenance did not verify',
    };
  }
  const signedCommit = (
    signature.evidence?.certificate as
      { extensions?: { sourceRepositoryDigest?: string } } | undefined
  )?.extensions?.sourceRepositoryDigest;
  const metadata = releaseMetadata ?? {};
  const found: Record<string, unknown> = {
    'signing certificate 1.3.6.1.4.1.57264.1.13': signedCommit,
    'SLSA provenance github_sha1': provenance.evidence?.commit,
    ...(metadata.commit === undefined ? {} : { 'release metadata commit': metadata.commit }),
    ...(metadata.tag === undefined ? {} : { 'release metadata tag': metadata.tag }),
  };
  const commits = Object.entries(found)
    .filter(([name]) => !name.endsWith(' tag'))
    .map(([, value]) => value);
  const ok =
    signedCommit !== undefined &&
    commits.every((commit) => commit === signedCommit) &&
    (metadata.tag === undefined || metadata.tag === tag);
  return {
    check: RELEASE_CHECKS.source,
    status: ok ? 'pass' : 'fail',
    summary: ok
      ? `signature, provenance and release metadata name one commit ${signedCommit} at ${tag}`
      : 'the release artifacts disagree on the source commit or tag',
    expected: { commit: signedCommit ?? 'the signing certificate source digest', tag },
    found,
    ...(ok ? {} : { code: 'PROVENANCE_MISMATCH' as const }),
  };
}

function digestEquality(
  tufDigest: Digest,
  registryDigest: Digest,
  releaseMetadata: ReleaseMetadataPredicate | undefined,
): CheckResult {
  const attested = releaseMetadata?.digest;
  const found = {
    registry: registryDigest,
    ...(attested === undefined ? {} : { 'release-metadata predicate': attested }),
  };
  const ok = registryDigest === tufDigest && (attested === undefined || attested === tufDigest);
  return {
    check: RELEASE_CHECKS.digest,
    status: ok ? 'pass' : 'fail',
    summary: ok
      ? `registry and release metadata agree with TUF: ${tufDigest}`
      : `digest differs from the TUF-authorised ${tufDigest}`,
    expected: tufDigest,
    found,
    ...(ok ? {} : { code: 'TUF_MISMATCH' as const }),
  };
}
