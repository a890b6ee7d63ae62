// The local test Sigstore instance lands here (see README).
export const TEST_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
