/**
 * The GitHub operations this server implements. The trimmed OpenAPI description holds exactly these
 * (plus everything they reference); `scripts/trim-openapi.ts` regenerates it from the full one.
 */
export const IMPLEMENTED_OPERATIONS = [
  'actions/create-workflow-dispatch',
  'actions/get-workflow-run',
  'actions/list-workflow-runs',
  'checks/list-for-ref',
  'git/create-ref',
  'git/get-ref',
  'pulls/create',
  'pulls/get',
  'pulls/list',
  'pulls/merge',
  'repos/create-attestation',
  'repos/create-release',
  'repos/delete-release',
  'repos/delete-release-asset',
  'repos/get',
  'repos/get-commit',
  'repos/get-latest-release',
  'repos/get-release',
  'repos/get-release-asset',
  'repos/get-release-by-tag',
  'repos/list-attestations',
  'repos/list-release-assets',
  'repos/list-releases',
  'repos/update-release',
  'repos/upload-release-asset',
] as const;

export type ImplementedOperation = (typeof IMPLEMENTED_OPERATIONS)[number];
