export { attachOAuth, type OAuthHandle } from './attach-oauth.js';
export { TokenManager } from './core/token-manager.js';
export { ErrorCode, OAuthError, OAuthLockError, TokenRefreshError, isOAuthError, isTokenRefreshError } from './core/errors.js';
export { REDACTED } from './core/redact.js';
export * from './grants/index.js';
export * from './storage/index.js';
export type { RequestAuthState } from './axios/augmentation.js';
export type { AttachOAuthOptions, OriginRule } from './axios/attach-options.js';
export type { RefreshReason, TokenManagerOptions, TokenSource, TokenSourceContext } from './core/options.js';
export type { Token, TokenFields, TokenInput, TokenResponseJson } from './core/token.js';
export type {
  BackgroundErrorEvent,
  EventError,
  OAuthLockEvent,
  OAuthLockEventListener,
  RefreshEndEvent,
  RefreshOutcome,
  RefreshStartEvent,
  ReplayEvent,
  StorageLockEvent,
  TokenRequestEvent,
} from './core/events.js';
