export {
  addReleaseTarget,
  type AddReleaseTargetOptions,
  type AddReleaseTargetResult,
} from './add-release';
export {
  initCheckout,
  initRepository,
  type InitCheckoutResult,
  type InitRepositoryOptions,
  type InitRepositoryResult,
  type InitRole,
} from './init';
export { expiryEvents, type ExpiryEvent, type ExpiryEventsOptions } from './expiry';
export { checkTarget, type CheckTargetOptions, type CheckedTarget } from './check-target';
export { inviteSigner, type InviteSignerOptions, type InviteSignerResult } from './invite';
export { onlineSign, type OnlineSignOptions, type OnlineSignResult } from './online';
export { signEvent, type SignEventOptions, type SignEventResult } from './sign';
export {
  updateTargets,
  type UpdateTargetsOptions,
  type UpdateTargetsResult,
} from './update-targets';
export {
  formatStatusMarkdown,
  formatStatusText,
  signingEventStatus,
  type ArtifactChange,
  type RoleStatus,
  type SignerStatus,
  type SigningEventStatus,
  type SigningEventStatusOptions,
} from './status';
export { formatMetadata } from './format';
export { keyIdOf } from './repository';
