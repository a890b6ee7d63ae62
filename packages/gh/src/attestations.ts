import type { GitHubClient } from './client';
import { GitHubError } from './errors';
import { repoName, type RepoRef } from './repo';

const ATTESTATIONS_WRITE = 'attestations: write';
const ATTESTATIONS_READ = 'attestations: read';

/**
 * Records a Sigstore bundle (a DSSE in-toto attestation) in GitHub's attestations API, as `actions/attest`
 * does, so `gh attestation verify` finds it by the subject's digest. Returns the attestation id.
 */
export async function createAttestation(
  client: GitHubClient,
  repo: RepoRef,
  bundle: object,
): Promise<{ id: number }> {
  const { data } = await client.call(
    { what: `record an attestation in ${repoName(repo)}`, permission: ATTESTATIONS_WRITE },
    () =>
      client.octokit.request('POST /repos/{owner}/{repo}/attestations', {
        ...repo,
        bundle: bundle as never,
      }),
  );
  return { id: data.id! };
}

/** The bundles GitHub holds for a subject digest (`sha256:<hex>`), optionally of one predicate type; none is `[]`. */
export async function listAttestations(
  client: GitHubClient,
  repo: RepoRef,
  subjectDigest: string,
  predicateType?: string,
): Promise<unknown[]> {
  try {
    const { data } = await client.call(
      {
        what: `list attestations for ${subjectDigest} in ${repoName(repo)}`,
        permission: ATTESTATIONS_READ,
      },
      () =>
        client.octokit.request('GET /repos/{owner}/{repo}/attestations/{subject_digest}', {
          ...repo,
          subject_digest: subjectDigest,
          per_page: 100,
          ...(predicateType === undefined ? {} : { predicate_type: predicateType }),
        }),
    );
    return (data.attestations ?? []).map((attestation) => attestation.bundle);
  } catch (error) {
    if (error instanceof GitHubError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
}
