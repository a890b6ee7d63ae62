export { availableOrRequired, isRequired, type Requirement } from './required.ts';
export { FIXTURES_DIR, fixturePath, fixturesSkipReason, haveFixtures } from './fixtures.ts';
export { rejectionOf, thrownBy, type ErrorClass } from './errors.ts';
export { suiteTempDirs, tempDir } from './temp.ts';
export {
  hostileRuns,
  hostileValue,
  jsonPaths,
  mutationOf,
  substitute,
  type JsonPath,
  type Mutation,
} from './hostile-json.ts';
export {
  git,
  GIT_ENV,
  gitSync,
  projectWithRemote,
  publishToBareRemote,
  useTestGitSettings,
} from './git.ts';
export { CHANGELOG_BASE, changelogDirs, SMALL_CHANGELOG } from './changelogs.ts';
export { RepoBuilder, RepoServer, type RecordedRequest, type Signer } from './tuf-repo/builder.ts';
export {
  canonicalize,
  generateTestKey,
  keyidOf,
  signMetadata,
  type KeyScheme,
  type TestKey,
  type TufKey,
  type TufSignature,
} from './tuf-repo/keys.ts';
export {
  sigstoreSigner,
  type MessageSigningSigstore,
  type SigningIdentity,
} from './tuf-repo/sigstore.ts';
export {
  createTufCheckout,
  newSigner,
  type TestTufRepo,
  type TufCheckoutLibrary,
  type TufCheckoutSigner,
} from './tuf-repo/checkout.ts';
