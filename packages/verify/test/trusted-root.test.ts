import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, fixturesSkipReason, haveFixtures } from '@oci-sd/test-support';
import { VerificationError, trustMaterialFromJSON, verifyBundle } from '../src/index';

const CASES = fixturePath('sigstore-conformance', 'bundle-verify');
const POLICY = {
  identity:
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};

type Json = Record<string, unknown> & {
  certificateAuthorities: { validFor: Record<string, unknown> }[];
  timestampAuthorities: { validFor: Record<string, unknown> }[];
  tlogs: { publicKey: { validFor: Record<string, unknown> } }[];
  ctlogs: { publicKey: { validFor: Record<string, unknown> } }[];
};

const readJson = (...path: string[]) =>
  JSON.parse(readFileSync(fixturePath(...path), 'utf8')) as Json;

/** A case signed with Rekor v2 and a TSA: its own trusted root has entries in all four lists. */
function rekor2Case() {
  return {
    root: readJson(
      'sigstore-conformance',
      'bundle-verify',
      'rekor2-happy-path',
      'trusted_root.json',
    ),
    bundle: readJson(
      'sigstore-conformance',
      'bundle-verify',
      'rekor2-happy-path',
      'bundle.sigstore.json',
    ),
  };
}

const artifact = () => readFileSync(`${CASES}/a.txt`);

function verifyWith(root: unknown, bundle: unknown) {
  return verifyBundle({
    bundle,
    artifact: artifact(),
    policy: POLICY,
    trust: trustMaterialFromJSON(root, 'trusted_root.json'),
  });
}

function validityOf(root: Json, list: string, index: number): Record<string, unknown> {
  const entry = (root[list] as Record<string, Record<string, unknown>>[])[index]!;
  return (
    list === 'tlogs' || list === 'ctlogs' ? entry.publicKey!.validFor : entry.validFor
  ) as Record<string, unknown>;
}

describe.skipIf(!haveFixtures)(
  `trusted root validity windows ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    it('verifies the untouched case (the baseline the edits below break)', () => {
      const { root, bundle } = rekor2Case();
      expect(verifyWith(root, bundle).ok).toBe(true);
    });

    const lists = [
      ['certificateAuthorities', 'validFor'],
      ['timestampAuthorities', 'validFor'],
      ['tlogs', 'publicKey.validFor'],
      ['ctlogs', 'publicKey.validFor'],
    ] as const;
    describe.each(lists)('an entry of %s', (list, path) => {
      const refuse = (
        edit: (validFor: Record<string, unknown>, entry: Record<string, unknown>) => void,
        found: unknown,
      ) => {
        const { root } = rekor2Case();
        const index = (root[list] as unknown[]).length - 1;
        const entry = (root[list] as Record<string, unknown>[])[index]!;
        edit(validityOf(root, list, index), entry);
        let error: unknown;
        try {
          trustMaterialFromJSON(root, 'custom_root.json');
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(VerificationError);
        expect(error).toMatchObject({
          code: 'INVALID_INPUT',
          expected: 'an RFC 3339 timestamp',
          found,
        });
        expect((error as Error).message).toContain(
          `custom_root.json: field ${list}[${index}].${path}.start is missing`,
        );
      };

      it('without validFor.start is refused, not read as valid since the beginning of time', () => {
        refuse((validFor) => delete validFor.start, {});
      });
      it('with a start that is not a timestamp is refused', () => {
        refuse((validFor) => (validFor.start = 1_700_000_000), 1_700_000_000);
        refuse((validFor) => (validFor.start = 'yesterday'), 'yesterday');
      });
      it('without validFor at all is refused', () => {
        refuse((_, entry) => {
          if (path === 'validFor') delete entry.validFor;
          else delete (entry.publicKey as Record<string, unknown>).validFor;
        }, undefined);
      });
    });

    it('uses a certificate authority only for certificates issued inside its window', () => {
      const { root, bundle } = rekor2Case();
      root.certificateAuthorities[0]!.validFor = { start: '2099-01-01T00:00:00Z' };
      const report = verifyWith(root, bundle);
      expect(report.ok).toBe(false);
      expect(report.checks[0]).toMatchObject({ check: 'signature', status: 'fail' });
    });

    it('uses a timestamp authority only for timestamps inside its window', () => {
      const { root, bundle } = rekor2Case();
      root.timestampAuthorities[0]!.validFor = {
        start: '2020-01-01T00:00:00Z',
        end: '2021-01-01T00:00:00Z',
      };
      const report = verifyWith(root, bundle);
      expect(report.ok).toBe(false);
      expect(report.checks[0]).toMatchObject({ check: 'signature', status: 'fail' });
    });

    it('uses a transparency log key only for entries integrated inside its window', () => {
      const root = readJson('sigstore', 'trusted_root.public-good.json');
      const bundle = readJson(
        'sigstore-conformance',
        'bundle-verify',
        'happy-path-v0.3',
        'bundle.sigstore.json',
      );
      expect(verifyWith(root, bundle).ok).toBe(true);
      for (const tlog of root.tlogs) tlog.publicKey.validFor = { start: '2099-01-01T00:00:00Z' };
      const report = verifyWith(root, bundle);
      expect(report.ok).toBe(false);
      expect(report.checks[0]).toMatchObject({ check: 'signature', status: 'fail' });
    });
  },
);
