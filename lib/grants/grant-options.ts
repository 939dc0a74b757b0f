import type { AxiosInstance } from 'axios';
import type { SigningAlg } from '../jose/algorithms.js';
import type { SigningKeyInput } from '../jose/import-key.js';

/**
 * How the client authenticates at the token and revocation endpoints (RFC 7591 names).
 * - `'client_secret_basic'`: HTTP Basic with id and secret form-encoded first (RFC 6749 §2.3.1, Appendix B).
 * - `'client_secret_post'`: `client_id` and `client_secret` in the form body (allowed, NOT RECOMMENDED by RFC 6749).
 * - `'none'`: a public client; only `client_id` in the body.
 * - `'private_key_jwt'`: a JWT signed with `privateKey`, fresh for every request (RFC 7523 §2.2, OIDC Core §9).
 * - `'client_secret_jwt'`: a JWT signed with HS256 over `clientSecret`, fresh for every request; the secret itself
 *   is never sent.
 * - `'tls_client_auth'` / `'self_signed_tls_client_auth'`: mutual TLS with the client certificate of the
 *   `httpClient`'s agent (PKI-issued, or self-signed and registered); only `client_id` in the body, and the
 *   server's `mtls_endpoint_aliases` are used when it has them (RFC 8705 §2, §5).
 * @see RFC 6749 §2.3.1, RFC 7591 §2, RFC 7523 §2.2, RFC 8705 §2
 */
export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'none'
  | 'private_key_jwt'
  | 'client_secret_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth';

/**
 * The `aud` of a client assertion.
 * - `'issuer'`: the issuer identifier (RFC 7523bis; what current servers expect).
 * - `'token-endpoint'`: the token endpoint URL (Entra ID, Okta and older servers require it); revocation requests
 *   carry the same value.
 */
export type AssertionAudience = 'issuer' | 'token-endpoint';

/** Which well-known metadata document `issuer` is resolved with. */
export type DiscoveryMode =
  /** `<issuer>/.well-known/openid-configuration` first, then RFC 8414 if that one is not found. */
  | 'auto'
  /** OpenID Connect Discovery 1.0 §4: `/.well-known/openid-configuration` appended to the issuer. */
  | 'openid-configuration'
  /** RFC 8414 §3: `/.well-known/oauth-authorization-server` inserted between the host and the issuer's path. */
  | 'oauth-authorization-server';

/** Options shared by every built-in grant: where the authorization server is and how to talk to it. */
export interface TokenEndpointOptions {
  /** The token endpoint. Give this or `issuer`. Must be https (loopback hosts excepted) and have no fragment. */
  tokenUrl?: string;
  /**
   * The authorization server's issuer identifier; its token (and revocation) endpoint are discovered from its
   * metadata, fetched once per issuer and cached. Give this or `tokenUrl`.
   * @see RFC 8414 §3, OpenID Connect Discovery 1.0 §4
   */
  issuer?: string;
  /** Which metadata document `issuer` is resolved with. @default 'auto' */
  discovery?: DiscoveryMode;
  /**
   * The RFC 7009 revocation endpoint. With it (or one discovered from `issuer`) the grant gets a `revoke()`, which
   * `handle.revoke()` calls. @default the discovered `revocation_endpoint`, else none
   */
  revocationUrl?: string;
  /** The client identifier. */
  clientId: string;
  /** The client secret of a confidential client. @default undefined (a public client) */
  clientSecret?: string;
  /**
   * How the client authenticates.
   * @default 'client_secret_basic' with a `clientSecret` ('client_secret_post' when a discovered server lists only
   * that one), 'none' without
   */
  authMethod?: ClientAuthMethod;
  /**
   * The private key of `private_key_jwt`: a `CryptoKey` (may be non-extractable), a private JWK (with `d`), or an
   * unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Given without `authMethod`, the method is
   * `private_key_jwt`. Never appears in an error.
   * @default undefined
   */
  privateKey?: SigningKeyInput;
  /** The `kid` header of the client assertion: which of the client's registered keys signed it. @default none */
  keyId?: string;
  /**
   * The algorithm of `private_key_jwt` assertions.
   * @default the key's own: the JWK's `alg`, the CryptoKey's algorithm, else EC P-256 → 'ES256', RSA → 'RS256',
   * Ed25519 → 'EdDSA' ('HS256' for client_secret_jwt)
   */
  signingAlg?: SigningAlg;
  /** More protected-header fields of the client assertion, e.g. `{ 'x5t#S256': thumbprint }` for Entra ID. @default none */
  assertionHeader?: Record<string, string>;
  /**
   * The `aud` of client assertions.
   * @default 'issuer' when `issuer` is given, 'token-endpoint' with `tokenUrl` alone
   */
  assertionAudience?: AssertionAudience;
  /** Requested scope; an array is sent space-delimited. @default undefined (the server's default scope) */
  scope?: string | string[];
  /** `audience` parameter, used by some servers (Auth0, Okta) to pick the API. @default undefined */
  audience?: string;
  /** RFC 8707 resource indicator(s): absolute URIs of the APIs the token is for. @default undefined */
  resource?: string | string[];
  /** More form parameters; `undefined` values are left out. Cannot override the grant's own parameters. */
  extraParams?: Record<string, string | string[] | undefined>;
  /**
   * The axios instance that talks to the authorization server, e.g. one set up with a proxy or an agent. Never pass
   * the instance `attachOAuth` sits on. @default a private `axios.create()`
   */
  httpClient?: AxiosInstance;
  /** Time limit of one HTTP attempt. @default 10000 */
  timeoutMs?: number;
  /** Extra attempts after a network error, a 5xx or a 429. @default 2 */
  maxRetries?: number;
  /** First backoff delay; it doubles per retry, with jitter. @default 250 */
  retryDelayMs?: number;
  /** Upper bound of any wait between attempts, including one asked for by `Retry-After`. @default 10000 */
  maxRetryDelayMs?: number;
  /** Allow plain `http:` to hosts other than loopback. Only for tests and closed networks. @default false */
  allowInsecureHttp?: boolean;
}

/** Default of {@link TokenEndpointOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default of {@link TokenEndpointOptions.maxRetries}. */
export const DEFAULT_MAX_RETRIES = 2;
/** Default of {@link TokenEndpointOptions.retryDelayMs}. */
export const DEFAULT_RETRY_DELAY_MS = 250;
/** Default of {@link TokenEndpointOptions.maxRetryDelayMs}. */
export const DEFAULT_MAX_RETRY_DELAY_MS = 10_000;

/** Parameters a grant sets itself; `extraParams` may not override them. */
export const RESERVED_PARAMS = [
  'grant_type',
  'client_id',
  'client_secret',
  'refresh_token',
  'username',
  'password',
  // Sign-in and delegation grants (issue 12): RFC 6749 §4.1.3, RFC 7636 §4.5, RFC 8628 §3.4, RFC 8693 §2.1, RFC 7523 §2.1.
  'code',
  'code_verifier',
  'redirect_uri',
  'device_code',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'assertion',
  'client_assertion',
  'client_assertion_type',
];

/** The grant factories, as named in option errors. */
export type GrantName =
  | 'clientCredentials'
  | 'refreshTokenGrant'
  | 'passwordGrant'
  | 'authorizationCodeGrant'
  | 'loopbackAuthorization'
  | 'deviceAuthorization'
  | 'tokenExchangeGrant'
  | 'jwtBearerGrant'
  | 'createAuthorizationRequest';

/** How a client authenticates to the authorization server: the options every client-authenticated request shares. */
export type ClientAuthOptions = Pick<
  TokenEndpointOptions,
  'clientSecret' | 'authMethod' | 'privateKey' | 'keyId' | 'signingAlg' | 'assertionHeader' | 'assertionAudience'
>;

// Stryker disable BooleanLiteral: only the keys of these records are read; `true` is there for the compiler's check.
export const CLIENT_AUTH_KEYS: Record<keyof ClientAuthOptions, true> = {
  clientSecret: true,
  authMethod: true,
  privateKey: true,
  keyId: true,
  signingAlg: true,
  assertionHeader: true,
  assertionAudience: true,
};

// Every key of TokenEndpointOptions, checked by the compiler: adding an option without listing it fails to build.
const ENDPOINT_KEYS: Record<keyof TokenEndpointOptions, true> = {
  tokenUrl: true,
  issuer: true,
  discovery: true,
  revocationUrl: true,
  clientId: true,
  ...CLIENT_AUTH_KEYS,
  scope: true,
  audience: true,
  resource: true,
  extraParams: true,
  httpClient: true,
  timeoutMs: true,
  maxRetries: true,
  retryDelayMs: true,
  maxRetryDelayMs: true,
  allowInsecureHttp: true,
};
// Stryker restore BooleanLiteral

/**
 * The option keys each grant knows, in one place. Any other key is refused at creation: in plain JavaScript a
 * misspelt `tokenUrll` or `clientSecrett` would otherwise be ignored without a word (issue 9). The loopback, device,
 * token exchange and JWT bearer factories take their own options out before they validate the rest, so only the
 * token endpoint's keys are left to know there.
 */
export const GRANT_OPTION_KEYS: Readonly<Record<GrantName, readonly string[]>> = {
  clientCredentials: Object.keys(ENDPOINT_KEYS),
  refreshTokenGrant: Object.keys(ENDPOINT_KEYS),
  passwordGrant: [...Object.keys(ENDPOINT_KEYS), 'username', 'password'],
  // `url` is accepted (and ignored) so that the saved createAuthorizationRequest() result can be spread in.
  authorizationCodeGrant: [...Object.keys(ENDPOINT_KEYS), 'redirectUri', 'callbackUrl', 'state', 'codeVerifier', 'url'],
  loopbackAuthorization: Object.keys(ENDPOINT_KEYS),
  deviceAuthorization: Object.keys(ENDPOINT_KEYS),
  tokenExchangeGrant: Object.keys(ENDPOINT_KEYS),
  jwtBearerGrant: Object.keys(ENDPOINT_KEYS),
  // The client that pushes an authorization request (RFC 9126); createAuthorizationRequest checks its own keys first.
  createAuthorizationRequest: Object.keys(ENDPOINT_KEYS),
};
