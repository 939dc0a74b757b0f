export { clientCredentials, type ClientCredentialsOptions } from './client-credentials.js';
export { refreshTokenGrant, type RefreshTokenGrantOptions } from './refresh-token.js';
export { passwordGrant, type PasswordGrantOptions } from './password.js';
export {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  type ClientAuthMethod,
  type DiscoveryMode,
  type TokenEndpointOptions,
} from './grant-options.js';
export type { AssertionAudience } from './grant-options.js';
export type { SigningAlg } from '../jose/algorithms.js';
export type { SigningKeyInput } from '../jose/import-key.js';
