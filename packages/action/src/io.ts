import { ActionError } from './errors';

/** What a command needs from the runner; `@actions/core` in production, the same calls in tests. */
export interface ActionIO {
  getInput(name: string, options?: { required?: boolean }): string;
  setOutput(name: string, value: string): void;
  setSecret(secret: string): void;
  info(message: string): void;
  /** A warning annotation (`::warning::`). */
  warning(message: string): void;
  /** An annotation on a line of a file (`::error file=…,line=…,col=…::message`). */
  annotate(
    severity: 'error' | 'warning',
    message: string,
    where: { file: string; line: number; column: number },
  ): void;
  /** Appends markdown to the job summary (`GITHUB_STEP_SUMMARY`). */
  appendSummary(markdown: string): Promise<void>;
  /**
   * An OIDC token for `sign`/`attest`. Absent: the runner's token endpoint
   * (ACTIONS_ID_TOKEN_REQUEST_URL, `permissions: id-token: write`), with retries.
   */
  getIDToken?(audience: string): Promise<string>;
}

/** An optional input, trimmed; `undefined` when empty. */
export function optionalInput(io: ActionIO, name: string): string | undefined {
  const value = io.getInput(name).trim();
  return value === '' ? undefined : value;
}

export function requiredInput(io: ActionIO, name: string, what: string): string {
  const value = optionalInput(io, name);
  if (value === undefined)
    throw new ActionError('INVALID_INPUT', `input "${name}" is required: ${what}`, {
      expected: what,
      found: '',
    });
  return value;
}

/** `true`/`false` (YAML 1.2 core schema spellings, as @actions/core accepts), or the fallback when empty. */
export function booleanInput(io: ActionIO, name: string, fallback: boolean): boolean {
  const value = optionalInput(io, name);
  if (value === undefined) return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ActionError(
    'INVALID_INPUT',
    `input "${name}": expected true or false, found "${value}"`,
    { expected: 'true | false', found: value },
  );
}

/** One item per line or comma; blanks dropped. */
export function listInput(io: ActionIO, name: string): string[] {
  return (optionalInput(io, name) ?? '')
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function digestInput(io: ActionIO, name: string): `sha256:${string}` {
  const value = requiredInput(io, name, 'the pushed image digest, sha256:<64 hex>');
  if (!DIGEST.test(value))
    throw new ActionError(
      'INVALID_INPUT',
      `input "${name}": expected sha256:<64 lowercase hex>, found "${value}"`,
      { expected: 'sha256:<64 hex>', found: value },
    );
  return value as `sha256:${string}`;
}

/** The `image` input as an image repository (`ghcr.io/OWNER/REPO`): no tag, no digest. */
export function imageRepositoryInput(io: ActionIO): string {
  const image = requiredInput(io, 'image', 'the image repository, e.g. ghcr.io/OWNER/REPO');
  if (/[@\s]/.test(image) || /:[^/]*$/.test(image)) {
    throw new ActionError(
      'INVALID_INPUT',
      `input "image": expected a repository without tag or digest, found "${image}"`,
      { expected: 'ghcr.io/OWNER/REPO', found: image },
    );
  }
  return image;
}
