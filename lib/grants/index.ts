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
export { createAuthorizationRequest, type AuthorizationRequest, type AuthorizationRequestOptions } from './authorization-request.js';
export { authorizationCodeGrant, type AuthorizationCodeGrantOptions } from './authorization-code.js';
export {
  DEFAULT_DEVICE_POLL_INTERVAL_SECONDS,
  deviceAuthorization,
  type DeviceAuthorizationOptions,
  type UserCodePrompt,
} from './device-authorization.js';
export { tokenExchangeGrant, type TokenExchangeGrantOptions, type TokenProvider } from './token-exchange.js';
export { jwtBearerGrant, type JwtBearerGrantOptions } from './jwt-bearer.js';
export type { JwtBearerClaims } from './jwt-bearer-assertion.js';
