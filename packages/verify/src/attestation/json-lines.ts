import { VerificationError } from '../errors';
import { trustMaterialFromJSON } from '../trust/trusted-root';
import type { LoadedTrustMaterial } from '../trust/trusted-root';
import type { AttestationBundle } from './verify-attestation';

/**
 * One JSON document, or JSON lines (one document a line, blank lines skipped), as gh reads `--bundle`
 * and `--custom-trusted-root`. A line that is not JSON is an error naming the source and line.
 */
export function parseJsonDocuments(
  text: string,
  source: string,
): { value: unknown; location: string }[] {
  try {
    return [{ value: JSON.parse(text), location: source }];
  } catch {
    // not one document: read it as JSON lines
  }
  const documents: { value: unknown; location: string }[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      documents.push({ value: JSON.parse(line), location: `${source} line ${index + 1}` });
    } catch (cause) {
      throw new VerificationError(
        'INVALID_INPUT',
        `${source} line ${index + 1}: not JSON: ${(cause as Error).message}`,
        { expected: 'one JSON document, or one JSON document a line', found: preview(line), cause },
      );
    }
  });
  if (documents.length === 0)
    throw new VerificationError('INVALID_INPUT', `${source}: empty`, {
      expected: 'one JSON document, or one JSON document a line',
      found: 'no document',
    });
  return documents;
}

/** `--bundle FILE`: one bundle, or one bundle a line. */
export function parseAttestationBundles(text: string, source: string): AttestationBundle[] {
  return parseJsonDocuments(text, source).map(({ value, location }) => ({
    bundle: value,
    location,
  }));
}

/** `--custom-trusted-root FILE`: one trusted root a line (or one document). */
export function parseTrustedRoots(text: string, source: string): LoadedTrustMaterial[] {
  return parseJsonDocuments(text, source).map(({ value, location }) =>
    trustMaterialFromJSON(value, location),
  );
}

function preview(line: string): string {
  const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
  // Control characters from the input are shown escaped.
  return JSON.stringify(shown);
}
