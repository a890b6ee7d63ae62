import { readFileSync } from 'node:fs';
import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { certificateIdentity } from '../src/checks/certificate';
import type { CertificateIdentity } from '../src/checks/certificate';
import type { InTotoStatement } from '../src/checks/claims';
import { checkSlsaProvenance } from '../src/slsa/provenance';
import type { SlsaResult } from '../src/slsa/provenance';
import type { Digest } from '../src/types';

const BLOBS = fixturePath(
  'slsa',
  'gha_generic_container-v2.0.0',
  'container_workflow_dispatch',
  'blobs',
  'sha256',
);
const DIGEST = 'sha256:55aee984fd6b1d0e0a19a55265d10d40063a2212bdbabd75b202b1728236548d' as Digest;
const SOURCE = 'github.com/slsa-framework/example-package';

/** The real provenance statement and its real certificate, read from the cosign-saved layout. */
function fixture(): { statement: InTotoStatement; certificate: CertificateIdentity } {
  const manifest = JSON.parse(
    readFileSync(
      `${BLOBS}/a3e4bf251423a455ad90c3d706f95f133ed11a8e81e3f34e6fa6d056a1c15529`,
      'utf8',
    ),
  ) as { layers: { digest: string; annotations: Record<string, string> }[] };
  const layer = manifest.layers[0]!;
  const envelope = JSON.parse(readFileSync(`${BLOBS}/${layer.digest.slice(7)}`, 'utf8')) as {
    payload: string;
  };
  return {
    statement: JSON.parse(
      Buffer.from(envelope.payload, 'base64').toString('utf8'),
    ) as InTotoStatement,
    certificate: certificateIdentity(
      X509Certificate.parse(layer.annotations['dev.sigstore.cosign/certificate']!),
    ),
  };
}

type Provenance = InTotoStatement & {
  predicate: {
    buildType: string;
    builder: { id: string };
    materials: { uri: string }[];
    invocation: {
      configSource: { uri: string; entryPoint: string };
      environment?: Record<string, unknown>;
    };
  };
};

function failed(result: SlsaResult): string[] {
  return result.findings.filter((finding) => !finding.ok).map((finding) => finding.name);
}

describe.skipIf(!haveFixtures)(
  `checkSlsaProvenance on the real generator v2.0.0 provenance ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    it('passes as is, with or without a scheme on the source URI', () => {
      const { statement, certificate } = fixture();
      expect(
        failed(
          checkSlsaProvenance(statement, certificate, DIGEST, {
            sourceUri: SOURCE,
            sourceBranch: 'main',
            sourceTag: undefined,
          }),
        ),
      ).toEqual([]);
      expect(
        failed(
          checkSlsaProvenance(statement, certificate, DIGEST, { sourceUri: `https://${SOURCE}` }),
        ),
      ).toEqual([]);
      expect(
        checkSlsaProvenance(statement, certificate, DIGEST, { sourceUri: SOURCE }),
      ).toMatchObject({ ok: true, commit: '693130cb6cb840a7bc9cb18c6510d536a95dc7e6' });
    });

    it('fails each altered field, naming the check', () => {
      const cases: [string, (s: Provenance) => void, string[]][] = [
        [
          'buildType',
          (s) => {
            s.predicate.buildType =
              'https://github.com/slsa-framework/slsa-github-generator/generic@v1';
          },
          ['build-type'],
        ],
        [
          'predicateType',
          (s) => {
            s.predicateType = 'https://slsa.dev/provenance/v1';
          },
          ['predicate-type'],
        ],
        [
          'subject',
          (s) => {
            s.subject[0]!.digest.sha256 = '0'.repeat(64);
          },
          ['subject'],
        ],
        [
          'builder.id',
          (s) => {
            s.predicate.builder.id =
              'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.1';
          },
          ['builder'],
        ],
        [
          'materials[0]',
          (s) => {
            s.predicate.materials[0]!.uri = 'git+https://github.com/evil/fork@refs/tags/v13.0.30';
          },
          ['source'],
        ],
        [
          'configSource',
          (s) => {
            s.predicate.invocation.configSource.uri =
              'git+https://github.com/evil/fork@refs/tags/v13.0.30';
          },
          ['source'],
        ],
        [
          'configSource without @ref',
          (s) => {
            s.predicate.invocation.configSource.uri = `git+https://${SOURCE}`;
          },
          ['source'],
        ],
        [
          'materials[0] without @ref',
          (s) => {
            s.predicate.materials[0]!.uri = `git+https://${SOURCE}`;
          },
          ['source'],
        ],
        [
          'both without @ref',
          (s) => {
            s.predicate.invocation.configSource.uri = `git+https://${SOURCE}`;
            s.predicate.materials[0]!.uri = `git+https://${SOURCE}`;
          },
          ['source'],
        ],
        [
          'materials[0] at another ref',
          (s) => {
            s.predicate.materials[0]!.uri = `git+https://${SOURCE}@refs/heads/main`;
          },
          ['source'],
        ],
        [
          'source without the git+ scheme',
          (s) => {
            const uri = `https://${SOURCE}@refs/heads/main`;
            s.predicate.invocation.configSource.uri = uri;
            s.predicate.materials[0]!.uri = uri;
          },
          ['source'],
        ],
        [
          'github_sha1',
          (s) => {
            s.predicate.invocation.environment!.github_sha1 = 'f'.repeat(40);
          },
          ['certificate'],
        ],
        [
          'github_ref',
          (s) => {
            s.predicate.invocation.environment!.github_ref = 'refs/tags/v13.0.31';
          },
          ['certificate'],
        ],
        [
          'github_run_id',
          (s) => {
            s.predicate.invocation.environment!.github_run_id = '1';
          },
          ['certificate'],
        ],
        [
          'entryPoint',
          (s) => {
            s.predicate.invocation.configSource.entryPoint = '.github/workflows/other.yml';
          },
          ['certificate'],
        ],
        [
          'environment',
          (s) => {
            delete s.predicate.invocation.environment;
          },
          ['certificate'],
        ],
      ];
      for (const [field, alter, expected] of cases) {
        const { statement, certificate } = fixture();
        alter(statement as Provenance);
        expect(
          failed(checkSlsaProvenance(statement, certificate, DIGEST, { sourceUri: SOURCE })),
          field,
        ).toEqual(expected);
      }
    });

    it('compares the certificate source (1.12) too', () => {
      const { statement, certificate } = fixture();
      const forged = {
        ...certificate,
        extensions: {
          ...certificate.extensions,
          sourceRepositoryURI: 'https://github.com/evil/fork',
        },
      };
      expect(failed(checkSlsaProvenance(statement, forged, DIGEST, { sourceUri: SOURCE }))).toEqual(
        ['source'],
      );
    });

    it('falls back to the legacy GitHub extensions (1.2 to 1.6) of certificates issued before 2023', () => {
      const { statement, certificate } = fixture();
      expect(certificate.legacyExtensions).toMatchObject({
        githubWorkflowRepository: 'slsa-framework/example-package',
        githubWorkflowSha: '693130cb6cb840a7bc9cb18c6510d536a95dc7e6',
        githubWorkflowRef: 'refs/tags/v13.0.30',
        githubWorkflowTrigger: 'push',
      });
      const legacyOnly = {
        ...certificate,
        extensions: { buildSignerURI: certificate.extensions.buildSignerURI! },
      };
      expect(
        failed(
          checkSlsaProvenance(statement, legacyOnly, DIGEST, {
            sourceUri: SOURCE,
            sourceBranch: 'main',
          }),
        ),
      ).toEqual([]);
      const otherRepository = {
        ...legacyOnly,
        legacyExtensions: {
          ...certificate.legacyExtensions,
          githubWorkflowRepository: 'evil/fork',
        },
      };
      expect(
        failed(checkSlsaProvenance(statement, otherRepository, DIGEST, { sourceUri: SOURCE })),
      ).toEqual(['source']);
    });

    it('takes the branch of a tag build from the push event base_ref, and refuses other events', () => {
      const { statement, certificate } = fixture();
      expect(
        failed(
          checkSlsaProvenance(statement, certificate, DIGEST, {
            sourceUri: SOURCE,
            sourceBranch: 'refs/heads/main',
          }),
        ),
      ).toEqual([]);
      const environment = (
        statement.predicate as { invocation: { environment: Record<string, unknown> } }
      ).invocation.environment;
      environment.github_event_name = 'release';
      expect(
        failed(
          checkSlsaProvenance(
            statement,
            { ...certificate, extensions: { ...certificate.extensions, buildTrigger: 'release' } },
            DIGEST,
            { sourceUri: SOURCE, sourceBranch: 'main' },
          ),
        ),
      ).toEqual(['branch']);
    });

    it('accepts --source-tag with or without refs/tags/ and only the exact tag', () => {
      const { statement, certificate } = fixture();
      expect(
        failed(
          checkSlsaProvenance(statement, certificate, DIGEST, {
            sourceUri: SOURCE,
            sourceTag: 'refs/tags/v13.0.30',
          }),
        ),
      ).toEqual([]);
      expect(
        failed(
          checkSlsaProvenance(statement, certificate, DIGEST, {
            sourceUri: SOURCE,
            sourceTag: 'v13.0',
          }),
        ),
      ).toEqual(['tag']);
      expect(
        failed(
          checkSlsaProvenance(statement, certificate, DIGEST, {
            sourceUri: SOURCE,
            sourceTag: 'v13.0.3',
          }),
        ),
      ).toEqual(['tag']);
    });

    it('refuses a certificate that is not the container generator', () => {
      const { statement, certificate } = fixture();
      const generic = {
        ...certificate,
        subjectAlternativeNames: [
          'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0',
        ],
      };
      expect(
        failed(checkSlsaProvenance(statement, generic, DIGEST, { sourceUri: SOURCE })),
      ).toEqual(['builder']);
    });
  },
);
