/** What the interceptors remember about one request. String-keyed, because older axios 1.x mergeConfig drops Symbol keys when a config is replayed. */
export interface RequestAuthState {
  /** The token generation the request was sent with; -1 when that token was already superseded. */
  generation: number;
  /** True once the request has been replayed after a refresh: it is never replayed again. */
  replayed: boolean;
  /** True once the request has been replayed for a resource server's DPoP nonce (RFC 9449 §9): never twice. */
  dpopNonceRetried?: boolean;
  /** The DPoP nonce the request's proof carried, if any: a challenge with the same nonce is not retried. */
  dpopNonce?: string;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Send this request without the token and never refresh for it. @default false */
    skipAuth?: boolean;
    /** Attach the token, but return a 401 as it is instead of refreshing and replaying. @default false */
    skipAuthRefresh?: boolean;
    /** @internal Per-request state of axios-oauth-lock. */
    oauthLockState?: RequestAuthState;
  }
}
