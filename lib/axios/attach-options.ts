import type { AxiosError } from 'axios';
import type { TokenManagerOptions } from '../core/options.js';
import type { TokenManager } from '../core/token-manager.js';

/** Which request URLs may carry the token. A string is an origin (`https://api.example.com`). */
export type OriginRule = string | RegExp | ((url: URL) => boolean);

/** Options of {@link attachOAuth}. */
export interface AttachOAuthOptions extends Partial<Omit<TokenManagerOptions, 'dpop'>> {
  /**
   * Share an existing token manager (e.g. `otherHandle.tokenManager`) so several instances use one lock. When
   * given, the token options (`fetchToken`, ...) must be left out.
   */
  tokenManager?: TokenManager;
  /**
   * Origins that may receive the token. Requests elsewhere go out without it and never trigger a refresh.
   * @default the origin of the instance's `baseURL` (in a browser without one: the page's origin)
   */
  origins?: OriginRule | OriginRule[];
  /** Allow sending the token over plain `http:` to a non-loopback host. @default false */
  allowInsecureHttp?: boolean;
  /** Which failed responses mean "the token is bad": refresh once and replay. @default status 401 */
  shouldRefresh?: (error: AxiosError) => boolean;
  /** The header that carries the token. @default 'Authorization' */
  headerName?: string;
  /**
   * The scheme before the token, or `''` for the bare token (e.g. `X-Api-Token: <token>`).
   * @default the token's `token_type` ('Bearer')
   */
  headerScheme?: string;
  /**
   * On a 401/403 whose `WWW-Authenticate` says `insufficient_scope` with a `scope`, get a token with the union of the
   * scope in use and that scope (one token request shared by every such request), and replay once. `false`: reject at
   * once with an `InsufficientScopeError`. Challenges are read only for the `Authorization` header with a scheme.
   * @default true
   */
  stepUp?: boolean;
  /**
   * Sender-constrained tokens with DPoP (RFC 9449): `true` generates a non-extractable ES256 key pair for this
   * handle (on first use), or pass your own `CryptoKeyPair` (see `generateDPoPKeyPair()`), e.g. the same one in
   * every process that shares a `redisStorage`. Token requests of the built-in grants carry a proof (the token
   * source gets `ctx.dpop` to sign its own); API requests with a `DPoP` token carry `Authorization: DPoP <token>`
   * and a fresh `DPoP` proof; a bearer token the server issued anyway is sent as a bearer token.
   * @default undefined (bearer tokens, no proofs)
   * @see RFC 9449
   */
  dpop?: boolean | CryptoKeyPair;
}

export const DEFAULT_HEADER_NAME = 'Authorization';
