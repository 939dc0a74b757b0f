export { attachOAuth, type OAuthHandle } from './attach-oauth.js';
export { TokenManager } from './token-manager.js';
export { ErrorCode, OAuthError, OAuthLockError, TokenRefreshError, isOAuthError, isTokenRefreshError } from './errors.js';
export { REDACTED } from './redact.js';
export * from './grants/index.js';
export * from './storage/index.js';
export type { RequestAuthState } from './axios-augmentation.js';
export type {
  AttachOAuthOptions,
  OriginRule,
  RefreshReason,
  TokenManagerOptions,
  TokenSource,
  TokenSourceContext,
} from './options.js';
export type { Token, TokenFields, TokenInput, TokenResponseJson } from './token.js';
