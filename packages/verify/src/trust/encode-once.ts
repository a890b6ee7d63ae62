// Shared with @oci-sd/tuf's sigstore-oidc keys: one implementation, in @oci-sd/core.
export { encodeOnce } from '@oci-sd/core';
