export {
  DEFAULT_LIMITS,
  Updater,
  type TrustedState,
  type UpdaterLimits,
  type UpdaterOptions,
} from './updater';
export {
  CheckoutSource,
  HttpSource,
  quoteName,
  type FetchFunction,
  type HttpSourceOptions,
  type RepositorySource,
} from './source';
