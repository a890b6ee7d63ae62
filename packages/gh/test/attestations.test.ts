import { describe, expect, it } from 'vitest';
import { rejectionOf } from '@oci-sd/test-support';
import type { GitHubApiServer } from '@oci-sd/github-api-server';
import {
  createAttestation,
  listAttestations,
  parseRepo,
  type GitHubClient,
  GitHubError,
} from '../src/index';
import { uniqueRepo } from './support/helpers';
import { useTestServer } from './support/test-server';

let gh: GitHubApiServer;
let client: GitHubClient;
useTestServer((started) => ({ gh, client } = started));

const SHA = 'ef'.repeat(32);
function bundle(predicateType: string) {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { certificate: { rawBytes: 'MIIB' }, tlogEntries: [] },
    dsseEnvelope: {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'ghcr.io/acme/app', digest: { sha256: SHA } }],
          predicateType,
          predicate: {},
        }),
      ).toString('base64'),
      signatures: [{ sig: 'c2ln', keyid: '' }],
    },
  };
}

describe('attestations API', () => {
  it('records bundles and lists them by subject digest and predicate type', async () => {
    const name = uniqueRepo();
    gh.state.createRepo(name);
    const repo = parseRepo(name);
    const before = client.requestCount;
    const { id } = await createAttestation(client, repo, bundle('https://slsa.dev/provenance/v1'));
    await createAttestation(client, repo, bundle('https://cyclonedx.org/bom'));
    expect(client.requestCount - before).toBe(2);
    expect(typeof id).toBe('number');
    expect(await listAttestations(client, repo, `sha256:${SHA}`)).toHaveLength(2);
    expect(
      await listAttestations(client, repo, `sha256:${SHA}`, 'https://slsa.dev/provenance/v1'),
    ).toEqual([bundle('https://slsa.dev/provenance/v1')]);
    expect(await listAttestations(client, repo, `sha256:${'00'.repeat(32)}`)).toEqual([]);
    gh.assertNoViolations();
  });

  it('a bundle that is not an in-toto attestation is refused (422), naming the call', async () => {
    const name = uniqueRepo();
    gh.state.createRepo(name);
    const error = await rejectionOf(
      createAttestation(client, parseRepo(name), { mediaType: 'x', messageSignature: {} }),
      GitHubError,
    );
    expect(error.code).toBe('UNPROCESSABLE');
    expect(error.message).toMatch(/record an attestation/);
  });
});
