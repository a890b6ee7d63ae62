import { describe, expect, it } from 'vitest';
import { parseImageReference, registryBaseUrl } from '../src/reference';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each([
    [
      'ghcr.io/amaanx86/oci-prometheus-sd-proxy:v1.5.0',
      {
        kind: 'registry',
        registry: 'ghcr.io',
        repository: 'amaanx86/oci-prometheus-sd-proxy',
        tag: 'v1.5.0',
      },
    ],
    [
      `ghcr.io/a/b@${DIGEST}`,
      { kind: 'registry', registry: 'ghcr.io', repository: 'a/b', digest: DIGEST },
    ],
    [
      `ghcr.io/a/b:v1@${DIGEST}`,
      { kind: 'registry', registry: 'ghcr.io', repository: 'a/b', tag: 'v1', digest: DIGEST },
    ],
    [
      '127.0.0.1:5000/acme/app:v1',
      { kind: 'registry', registry: '127.0.0.1:5000', repository: 'acme/app', tag: 'v1' },
    ],
    ['localhost/app', { kind: 'registry', registry: 'localhost', repository: 'app' }],
    ['localhost:5000/app', { kind: 'registry', registry: 'localhost:5000', repository: 'app' }],
    [
      'alpine',
      {
        kind: 'registry',
        registry: 'docker.io',
        repository: 'library/alpine',
        name: 'docker.io/library/alpine',
      },
    ],
    [
      'alpine:3.20',
      { kind: 'registry', registry: 'docker.io', repository: 'library/alpine', tag: '3.20' },
    ],
    [
      'prom/prometheus:v2',
      { kind: 'registry', registry: 'docker.io', repository: 'prom/prometheus', tag: 'v2' },
    ],
    [
      'index.docker.io/prom/prometheus',
      { kind: 'registry', registry: 'docker.io', repository: 'prom/prometheus' },
    ],
    [
      'registry.example.com:8443/a/b/c__d.e-f',
      { kind: 'registry', registry: 'registry.example.com:8443', repository: 'a/b/c__d.e-f' },
    ],
    [
      `oci-layout:/tmp/x@${DIGEST}`,
      { kind: 'oci-layout', path: '/tmp/x', digest: DIGEST, name: `oci-layout:/tmp/x@${DIGEST}` },
    ],
    ['oci-layout:/tmp/x:v1', { kind: 'oci-layout', path: '/tmp/x', tag: 'v1' }],
    ['oci-layout:./rel/dir', { kind: 'oci-layout', path: './rel/dir' }],
    ['oci-layout:/tmp/a:b/dir:v2', { kind: 'oci-layout', path: '/tmp/a:b/dir', tag: 'v2' }],
  ])('%s', (input, expected) => {
    const parsed = parseImageReference(input);
    expect(parsed).toMatchObject(expected);
    if (!('tag' in expected)) expect(parsed.tag).toBeUndefined();
    if (!('digest' in expected)) expect(parsed.digest).toBeUndefined();
  });

  it.each([
    ['', 'reference'],
    [' ghcr.io/a/b', 'reference'],
    ['https://ghcr.io/a/b', 'reference'],
    ['ghcr.io/A/b', 'repository'],
    ['ghcr.io/a//b', 'repository'],
    ['ghcr.io/a/b:-bad', 'tag'],
    [`ghcr.io/a/b:${'x'.repeat(129)}`, 'tag'],
    ['ghcr.io/a/b@sha256:abc', 'digest'],
    [`ghcr.io/a/b@sha512:${'a'.repeat(128)}`, 'digest'],
    [`ghcr.io/a/b@sha256:${'A'.repeat(64)}`, 'digest'],
    ['oci-layout:', 'directory'],
    [`oci-layout:@${DIGEST}`, 'directory'],
    ['bad_host!:5000/a', 'registry'],
  ])('rejects %j naming the field %s', (input, field) => {
    let error: unknown;
    try {
      parseImageReference(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((error as Error).message).toContain(`: ${field}: expected`);
    expect((error as { found?: unknown }).found).toBeDefined();
  });
});

describe('registryBaseUrl', () => {
  it('uses http only on loopback, https elsewhere, and Docker Hub API host', () => {
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('127.0.0.1.evil.example')).toBe('https://127.0.0.1.evil.example');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
  });
});
