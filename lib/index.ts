export { attachOAuth, type OAuthHandle } from './attach-oauth.js';
export { TokenManager } from './core/token-manager.js';
export {
  ErrorCode,
  OAuthError,
  OAuthLockError,
  SignInError,
  TokenRefreshError,
  isOAuthError,
  isSignInError,
  isTokenRefreshError,
} from './core/errors.js';
export type { SignInOptions } from './core/sign-in.js';
export { REDACTED } from './core/redact.js';
export {
  InsufficientScopeError,
  StepUpRequiredError,
  isInsufficientScopeError,
  isStepUpRequiredError,
  type InsufficientScopeReason,
} from './core/challenge-errors.js';
export type { AuthChallenge } from './core/auth-challenge.js';
export * from './grants/index.js';
export * from './storage/index.js';
export type { RequestAuthState } from './axios/augmentation.js';
export type { AttachOAuthOptions, OriginRule } from './axios/attach-options.js';
export type { RefreshReason, TokenManagerOptions, TokenSource, TokenSourceContext } from './core/options.js';
export type { Token, TokenFields, TokenInput, TokenResponseJson } from './core/token.js';
export { generateDPoPKeyPair, type DPoPAlg } from './dpop/key-pair.js';
export type { DPoPProofMaker } from './core/dpop-proof-maker.js';
export { DPoPKeyError, isDPoPKeyError } from './core/dpop-key-error.js';
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
