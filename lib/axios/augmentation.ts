import type { AxiosError, AxiosResponse } from 'axios';

/** The handle that authorised a request, as the instance's router sees it: its 401s are that handle's to decide. */
export interface RequestOwner {
  /** The header the owner's token travels in: another owner, or none, must remove it. */
  readonly headerName: string;
  rejected(error: AxiosError): Promise<unknown>;
  /** Looks at a success (a DPoP nonce); `undefined` when the owner has nothing to learn from one. */
  readonly fulfilled: ((response: AxiosResponse) => void) | undefined;
}

/** What the interceptors remember about one request. String-keyed, because older axios 1.x mergeConfig drops Symbol keys when a config is replayed. */
export interface RequestAuthState {
  /** The token generation the request was sent with; -1 when that token was already superseded. */
  generation: number;
  /** True once the request has been replayed after a refresh: it is never replayed again. */
  replayed: boolean;
  /** The handle that authorised the request. */
  owner: RequestOwner;
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
