import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  emailIdentity,
  githubActionsIdentity,
  startTestSigstore,
  type TestSigstore,
} from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize, TufError, Updater, verifySignature } from '../src/index';
import {
  RepoBuilder,
  RepoServer,
  generateTestKey,
  sigstoreSigner,
  suiteTempDirs,
} from '@oci-sd/test-support';

const maintainer = emailIdentity('maintainer@example.com');
const onlineSign = githubActionsIdentity({
  repository: 'acme/app-tuf-on-ci',
  workflowPath: '.github/workflows/online-sign.yml',
  ref: 'refs/heads/main',
  sha: '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
});

let sigstore: TestSigstore;
const servers: RepoServer[] = [];

beforeAll(async () => {
  sigstore = await startTestSigstore();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await sigstore?.stop();
});

const tempDir = suiteTempDirs('tuf-sigstore-');

/** A TUF-on-CI shaped repository: maintainer email key for root/targets, the online-sign workflow for snapshot/timestamp. */
async function tufOnCiRepository() {
  const offline = sigstoreSigner(sigstore, maintainer, '@maintainer');
  const online = sigstoreSigner(sigstore, onlineSign);
  const repo = new RepoBuilder('ed25519', {
    root: [offline],
    targets: [offline],
    snapshot: [online],
    timestamp: [online],
  });
  repo.addTarget('app/releases/v1.5.0.json', '{"digest":"sha256:011b"}\n');
  await repo.publish();
  const server = await new RepoServer(repo).start();
  servers.push(server);
  const metadataDir = tempDir();
  writeFileSync(join(metadataDir, 'root.json'), repo.initialRoot);
  return { repo, server, metadataDir, offline, online };
}

describe('sigstore-oidc keys against the local test Sigstore instance', () => {
  it('a whole TUF-on-CI repository signed with Sigstore verifies with the instance trusted root', async () => {
    const { server, metadataDir } = await tufOnCiRepository();
    const updater = new Updater({
      metadataDir,
      metadataBaseUrl: server.metadataUrl,
      targetBaseUrl: server.targetsUrl,
      targetDir: tempDir(),
      sigstoreTrustedRoot: sigstore.trustedRoot,
    });
    await updater.refresh();
    const info = (await updater.getTargetInfo('app/releases/v1.5.0.json'))!;
    expect(info.length).toBe(25);
    await updater.downloadTarget(info);
  });

  it('the public-good trusted root (the default) rejects the test instance signatures', async () => {
    const { server, metadataDir } = await tufOnCiRepository();
    const error = await new Updater({ metadataDir, metadataBaseUrl: server.metadataUrl })
      .refresh()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TufError);
    expect((error as TufError).code).toBe('SIGNATURE_THRESHOLD');
    expect((error as TufError).message).toMatch(
      /^trusted root v1 .*Sigstore bundle does not verify/,
    );
  });

  it('a signature by another identity from the same issuer does not count', async () => {
    const { repo, server, metadataDir, offline } = await tufOnCiRepository();
    const intruder = sigstoreSigner(sigstore, emailIdentity('intruder@example.com'));
    // The intruder signs new targets under the maintainer's keyid.
    repo.role('targets').signers = [
      {
        ...offline,
        sign: async (bytes) => ({ ...(await intruder.sign(bytes)), keyid: offline.keyid }),
      },
    ];
    repo.addTarget('app/releases/v6.6.6.json', 'evil');
    await repo.publish();
    const updater = new Updater({
      metadataDir,
      metadataBaseUrl: server.metadataUrl,
      sigstoreTrustedRoot: sigstore.trustedRoot,
    });
    const error = await updater.refresh().catch((e: unknown) => e);
    expect((error as TufError).code).toBe('SIGNATURE_THRESHOLD');
    expect((error as TufError).message).toMatch(
      /^targets v2 \(2\.targets\.json\): 0 of 1 .*certificate identity is "intruder@example\.com", expected "maintainer@example\.com"/,
    );
  });

  it('the workflow identity must match exactly: another ref of the same workflow fails', async () => {
    const otherRef = githubActionsIdentity({
      repository: 'acme/app-tuf-on-ci',
      workflowPath: '.github/workflows/online-sign.yml',
      ref: 'refs/heads/main-evil',
      sha: '4f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
    });
    const key = sigstoreSigner(sigstore, onlineSign).key;
    const message = canonicalize({ _type: 'timestamp', version: 1 });
    const impostor = sigstoreSigner(sigstore, otherRef);
    const verdict = verifySignature(key, await impostor.sign(message), message, {
      sigstoreTrustedRoot: sigstore.trustedRoot,
    });
    expect(verdict).toMatchObject({ valid: false, reason: expect.stringMatching(/main-evil/) });
    const genuine = await sigstoreSigner(sigstore, onlineSign).sign(message);
    expect(
      verifySignature(key, genuine, message, { sigstoreTrustedRoot: sigstore.trustedRoot }),
    ).toEqual({ valid: true });
  });

  it('root rotation from an ecdsa root to a Sigstore maintainer needs both thresholds', async () => {
    const ecdsa = generateTestKey('ecdsa-sha2-nistp256');
    const repo = new RepoBuilder('ed25519', { root: [ecdsa] });
    repo.addTarget('a', 'a');
    await repo.publish();
    repo.setRoleKeys('root', [sigstoreSigner(sigstore, maintainer)]);
    await repo.publish();
    const server = await new RepoServer(repo).start();
    servers.push(server);
    const metadataDir = tempDir();
    writeFileSync(join(metadataDir, 'root.json'), repo.initialRoot);
    const trustedRoot = sigstore.trustedRoot;
    expect(
      (
        await new Updater({
          metadataDir,
          metadataBaseUrl: server.metadataUrl,
          sigstoreTrustedRoot: trustedRoot,
        }).refresh()
      ).root.version,
    ).toBe(2);

    // The same rotation without the old ecdsa signature is refused.
    const unsignedByOld = JSON.parse(repo.files.get('metadata/2.root.json')!.toString());
    unsignedByOld.signatures = unsignedByOld.signatures.filter(
      (s: { keyid: string }) => s.keyid !== ecdsa.keyid,
    );
    repo.files.set('metadata/2.root.json', Buffer.from(JSON.stringify(unsignedByOld)));
    const fresh = tempDir();
    writeFileSync(join(fresh, 'root.json'), repo.initialRoot);
    const error = await new Updater({
      metadataDir: fresh,
      metadataBaseUrl: server.metadataUrl,
      sigstoreTrustedRoot: trustedRoot,
    })
      .refresh()
      .catch((e: unknown) => e);
    expect((error as TufError).message).toMatch(
      /^root v2 \(2\.root\.json\), by the keys of trusted root v1: 0 of 1/,
    );
  });
});

describe('certificates expired today still verify at their log time', () => {
  let pastSigstore: TestSigstore;
  beforeAll(async () => {
    pastSigstore = await startTestSigstore({ clock: new Date('2025-03-01T12:00:00Z') });
  });
  afterAll(async () => {
    await pastSigstore?.stop();
  });

  it('a 2025 signature verifies, and tampering with the signed bytes still fails', async () => {
    const signer = sigstoreSigner(pastSigstore, maintainer);
    const message = canonicalize({ _type: 'targets', version: 7 });
    const signature = await signer.sign(message);
    const trustedRoot = pastSigstore.trustedRoot;
    expect(
      verifySignature(signer.key, signature, message, { sigstoreTrustedRoot: trustedRoot }),
    ).toEqual({ valid: true });
    expect(
      verifySignature(signer.key, signature, canonicalize({ _type: 'targets', version: 8 }), {
        sigstoreTrustedRoot: trustedRoot,
      }).valid,
    ).toBe(false);
  });
});
