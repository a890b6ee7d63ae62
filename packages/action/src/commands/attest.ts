import { readFile } from 'node:fs/promises';
import { resolvePredicateType } from '@oci-sd/verify';
import { githubActionsToken } from '@oci-sd/tuf';
import type { GitHubContext } from '../context';
import { ActionError } from '../errors';
import { booleanInput, digestInput, optionalInput, requiredInput } from '../io';
import { createAttestation, createGitHubClient, parseRepo } from '@oci-sd/gh';
import type { ActionIO } from '../io';
import { inTotoStatement, signStatement } from '../sigstore';
import { code, summaryTable } from '../summary';
import { registryCredentials } from './verify';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  OciLayoutSource,
  RegistrySource,
  attachReferrerBundle,
  parseImageReference,
  type ImageStore,
} from '@oci-sd/oci';

/** Where signatures go: a registry repository (`ghcr.io/OWNER/REPO`) or `oci-layout:DIR`. */
function imageStore(
  io: ActionIO,
  image: string,
  context: GitHubContext,
): { store: ImageStore; name: string } {
  const reference = parseImageReference(image);
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw new ActionError(
      'INVALID_INPUT',
      `input "image": expected a repository or oci-layout:DIR without tag or digest (the digest goes in "digest"), found "${image}"`,
      {
        expected: 'ghcr.io/OWNER/REPO',
        found: image,
      },
    );
  }
  if (reference.kind === 'oci-layout')
    return {
      store: new OciLayoutSource(context.resolvePath(reference.path)),
      name: optionalInput(io, 'subject-name') ?? image,
    };
  const credentials = registryCredentials(io);
  return {
    store: new RegistrySource(
      reference.registry,
      reference.repository,
      credentials ? { credentials } : {},
    ),
    name: optionalInput(io, 'subject-name') ?? `${reference.registry}/${reference.repository}`,
  };
}

/** The statement to sign: cosign v3's image signature, or a predicate from a file. */
async function predicateOf(
  io: ActionIO,
  context: GitHubContext,
  kind: 'sign' | 'attest',
): Promise<{ type: string; predicate: unknown }> {
  if (kind === 'sign') return { type: COSIGN_SIGN_PREDICATE_TYPE, predicate: {} };
  const type = resolvePredicateType(
    requiredInput(
      io,
      'predicate-type',
      'a predicate type: a cosign short name (cyclonedx, slsaprovenance, ...) or a URI',
    ),
  );
  const path = context.resolvePath(requiredInput(io, 'predicate', 'the predicate file (JSON)'));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ActionError(
      'INVALID_INPUT',
      `input "predicate": cannot read ${path}: ${(error as Error).message}`,
      { expected: 'a readable JSON file', found: path, cause: error },
    );
  }
  try {
    return { type, predicate: JSON.parse(text) as unknown };
  } catch (error) {
    throw new ActionError(
      'INVALID_INPUT',
      `input "predicate": ${path} is not JSON (${(error as Error).message})`,
      { expected: 'JSON', found: text.slice(0, 80), cause: error },
    );
  }
}

function signingCommand(kind: 'sign' | 'attest') {
  return async (io: ActionIO, context: GitHubContext): Promise<void> => {
    const image = requiredInput(
      io,
      'image',
      'the image repository (ghcr.io/OWNER/REPO) or oci-layout:DIR',
    );
    const digest = digestInput(io, 'digest');
    const { store, name } = imageStore(io, image, context);
    const { type, predicate } = await predicateOf(io, context, kind);
    // Reading the subject first fails fast, before any signing, when the digest is not there.
    await store.manifest(digest);
    const fulcioUrl = optionalInput(io, 'fulcio-url');
    const rekorUrl = optionalInput(io, 'rekor-url');
    const tsaUrl = optionalInput(io, 'tsa-url');
    // Asked for here, not inside sigstore-js, so a missing `id-token: write` permission is named.
    const identityToken = io.getIDToken
      ? await io.getIDToken('sigstore')
      : await githubActionsToken({ audience: 'sigstore' }).getToken();
    io.setSecret(identityToken);
    const bundle = await signStatement(
      inTotoStatement(name, digest, type, predicate),
      identityToken,
      {
        ...(fulcioUrl ? { fulcioUrl } : {}),
        ...(rekorUrl ? { rekorUrl } : {}),
        ...(tsaUrl ? { tsaUrl } : {}),
      },
    );
    const referrer = await attachReferrerBundle(store, digest, bundle);
    const logIndex = bundle.verificationMaterial.tlogEntries[0]?.logIndex ?? '';
    // As actions/attest: the bundle also goes to GitHub's attestations API, where `gh attestation verify` looks.
    const recorded =
      kind === 'attest' && booleanInput(io, 'github-attestation', false)
        ? await recordInGitHub(io, context, bundle)
        : undefined;
    if (recorded) io.setOutput('attestation-id', String(recorded.id));

    io.setOutput('bundle', JSON.stringify(bundle));
    io.setOutput('referrer', referrer);
    io.setOutput('log-index', logIndex);
    io.setOutput('predicate-type', type);
    io.setOutput(
      'result',
      JSON.stringify({
        image: name,
        digest,
        predicateType: type,
        referrer,
        logIndex,
        ...(recorded ? { attestationId: recorded.id } : {}),
      }),
    );
    io.info(
      `${kind === 'sign' ? 'signed' : `attested ${type} for`} ${name}@${digest}: referrer ${referrer}, transparency log index ${logIndex}`,
    );
    await io.appendSummary(
      summaryTable(kind === 'sign' ? 'Image signature' : `Attestation ${type}`, [
        ['Image', code(`${name}@${digest}`)],
        ['Predicate type', code(type)],
        ['Stored as', `OCI referrer ${code(referrer)}`],
        ['Transparency log index', code(logIndex)],
        ...(recorded
          ? [
              ['GitHub attestation', `${code(String(recorded.id))} in ${context.repository}`] as [
                string,
                string,
              ],
            ]
          : []),
      ]),
    );
  };
}

async function recordInGitHub(
  io: ActionIO,
  context: GitHubContext,
  bundle: object,
): Promise<{ id: number }> {
  const client = await createGitHubClient({
    token: io.getInput('token'),
    apiUrl: context.apiUrl,
    serverUrl: context.serverUrl,
    ghCli: false,
  });
  return createAttestation(client, parseRepo(context.repository), bundle);
}

/** `command: sign`: cosign v3 `sign` (keyless, referrer layout). */
export const signCommand = signingCommand('sign');
/** `command: attest`: cosign v3 `attest --type T --predicate FILE` (keyless, referrer layout). */
export const attestCommand = signingCommand('attest');
