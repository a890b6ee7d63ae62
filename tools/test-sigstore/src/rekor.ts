import { createHash } from 'node:crypto';
import type { HandlerFn, initializeTLog } from '@sigstore/mock';

export const REKOR_CREATE_ENTRY_PATH = '/api/v1/log/entries';

type TLog = Awaited<ReturnType<typeof initializeTLog>>;

interface ProposedEntry {
  kind?: string;
  apiVersion?: string;
  spec?: Record<string, unknown>;
}

/**
 * Rekor's `POST /api/v1/log/entries`. Rekor does not log a proposed entry verbatim: it stores
 * the canonical form of its type, which is what verifiers compare bundles against. The mock
 * log signs whatever it is given, so canonicalize first.
 */
export function rekorCreateEntryHandler(tlog: TLog): HandlerFn {
  return async (body) => {
    let entry: object;
    try {
      entry = canonicalEntry(JSON.parse(body) as ProposedEntry);
    } catch (error) {
      return { statusCode: 400, response: error instanceof Error ? error.message : String(error) };
    }
    return {
      statusCode: 201,
      contentType: 'application/json',
      response: JSON.stringify(await tlog.log(entry)),
    };
  };
}

function canonicalEntry(proposed: ProposedEntry): object {
  const kind = `${proposed.kind ?? '?'} ${proposed.apiVersion ?? '?'}`;
  switch (kind) {
    case 'hashedrekord 0.0.1':
      return proposed;
    case 'dsse 0.0.1':
      return canonicalDsse(proposed);
    case 'intoto 0.0.2':
      return canonicalIntoto(proposed);
    default:
      throw new Error(
        `unsupported entry kind/apiVersion "${kind}" (expected hashedrekord 0.0.1, dsse 0.0.1 or intoto 0.0.2)`,
      );
  }
}

// dsse 0.0.1 stores hashes of the envelope and payload plus each signature with its verifier.
function canonicalDsse(proposed: ProposedEntry): object {
  const content = proposed.spec?.proposedContent as
    { envelope?: string; verifiers?: string[] } | undefined;
  if (typeof content?.envelope !== 'string' || !content.verifiers?.length) {
    throw new Error(
      'dsse entry needs spec.proposedContent.envelope (string) and spec.proposedContent.verifiers',
    );
  }
  const envelope = JSON.parse(content.envelope) as {
    payload: string;
    signatures: { sig: string }[];
  };
  const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
  return {
    apiVersion: proposed.apiVersion,
    kind: proposed.kind,
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(content.envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(envelope.payload, 'base64')) },
      signatures: envelope.signatures.map((signature) => ({
        signature: signature.sig,
        verifier: content.verifiers![0],
      })),
    },
  };
}

// intoto 0.0.2 keeps the envelope without its payload.
function canonicalIntoto(proposed: ProposedEntry): object {
  const content = proposed.spec?.content as { envelope?: Record<string, unknown> } | undefined;
  if (!content?.envelope) throw new Error('intoto entry needs spec.content.envelope');
  const { payload: _payload, ...envelope } = content.envelope;
  return { ...proposed, spec: { ...proposed.spec, content: { ...content, envelope } } };
}
