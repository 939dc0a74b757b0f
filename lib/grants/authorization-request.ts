import type { AxiosInstance } from 'axios';
import { ErrorCode, TokenRefreshError } from '../core/errors.js';
import { parseEndpointOption } from '../core/secure-url.js';
import { isWellFormed, numberOption, optionalBoolean, rejectUnknownOptions, requireWellFormedString } from '../core/validate.js';
import { discover, type ServerMetadata } from './discovery.js';
import {
  CLIENT_AUTH_KEYS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  type ClientAuthOptions,
  type DiscoveryMode,
} from './grant-options.js';
import { codeChallengeS256, randomToken } from './pkce.js';
import { pushAuthorizationRequest, pushingClient } from './pushed-authorization.js';
import type { TokenEndpointClient } from './token-endpoint-client.js';
import { optionalEnum, scopeOption, stringOrList } from './validate-options.js';
import axios from 'axios';

/** Options of {@link createAuthorizationRequest}; the client authentication ones are used only to push (PAR). */
export interface AuthorizationRequestOptions extends ClientAuthOptions {
  /** The issuer; its `authorization_endpoint` is discovered. Give this or `authorizationUrl`. */
  issuer?: string;
  /** The authorization endpoint itself. Give this or `issuer`. */
  authorizationUrl?: string;
  /** Which metadata document `issuer` is resolved with. @default 'auto' */
  discovery?: DiscoveryMode;
  clientId: string;
  /** Where the server sends the browser back: registered with the server, exactly this string. */
  redirectUri: string;
  /** Requested scope; an array is sent space-delimited. @default undefined (the server's default) */
  scope?: string | string[];
  /** RFC 8707 resource indicator(s). @default undefined */
  resource?: string | string[];
  /** `audience`, for servers that pick the API by it (Auth0, Okta). @default undefined */
  audience?: string;
  /** OIDC `prompt`, e.g. `'login'` or `'consent'`. @default undefined */
  prompt?: string;
  /** OIDC `login_hint`, e.g. the user's e-mail. @default undefined */
  loginHint?: string;
  /** OIDC `acr_values` (RFC 9470 step-up asks for them); an array is sent space-delimited. @default undefined */
  acrValues?: string | string[];
  /** OIDC `max_age` in seconds (RFC 9470 step-up). @default undefined */
  maxAge?: number;
  /** More query parameters; `undefined` values are left out. Cannot override the ones set here. */
  extraParams?: Record<string, string | string[] | undefined>;
  /** The axios instance for discovery. @default a private `axios.create()` */
  httpClient?: AxiosInstance;
  /** Allow plain `http:` to hosts other than loopback. Only for tests and closed networks. @default false */
  allowInsecureHttp?: boolean;
  /**
   * Push the request to the server's `pushed_authorization_request_endpoint` first (PAR, RFC 9126), authenticating
   * the client as token requests do (`clientSecret`, `authMethod`, `privateKey`...), and send the browser to the
   * authorization endpoint with only `client_id` and the `request_uri` it answered. Needs `issuer`. `false` never
   * pushes (a server that requires PAR then refuses the request).
   * @default whether the discovered metadata says `require_pushed_authorization_requests: true` (false with `authorizationUrl`)
   */
  pushed?: boolean;
}

/**
 * What to keep until the browser comes back (JSON-serialisable: store it in `sessionStorage`), and the URL to send
 * it to. `state` and `codeVerifier` are secrets of this one sign-in: never log them, never put them in a URL of
 * your own.
 */
export interface AuthorizationRequest {
  /** The authorization endpoint URL with every parameter: `location.assign(url)` or open it in a browser. */
  url: string;
  /** The random `state` the callback must carry back (RFC 6749 §10.12). */
  state: string;
  /** The PKCE code verifier to redeem the code with (RFC 7636 §4.1). */
  codeVerifier: string;
  /** The redirect URI sent, which the token request must repeat (RFC 6749 §4.1.3). */
  redirectUri: string;
}

const KEYS: Record<keyof AuthorizationRequestOptions, true> = {
  issuer: true,
  authorizationUrl: true,
  discovery: true,
  clientId: true,
  redirectUri: true,
  scope: true,
  resource: true,
  audience: true,
  prompt: true,
  loginHint: true,
  acrValues: true,
  maxAge: true,
  extraParams: true,
  httpClient: true,
  allowInsecureHttp: true,
  pushed: true,
  ...CLIENT_AUTH_KEYS,
};

/** Set here; `extraParams` may not override them. */
const RESERVED = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'request_uri'];

/**
 * Builds an authorization code request with PKCE (S256) and a random `state`: send the user's browser to `url`,
 * keep the rest for {@link authorizationCodeGrant} on the callback page. Options are checked before anything is
 * fetched (a `TypeError`/`RangeError` naming the option). With `pushed` (by default: when the server requires it) the
 * parameters are pushed first (PAR) and `url` carries only `client_id` and `request_uri`.
 * @example
 * const request = await createAuthorizationRequest({ issuer, clientId, redirectUri, scope: ['openid', 'orders'] });
 * sessionStorage.setItem('oauth', JSON.stringify(request));
 * location.assign(request.url);
 * @see RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 9700 §2.1.1, RFC 9126
 */
export async function createAuthorizationRequest(options: AuthorizationRequestOptions): Promise<AuthorizationRequest> {
  const checked = checkOptions(options);
  const metadata = checked.authorizationUrl === undefined ? await serverMetadata(options, checked.allowInsecureHttp) : undefined;
  const endpoint = checked.authorizationUrl ?? authorizationEndpointOf(metadata!, options.issuer!);
  const state = randomToken();
  const codeVerifier = randomToken();
  const params: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', options.clientId],
    ['redirect_uri', options.redirectUri],
    ...checked.params,
    ['state', state],
    ['code_challenge', await codeChallengeS256(codeVerifier)],
    ['code_challenge_method', 'S256'],
  ];
  const request = { state, codeVerifier, redirectUri: options.redirectUri };
  // RFC 9126 §5: a server that requires pushed requests says so in its metadata.
  if (checked.pusher !== undefined && (options.pushed ?? metadata!.requirePushedAuthorizationRequests === true)) {
    return { url: await pushAuthorizationRequest(checked.pusher, metadata!, endpoint, options.clientId, params, [state]), ...request };
  }
  const url = new URL(endpoint);
  for (const [name, value] of params) url.searchParams.append(name, value);
  return { url: url.href, ...request };
}

interface Checked {
  authorizationUrl?: string;
  params: Array<[string, string]>;
  allowInsecureHttp: boolean;
  /** With `issuer` and `pushed` not `false`: the client that pushes, when the request is to be pushed. */
  pusher?: TokenEndpointClient;
}

function checkOptions(options: AuthorizationRequestOptions, path = 'options'): Checked {
  if (options === null || typeof options !== 'object') throw new TypeError(`"${path}" must be an object`);
  rejectUnknownOptions(options, Object.keys(KEYS), path, 'createAuthorizationRequest');
  const allowInsecureHttp = optionalBoolean(options.allowInsecureHttp, `${path}.allowInsecureHttp`) ?? false;
  requireWellFormedString(options.clientId, `${path}.clientId`);
  checkRedirectUri(options.redirectUri, `${path}.redirectUri`);
  if ((options.issuer === undefined) === (options.authorizationUrl === undefined)) {
    throw new TypeError(`"${path}" must have exactly one of "issuer" and "authorizationUrl"`);
  }
  optionalEnum(options.discovery, ['auto', 'openid-configuration', 'oauth-authorization-server'], `${path}.discovery`);
  if (options.issuer !== undefined) parseEndpointOption(options.issuer, `${path}.issuer`, allowInsecureHttp);
  const params: Array<[string, string]> = [];
  const scope = scopeOption(options.scope, `${path}.scope`);
  if (scope !== undefined) params.push(['scope', scope]);
  for (const resource of stringOrList(options.resource, `${path}.resource`) ?? []) params.push(['resource', resource]);
  for (const [name, key] of [
    ['audience', 'audience'],
    ['prompt', 'prompt'],
    ['login_hint', 'loginHint'],
  ] as const) {
    if (options[key] !== undefined) params.push([name, requireWellFormedString(options[key], `${path}.${key}`)]);
  }
  const acr = stringOrList(options.acrValues, `${path}.acrValues`);
  if (acr !== undefined) params.push(['acr_values', acr.join(' ')]);
  if (options.maxAge !== undefined) {
    const maxAge = numberOption(options.maxAge, 0, `${path}.maxAge`, 0);
    if (!Number.isInteger(maxAge)) throw new RangeError(`"${path}.maxAge" must be a whole number of seconds`);
    params.push(['max_age', String(maxAge)]);
  }
  params.push(...extraParams(options.extraParams, `${path}.extraParams`));
  if (options.httpClient !== undefined && typeof (options.httpClient as { request?: unknown }).request !== 'function') {
    throw new TypeError(`"${path}.httpClient" must be an axios instance`);
  }
  const pushed = optionalBoolean(options.pushed, `${path}.pushed`);
  if (pushed === true && options.issuer === undefined) {
    throw new TypeError(`"${path}.pushed" needs "${path}.issuer": the pushed_authorization_request_endpoint is discovered`);
  }
  return {
    ...(options.authorizationUrl === undefined
      ? {}
      : { authorizationUrl: parseEndpointOption(options.authorizationUrl, `${path}.authorizationUrl`, allowInsecureHttp).href }),
    params,
    allowInsecureHttp,
    ...(options.issuer === undefined || pushed === false
      ? {}
      : { pusher: pushingClient({ ...options, issuer: options.issuer }, allowInsecureHttp) }),
  };
}

/**
 * An absolute URI without a fragment (RFC 6749 §3.1.2). http is allowed: RFC 8252 §7.3 loopback redirects are plain
 * http, and private-use schemes (`com.example.app:/cb`, §7.1) are URIs too.
 */
export function checkRedirectUri(value: unknown, path: string): string {
  requireWellFormedString(value, path);
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new TypeError(`"${path}" must be an absolute URI`);
  }
  if (url.hash !== '' || (value as string).includes('#')) throw new TypeError(`"${path}" must not have a fragment (RFC 6749 §3.1.2)`);
  return value as string;
}

function extraParams(value: unknown, path: string): Array<[string, string]> {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object') throw new TypeError(`"${path}" must be an object`);
  const params: Array<[string, string]> = [];
  for (const [name, item] of Object.entries(value)) {
    if (!isWellFormed(name)) throw new TypeError(`"${path}" has a parameter name with a lone surrogate`);
    if (RESERVED.includes(name)) throw new TypeError(`"${path}.${name}" is set by createAuthorizationRequest and cannot be overridden`);
    for (const one of stringOrList(item, `${path}.${name}`, true) ?? []) params.push([name, one]);
  }
  return params;
}

/** The issuer's metadata, with the default retry policy of the grants (cached per issuer, shared with them). */
export function serverMetadata(
  options: { issuer?: string; discovery?: DiscoveryMode; httpClient?: AxiosInstance },
  allowInsecureHttp: boolean,
  signal?: AbortSignal,
): Promise<ServerMetadata> {
  return discover(
    {
      issuer: options.issuer!,
      mode: options.discovery ?? 'auto',
      http: options.httpClient ?? axios.create(),
      retry: {
        timeoutMs: DEFAULT_TIMEOUT_MS,
        maxRetries: DEFAULT_MAX_RETRIES,
        retryDelayMs: DEFAULT_RETRY_DELAY_MS,
        maxRetryDelayMs: DEFAULT_MAX_RETRY_DELAY_MS,
      },
      allowInsecureHttp,
    },
    signal,
  );
}

function authorizationEndpointOf(metadata: ServerMetadata, issuer: string): string {
  if (metadata.authorizationEndpoint === undefined) {
    throw new TokenRefreshError(ErrorCode.DISCOVERY_FAILED, `Discovery failed: ${issuer} has no authorization_endpoint`);
  }
  return metadata.authorizationEndpoint;
}
