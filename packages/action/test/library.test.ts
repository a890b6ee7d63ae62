import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { githubActionsIdentity, startTestSigstore } from '@oci-sd/test-sigstore';
import type { TestSigstore } from '@oci-sd/test-sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionError, GitHubContext, runCommand } from '../src/index';
import type { ActionIO } from '../src/index';
import { tempDir } from './support';
import { OciLayoutSource, pushImage } from '@oci-sd/oci';

/** The commands in process, as another composition (the CLI's demo) drives them. */
function memoryIO(
  inputs: Record<string, string>,
  getIDToken?: (audience: string) => Promise<string>,
) {
  const outputs: Record<string, string> = {};
  const secrets: string[] = [];
  const summary: string[] = [];
  const io: ActionIO = {
    getInput: (name) => inputs[name] ?? '',
    setOutput: (name, value) => void (outputs[name] = value),
    setSecret: (secret) => void secrets.push(secret),
    info: () => undefined,
    warning: () => undefined,
    annotate: () => undefined,
    appendSummary: async (markdown) => void summary.push(markdown),
    ...(getIDToken ? { getIDToken } : {}),
  };
  return { io, outputs, secrets, summary };
}

describe('runCommand in process', () => {
  let sigstore: TestSigstore;
  let dir: string;
  beforeAll(async () => {
    sigstore = await startTestSigstore();
    dir = tempDir('library');
    await sigstore.writeTrustedRoot(join(dir, 'trusted_root.json'));
  });
  afterAll(async () => {
    await sigstore?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs with the token the caller supplies and verifies it, with the context read from the given environment', async () => {
    const layout = join(dir, 'layout');
    const { digest } = await pushImage(new OciLayoutSource(layout), {
      tag: 'v2.0.0',
      platforms: [{ os: 'linux', architecture: 'amd64', files: { app: 'in process' } }],
    });
    const identity = githubActionsIdentity({
      repository: 'acme/app',
      workflowPath: '.github/workflows/docker-build-push.yml',
      ref: 'refs/tags/v2.0.0',
      sha: 'c'.repeat(40),
    });
    const audiences: string[] = [];
    const issued: string[] = [];
    const context = new GitHubContext({
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_WORKSPACE: dir,
      GITHUB_REF: 'refs/tags/v2.0.0',
    });
    const sign = memoryIO(
      {
        command: 'sign',
        image: 'oci-layout:layout',
        digest,
        'subject-name': 'ghcr.io/acme/app',
        'fulcio-url': sigstore.fulcioURL,
        'rekor-url': sigstore.rekorURL,
      },
      async (audience) => {
        audiences.push(audience);
        issued.push(sigstore.identityToken(identity));
        return issued[0]!;
      },
    );
    await runCommand(sign.io, context);
    expect(audiences).toEqual(['sigstore']);
    expect(sign.secrets).toEqual(issued);
    expect(sign.outputs.referrer).toMatch(/^sha256:/);

    const verify = memoryIO({
      command: 'verify',
      image: `oci-layout:${layout}@${digest}`,
      'trusted-root': 'trusted_root.json',
    });
    await runCommand(verify.io, context);
    expect(verify.outputs.ok).toBe('true');
    expect(verify.summary.join('')).toContain('passed');
  });

  it('throws ActionError with code, expected and found for bad input', async () => {
    const { io } = memoryIO({
      command: 'release-metadata',
      image: 'ghcr.io/acme/app',
      digest: 'sha256:nope',
      tag: 'v1.0.0',
    });
    const error = await runCommand(io, new GitHubContext({ GITHUB_REPOSITORY: 'acme/app' })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      expected: 'sha256:<64 hex>',
      found: 'sha256:nope',
    });
  });
});
