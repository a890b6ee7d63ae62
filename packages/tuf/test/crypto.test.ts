import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fixturePath,
  fixturesSkipReason,
  haveFixtures,
  generateTestKey,
  signMetadata,
  type KeyScheme,
} from '@oci-sd/test-support';
import {
  canonicalize,
  publicGoodTrustedRoot,
  TufError,
  verifyRoleThreshold,
  verifySignature,
  type SignedMetadata,
  type TufKey,
} from '../src/index';

const amaanx86 = (...parts: string[]) => fixturePath('tuf', 'amaanx86', ...parts);
const readJSON = <T = SignedMetadata>(path: string): T =>
  JSON.parse(readFileSync(path, 'utf8')) as T;

describe('canonical JSON', () => {
  it('sorts keys, drops whitespace and escapes only quote and backslash', () => {
    const bytes = canonicalize({ b: [1, true, null], a: 'q"\\\n\u00e9', c: {} });
    expect(bytes.toString('utf8')).toBe('{"a":"q\\"\\\\\n\u00e9","b":[1,true,null],"c":{}}');
  });

  it('round-trips any integer JSON value and ignores key order (property)', () => {
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'grapheme' }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(
          fc.string().filter((key) => key !== '__proto__'),
          tie('value'),
          { maxKeys: 4 },
        ),
      ),
    }));
    fc.assert(
      fc.property(value, (input) => {
        const bytes = canonicalize(input);
        expect(JSON.parse(bytes.toString('utf8'))).toEqual(input);
        const reordered = JSON.parse(JSON.stringify(input), (_key, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).reverse())
            : v,
        );
        expect(canonicalize(reordered).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects non-integer numbers, naming the field', () => {
    expect(() => canonicalize({ signed: { version: 1.5 } })).toThrow(/\$\.signed\.version is 1\.5/);
  });
});

describe('verifySignature with generated keys', () => {
  const schemes: KeyScheme[] = [
    'ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'rsassa-pss-sha256',
    'rsassa-pss-sha512',
    'rsa-pkcs1v15-sha256',
    'rsa-pkcs1v15-sha384',
  ];
  const message = canonicalize({ _type: 'targets', version: 3 });

  for (const scheme of schemes) {
    it(`${scheme}: verifies a good signature and rejects a flipped byte and a wrong key`, () => {
      const signer = generateTestKey(scheme);
      const signature = signer.sign(message);
      expect(verifySignature(signer.key, signature, message)).toEqual({ valid: true });

      const tampered = Buffer.from(message);
      tampered[5] = tampered[5]! ^ 1;
      expect(verifySignature(signer.key, signature, tampered)).toMatchObject({
        valid: false,
        unsigned: false,
      });

      const other = generateTestKey(scheme);
      expect(verifySignature(other.key, signature, message)).toMatchObject({
        valid: false,
        unsigned: false,
      });
    });
  }

  it('nistp384 uses SHA-384: a SHA-256 signature by the same P-384 key fails', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const key: TufKey = {
      keytype: 'ecdsa',
      scheme: 'ecdsa-sha2-nistp384',
      keyval: { public: publicKey.export({ format: 'pem', type: 'spki' }) as string },
    };
    const sha384 = { keyid: 'k', sig: sign('sha384', message, privateKey).toString('hex') };
    const sha256 = { keyid: 'k', sig: sign('sha256', message, privateKey).toString('hex') };
    expect(verifySignature(key, sha384, message).valid).toBe(true);
    expect(verifySignature(key, sha256, message).valid).toBe(false);
  });

  it('rejects a key whose curve does not match its scheme', () => {
    const p256 = generateTestKey('ecdsa-sha2-nistp256');
    const mislabelled: TufKey = { ...p256.key, scheme: 'ecdsa-sha2-nistp384' };
    expect(verifySignature(mislabelled, p256.sign(message), message)).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/curve prime256v1.*secp384r1/),
    });
  });

  it('accepts an ed25519 key given as PEM too', () => {
    const signer = generateTestKey('ed25519');
    const raw = Buffer.from(signer.key.keyval.public as string, 'hex');
    const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]).toString('base64')}\n-----END PUBLIC KEY-----\n`;
    expect(
      verifySignature({ ...signer.key, keyval: { public: pem } }, signer.sign(message), message)
        .valid,
    ).toBe(true);
  });

  it('treats sig "" as a placeholder, and rejects non-hex sig, unknown schemes and keytype/scheme mismatches', () => {
    const signer = generateTestKey('ed25519');
    expect(verifySignature(signer.key, { keyid: signer.keyid, sig: '' }, message)).toMatchObject({
      valid: false,
      unsigned: true,
    });
    expect(verifySignature(signer.key, { keyid: signer.keyid, sig: 'zz' }, message)).toMatchObject({
      valid: false,
      unsigned: false,
      reason: 'sig is not hex',
    });
    expect(
      verifySignature({ ...signer.key, scheme: 'ed448' }, signer.sign(message), message),
    ).toMatchObject({ valid: false, reason: /unsupported signature scheme/ });
    const ecdsa = generateTestKey('ecdsa-sha2-nistp256');
    expect(
      verifySignature({ ...ecdsa.key, keytype: 'rsa' }, ecdsa.sign(message), message),
    ).toMatchObject({ valid: false, reason: /cannot use scheme/ });
  });
});

describe('verifyRoleThreshold', () => {
  const signed = {
    _type: 'targets',
    version: 2,
    expires: '2030-01-01T00:00:00Z',
    spec_version: '1.0.31',
    targets: {},
  };

  it('counts verified keys against the threshold and reports failed and unsigned ones', () => {
    const [a, b, c] = [
      generateTestKey('ed25519'),
      generateTestKey('ecdsa-sha2-nistp256'),
      generateTestKey('ecdsa-sha2-nistp384'),
    ];
    const doc = signMetadata(signed, [a!, b!]);
    doc.signatures.push({ keyid: c!.keyid, sig: '' });
    const keys = { [a!.keyid]: a!.key, [b!.keyid]: b!.key, [c!.keyid]: c!.key };
    const twoOfThree = verifyRoleThreshold(doc, keys, {
      name: 'targets',
      keyids: [a!.keyid, b!.keyid, c!.keyid],
      threshold: 2,
    });
    expect(twoOfThree).toEqual({
      role: 'targets',
      threshold: 2,
      verified: [a!.keyid, b!.keyid],
      failed: [],
      unsigned: [c!.keyid],
      met: true,
    });
    expect(
      verifyRoleThreshold(doc, keys, { keyids: [a!.keyid, b!.keyid, c!.keyid], threshold: 3 }).met,
    ).toBe(false);

    const tampered = structuredClone(doc);
    tampered.signed.version = 3;
    const broken = verifyRoleThreshold(tampered, keys, {
      name: 'targets',
      keyids: [a!.keyid, b!.keyid, c!.keyid],
      threshold: 1,
    });
    expect(broken.met).toBe(false);
    expect(broken.failed.map((f) => f.keyid)).toEqual([a!.keyid, b!.keyid]);
  });

  it('uses keyids as the delegator gives them, never recomputing them', () => {
    const signer = generateTestKey('ed25519');
    const doc = signMetadata(signed, []);
    doc.signatures.push({ ...signer.sign(canonicalize(signed)), keyid: 'placeholder-id' });
    expect(
      verifyRoleThreshold(
        doc,
        { 'placeholder-id': signer.key },
        { keyids: ['placeholder-id'], threshold: 1 },
      ).met,
    ).toBe(true);
  });

  it('counts one key listed under two keyids once', () => {
    const signer = generateTestKey('ed25519');
    const sig = signer.sign(canonicalize(signed));
    const doc = {
      signed,
      signatures: [
        { ...sig, keyid: 'one' },
        { ...sig, keyid: 'two' },
      ],
    };
    const result = verifyRoleThreshold(
      doc,
      { one: signer.key, two: { ...signer.key, 'x-tuf-on-ci-keyowner': '@x' } },
      { keyids: ['one', 'two'], threshold: 2 },
    );
    expect(result.verified).toEqual(['one']);
    expect(result.met).toBe(false);
  });

  it('ignores signatures by keys outside the role and a keyid the role lists twice', () => {
    const [inside, outside] = [generateTestKey('ed25519'), generateTestKey('ed25519')];
    const doc = signMetadata(signed, [outside!, inside!]);
    const keys = { [inside!.keyid]: inside!.key, [outside!.keyid]: outside!.key };
    const result = verifyRoleThreshold(doc, keys, {
      keyids: [inside!.keyid, inside!.keyid],
      threshold: 2,
    });
    expect(result.verified).toEqual([inside!.keyid]);
    expect(result.met).toBe(false);
  });

  it('refuses a document whose signatures repeat a keyid, even when distinct keys meet the threshold', () => {
    const [a, b] = [generateTestKey('ed25519'), generateTestKey('ed25519')];
    const doc = signMetadata(signed, [a!, b!, a!]);
    const keys = { [a!.keyid]: a!.key, [b!.keyid]: b!.key };
    expect(() =>
      verifyRoleThreshold(doc, keys, {
        name: 'targets',
        keyids: [a!.keyid, b!.keyid],
        threshold: 1,
      }),
    ).toThrowError(
      expect.objectContaining({
        code: 'METADATA_INVALID',
        message: `targets: signatures[2] repeats keyid ${a!.keyid} of signatures[0]`,
      }),
    );
  });

  it('reports a signature whose keyid the delegator does not know', () => {
    const signer = generateTestKey('ed25519');
    const result = verifyRoleThreshold(
      signMetadata(signed, [signer]),
      {},
      { keyids: [signer.keyid], threshold: 1 },
    );
    expect(result.failed).toEqual([
      { keyid: signer.keyid, reason: 'keyid is not in the delegator keys' },
    ]);
  });

  it('rejects malformed documents naming the field', () => {
    expect(() =>
      verifyRoleThreshold(
        { signed, signatures: {} },
        {},
        { name: 'snapshot', keyids: [], threshold: 1 },
      ),
    ).toThrow(/snapshot: field "signatures" must be an array/);
    expect(() =>
      verifyRoleThreshold(
        { signed, signatures: [{ keyid: 1 }] },
        {},
        { name: 'snapshot', keyids: [], threshold: 1 },
      ),
    ).toThrow(TufError);
    expect(() =>
      verifyRoleThreshold({ signed, signatures: [] }, {}, { keyids: [], threshold: 0 }),
    ).toThrow(/threshold must be an integer >= 1/);
  });
});

describe.skipIf(!haveFixtures)(
  `sigstore-oidc signatures of the amaanx86 repository ${haveFixtures ? '' : fixturesSkipReason}`,
  () => {
    const root = readJSON<
      SignedMetadata & {
        signed: {
          keys: Record<string, TufKey>;
          roles: Record<string, { keyids: string[]; threshold: number }>;
        };
      }
    >(amaanx86('metadata', 'root_history', '1.root.json'));
    const keys = root.signed.keys;
    const roleOf = (name: string) => ({ name, ...root.signed.roles[name]! });
    const files: Array<[string, string]> = [
      ['metadata/root_history/1.root.json', 'root'],
      ['metadata/timestamp.json', 'timestamp'],
      ['metadata/snapshot.json', 'snapshot'],
      ['metadata/targets.json', 'targets'],
      ['versions/targets.v1.json', 'targets'],
      ['versions/targets.v6.json', 'targets'],
      ['versions/targets.v10.json', 'targets'],
      ['versions/snapshot.v5.json', 'snapshot'],
      ['versions/timestamp.v14.json', 'timestamp'],
      ['versions/timestamp.v163.json', 'timestamp'],
    ];

    for (const [file, role] of files) {
      it(`${file} meets the ${role} threshold of root v1`, () => {
        const result = verifyRoleThreshold(readJSON(amaanx86(file)), keys, roleOf(role));
        expect(result.failed).toEqual([]);
        expect(result.met).toBe(true);
      });
    }

    it('verifies against a trusted root given explicitly (the fixture copy of public-good)', () => {
      const trustedRoot = readJSON<Record<string, unknown>>(
        fixturePath('sigstore', 'trusted_root.public-good.json'),
      );
      expect(
        verifyRoleThreshold(readJSON(amaanx86('metadata/targets.json')), keys, roleOf('targets'), {
          sigstoreTrustedRoot: trustedRoot,
        }).met,
      ).toBe(true);
    });

    it('fails with a trusted root that lacks the Fulcio CAs', () => {
      const withoutCAs = { ...publicGoodTrustedRoot(), certificateAuthorities: [] };
      const result = verifyRoleThreshold(
        readJSON(amaanx86('metadata/targets.json')),
        keys,
        roleOf('targets'),
        { sigstoreTrustedRoot: withoutCAs },
      );
      expect(result.met).toBe(false);
      expect(result.failed[0]?.reason).toMatch(/does not verify/);
    });

    it('the unsigned root v1 has only a placeholder: not signed, not met', () => {
      const result = verifyRoleThreshold(
        readJSON(amaanx86('versions/root.v1.unsigned.json')),
        keys,
        roleOf('root'),
      );
      expect(result).toMatchObject({
        verified: [],
        failed: [],
        unsigned: [root.signed.roles.root!.keyids[0]],
        met: false,
      });
    });

    it('one flipped byte of signed fails with the digest named', () => {
      const targets = readJSON(amaanx86('metadata/targets.json'));
      const raw = readFileSync(amaanx86('metadata/targets.json'), 'utf8');
      const flipped = JSON.parse(raw.replace('"version": 4', '"version": 5')) as SignedMetadata;
      expect(flipped.signed.version).toBe(5);
      const result = verifyRoleThreshold(flipped, keys, roleOf('targets'));
      expect(result.met).toBe(false);
      expect(result.failed[0]?.reason).toMatch(
        /message digest .* is not the sha256 of the signed metadata/,
      );
      expect(verifyRoleThreshold(targets, keys, roleOf('targets')).met).toBe(true);
    });

    it('a bundle whose digest matches but whose signature was altered fails', () => {
      const targets = readJSON(amaanx86('metadata/targets.json'));
      const bundle = targets.signatures[0]!.bundle as { messageSignature: { signature: string } };
      const sigBytes = Buffer.from(bundle.messageSignature.signature, 'base64');
      sigBytes[sigBytes.length - 3] = sigBytes[sigBytes.length - 3]! ^ 1;
      bundle.messageSignature.signature = sigBytes.toString('base64');
      expect(verifyRoleThreshold(targets, keys, roleOf('targets')).met).toBe(false);
    });

    it('requires the identity exactly: a prefix, a regexp-looking or another identity fails', () => {
      const targets = readJSON(amaanx86('metadata/targets.json'));
      const keyid = root.signed.roles.targets!.keyids[0]!;
      const key = keys[keyid]!;
      for (const identity of [
        'amaanulhaq.s@outlook.co',
        'amaanulhaq.s@outlook',
        '.*',
        'someone@example.com',
      ]) {
        const result = verifyRoleThreshold(
          targets,
          { [keyid]: { ...key, keyval: { ...key.keyval, identity } } },
          roleOf('targets'),
        );
        expect(result.met, identity).toBe(false);
        expect(result.failed[0]?.reason).toMatch(
          /certificate identity is "amaanulhaq\.s@outlook\.com"/,
        );
      }
    });

    it('requires the issuer exactly', () => {
      const targets = readJSON(amaanx86('metadata/targets.json'));
      const keyid = root.signed.roles.targets!.keyids[0]!;
      const key = keys[keyid]!;
      const result = verifyRoleThreshold(
        targets,
        {
          [keyid]: { ...key, keyval: { ...key.keyval, issuer: 'https://github.com/login/oauth/' } },
        },
        roleOf('targets'),
      );
      expect(result.failed[0]?.reason).toMatch(
        /issuer is "https:\/\/github.com\/login\/oauth", expected/,
      );
    });

    it('the online key cannot stand in for the maintainer key', () => {
      const targets = readJSON(amaanx86('metadata/targets.json'));
      const online = root.signed.roles.timestamp!.keyids[0]!;
      const maintainer = root.signed.roles.targets!.keyids[0]!;
      expect(
        verifyRoleThreshold(targets, { [maintainer]: keys[online]! }, roleOf('targets')).met,
      ).toBe(false);
    });

    it('a sigstore-oidc entry without bundle is unsigned, whatever sig says', () => {
      const targets = readJSON(amaanx86('metadata/targets.json'));
      delete targets.signatures[0]!.bundle;
      expect(verifyRoleThreshold(targets, keys, roleOf('targets'))).toMatchObject({
        unsigned: [root.signed.roles.targets!.keyids[0]],
        met: false,
      });
    });

    it('verifies the same signature repackaged as a v0.2 bundle (x509CertificateChain)', () => {
      const targets = readJSON(amaanx86('metadata/targets.json'));
      const v03 = targets.signatures[0]!.bundle as {
        verificationMaterial: {
          certificate: unknown;
          tlogEntries: unknown;
          timestampVerificationData: unknown;
        };
        messageSignature: unknown;
      };
      targets.signatures[0]!.bundle = {
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
        verificationMaterial: {
          x509CertificateChain: { certificates: [v03.verificationMaterial.certificate] },
          tlogEntries: v03.verificationMaterial.tlogEntries,
          timestampVerificationData: v03.verificationMaterial.timestampVerificationData,
        },
        messageSignature: v03.messageSignature,
      };
      targets.signatures[0]!.sig = Buffer.from(
        (v03.messageSignature as { signature: string }).signature,
        'base64',
      ).toString('hex');
      expect(verifyRoleThreshold(targets, keys, roleOf('targets')).met).toBe(true);
    });

    it('rejects a malformed bundle and a key with the wrong scheme', () => {
      const targets = readJSON(amaanx86('metadata/targets.json'));
      const keyid = root.signed.roles.targets!.keyids[0]!;
      expect(
        verifyRoleThreshold(
          targets,
          { [keyid]: { ...keys[keyid]!, scheme: 'ed25519' } },
          roleOf('targets'),
        ).failed[0]?.reason,
      ).toMatch(/expected "Fulcio"/);
      targets.signatures[0]!.bundle = {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      };
      expect(verifyRoleThreshold(targets, keys, roleOf('targets')).failed[0]?.reason).toMatch(
        /malformed Sigstore bundle/,
      );
    });
  },
);
