export {
  DEFAULT_LIMITS,
  Updater,
  type TrustedState,
  type UpdaterLimits,
  type UpdaterOptions,
} from './updater';
export { CheckoutSource, HttpSource, type FetchFunction, type RepositorySource } from './source';
