import type { ReleaseManifestInput } from '../../src/index';

/** The seed project's v1.5.0 release, as its TUF-on-CI manifest records it. */
export const SEED_V150: ReleaseManifestInput = {
  project: 'oci-prometheus-sd-proxy',
  repository: 'amaanx86/oci-prometheus-sd-proxy',
  tag: 'v1.5.0',
  image: 'ghcr.io/amaanx86/oci-prometheus-sd-proxy',
  digest: 'sha256:011bd900864e62770c54e56248b2af853482e9ae9f5c572f84c20c8771f5c291',
  runId: 24609867231,
  createdAt: '2026-04-18T17:26:44Z',
};
