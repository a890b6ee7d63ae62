import { OciError } from './errors';
import type { Digest } from './types';

export const OCI_LAYOUT_PREFIX = 'oci-layout:';

export type ImageReference =
  | {
      kind: 'registry';
      /** Host (and port) as written; `docker.io` for Docker Hub. */
      registry: string;
      repository: string;
      tag?: string;
      digest?: Digest;
      /** Normalised `registry/repository[:tag][@digest]`. */
      name: string;
    }
  | { kind: 'oci-layout'; path: string; tag?: string; digest?: Digest; name: string };

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOCKER_HUB = 'docker.io';

function invalid(input: string, field: string, expected: string, found: string): never {
  throw new OciError(
    'INVALID_INPUT',
    `image reference ${JSON.stringify(input)}: ${field}: expected ${expected}, found ${JSON.stringify(found)}`,
    {
      expected,
      found,
    },
  );
}

/** Splits `@digest` off the end, then `:tag` when the last colon comes after the last slash. */
function splitTagAndDigest(
  input: string,
  rest: string,
): { base: string; tag?: string; digest?: Digest } {
  let base = rest;
  let digest: Digest | undefined;
  const at = base.lastIndexOf('@');
  if (at >= 0) {
    const value = base.slice(at + 1);
    if (!DIGEST.test(value)) invalid(input, 'digest', 'sha256:<64 lowercase hex>', value);
    digest = value as Digest;
    base = base.slice(0, at);
  }
  let tag: string | undefined;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/')) {
    tag = base.slice(colon + 1);
    if (!TAG.test(tag))
      invalid(
        input,
        'tag',
        'up to 128 characters of [A-Za-z0-9_.-], not starting with . or -',
        tag,
      );
    base = base.slice(0, colon);
  }
  return {
    base,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

function suffix(tag: string | undefined, digest: Digest | undefined): string {
  return `${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
}

/**
 * Parses `registry/name[:tag][@sha256:...]` (Docker Hub defaults: `docker.io`, `library/`) and
 * `oci-layout:DIR[:tag][@sha256:...]`. No tag and no digest leaves both unset: the caller decides
 * (cosign's `latest`, or the only image of a layout).
 */
export function parseImageReference(input: string): ImageReference {
  if (input.trim() !== input || input === '')
    invalid(input, 'reference', 'a non-empty reference without surrounding spaces', input);
  if (input.startsWith(OCI_LAYOUT_PREFIX)) {
    const {
      base: path,
      tag,
      digest,
    } = splitTagAndDigest(input, input.slice(OCI_LAYOUT_PREFIX.length));
    if (path === '') invalid(input, 'directory', 'oci-layout:DIR[:tag|@sha256:...]', input);
    return {
      kind: 'oci-layout',
      path,
      ...(tag === undefined ? {} : { tag }),
      ...(digest === undefined ? {} : { digest }),
      name: `${OCI_LAYOUT_PREFIX}${path}${suffix(tag, digest)}`,
    };
  }
  if (input.includes('://'))
    invalid(input, 'reference', 'registry/name[:tag][@sha256:...] without a URL scheme', input);
  const { base, tag, digest } = splitTagAndDigest(input, input);
  const slash = base.indexOf('/');
  const first = slash < 0 ? '' : base.slice(0, slash);
  // Docker's rule: the first component is a registry host when it has a dot, a port, or is localhost.
  const hasRegistry =
    slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? (first === 'index.docker.io' ? DOCKER_HUB : first) : DOCKER_HUB;
  let repository = hasRegistry ? base.slice(slash + 1) : base;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (
    hasRegistry &&
    !/^[a-zA-Z0-9.-]+(?::[0-9]+)?$/.test(registry) &&
    !/^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/.test(registry)
  ) {
    invalid(input, 'registry', 'a host name with an optional :port', registry);
  }
  for (const component of repository.split('/')) {
    if (!COMPONENT.test(component))
      invalid(
        input,
        'repository',
        'lowercase path components of [a-z0-9] separated by ., _, __ or -',
        component,
      );
  }
  if (repository.length > 255) invalid(input, 'repository', 'at most 255 characters', repository);
  return {
    kind: 'registry',
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    name: `${registry}/${repository}${suffix(tag, digest)}`,
  };
}

/** The HTTP base URL of a registry: plain http on loopback (test registries), https elsewhere; Docker Hub's API host. */
export function registryBaseUrl(registry: string): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  const host = registry.replace(/:[0-9]+$/, '');
  const loopback = host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  return `${loopback ? 'http' : 'https'}://${registry}`;
}
