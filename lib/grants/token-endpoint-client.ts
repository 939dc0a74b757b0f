import { issuerMetadata } from './issuer-metadata.js';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { ErrorCode, TokenRefreshError } from '../core/errors.js';
import type { TokenFields } from '../core/token.js';
import { clientAuthentication, defaultAuthMethod, encodeForm } from './client-auth.js';
import type { ClientAuthMethod } from './grant-options.js';
import { readRevocationResponse, revocationUnreachable } from './revocation.js';
import { headerValue, sendWithRetries } from './send.js';
import type { TokenRequestTrace } from './token-request-trace.js';
import { withContext, type RequestContext } from './context-params.js';
import { jsonObjectBody } from './response-body.js';
import type { DPoPProofMaker } from '../core/dpop-proof-maker.js';
import { readTokenResponse } from './token-response.js';
import type { ResolvedEndpointOptions } from './validate-options.js';

/** RFC 7009 §2.1 `token_type_hint`. */
export type TokenTypeHint = 'refresh_token' | 'access_token';

/** Talks to one authorization server on behalf of one client: the token endpoint and, if any, revocation. */
export interface TokenEndpointClient {
  /**
   * POSTs a grant (`grant_type` and its parameters) with client authentication and the configured scope,
   * audience, resource and extra parameters.
   * @param secrets values of this request to keep out of any error, besides the client secret.
   * @param context the token source's `scope` (requested with the configured one) and `claims` (issue 10).
   */
  requestToken(
    grant: Array<[string, string]>,
    signal: AbortSignal | undefined,
    secrets: readonly (string | undefined)[],
    context?: RequestContext,
  ): Promise<TokenFields>;
  /**
   * {@link requestToken} up to the response, unread: the same client authentication, DPoP proof and nonce retry, for
   * a grant that reads some answers itself (device polling: `authorization_pending`, `slow_down`, 503). Read it with
   * `readTokenResponse(response, secrets, dpop)`: `secrets` has every value of the request to keep out of errors.
   * @param configuredParams `false`: without the configured scope, audience, resource and extra parameters (RFC 8628
   * §3.4 polls with the device code alone; they went with the device authorization request).
   */
  sendTokenRequest(
    grant: Array<[string, string]>,
    signal: AbortSignal | undefined,
    secrets: readonly (string | undefined)[],
    context?: RequestContext,
    configuredParams?: boolean,
  ): Promise<{ response: AxiosResponse<unknown>; secrets: Array<string | undefined> }>;
  /**
   * POSTs a form to another endpoint of the same server (RFC 8628 §3.1 device authorization) with the client's
   * authentication, as the token endpoint gets it; the response is returned unread.
   */
  postAuthenticated(
    url: string,
    params: Array<[string, string]>,
    signal: AbortSignal | undefined,
    secrets: readonly (string | undefined)[],
  ): Promise<AxiosResponse<unknown>>;
  /** Whether a revocation endpoint was given or may be discovered. */
  readonly mayRevoke: boolean;
  /** Revokes a token (RFC 7009); resolves without a request when the discovered server has no revocation endpoint. */
  revoke(token: string, hint: TokenTypeHint): Promise<void>;
}

interface Endpoints {
  tokenEndpoint: string;
  revocationEndpoint?: string;
  authMethod: ClientAuthMethod;
  /** The issuer identifier, when known (the default `aud` of client assertions). */
  issuer?: string;
}

const FORM_HEADERS = { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' };

/** The token endpoint client of one grant; endpoints are resolved (and discovered) on first use, not at creation. */
export function createTokenEndpointClient(options: ResolvedEndpointOptions): TokenEndpointClient {
  const { source, clientId, clientSecret } = options;
  /** @param secrets gains every assertion sent, so that an error echoing one is scrubbed of it. */
  async function post(
    url: string,
    endpoints: Endpoints,
    params: Array<[string, string]>,
    signal: AbortSignal | undefined,
    secrets: Array<string | undefined>,
    trace?: TokenRequestTrace,
    dpop?: DPoPProofMaker,
  ): Promise<AxiosResponse<unknown>> {
    const method = endpoints.authMethod;
    const build = async (): Promise<AxiosRequestConfig> => {
      const assertion = await clientAssertionFor(options, endpoints);
      if (assertion !== undefined) secrets.push(assertion);
      const auth = clientAuthentication(method, clientId, clientSecret, assertion);
      // RFC 6749 §3.2: POST, form-encoded body; credentials never in the URL.
      // A parameter the authentication sets is sent once, its way: a pushed authorization request (RFC 9126 §2.1)
      // carries `client_id` itself, which Basic leaves in the body and the other methods would repeat.
      const data = encodeForm([...params.filter(([name]) => !auth.params.some(([own]) => own === name)), ...auth.params]);
      const headers: Record<string, string> = { ...FORM_HEADERS, ...auth.headers };
      // RFC 9449 §5: a proof (no ath at the AS) with every attempt, each one fresh.
      if (dpop !== undefined) secrets.push((headers.DPoP = await dpop.proof('POST', url)));
      return { method: 'POST', url, data, headers };
    };
    const response = await sendWithRetries(options.http, build, options.retry, signal, secrets, trace);
    dpop?.observeNonce(url, headerValue(response, 'dpop-nonce'));
    return response;
  }

  async function sendTokenRequest(
    grant: Array<[string, string]>,
    signal: AbortSignal | undefined,
    secrets: readonly (string | undefined)[],
    context?: RequestContext,
    configuredParams = true,
  ): Promise<{ response: AxiosResponse<unknown>; secrets: Array<string | undefined> }> {
    const endpoints = await resolveEndpoints(options, signal);
    const allSecrets = [clientSecret, ...secrets];
    const url = endpoints.tokenEndpoint;
    const dpop = context?.dpop;
    const trace = { grantType: grant.find(([name]) => name === 'grant_type')?.[1] ?? '', url, signal };
    const params = configuredParams ? [...grant, ...withContext(options.params, context)] : grant;
    const send = (): Promise<AxiosResponse<unknown>> => post(url, endpoints, params, signal, allSecrets, trace, dpop);
    const sentNonce = dpop?.nonceFor(url);
    let response = await send();
    // RFC 9449 §8: the AS wants a nonce; one retry with a fresh proof carrying it, only if it is a new one. Or it
    // refused the proof and its Date says our clock is off (iat): one retry with the corrected clock. One at most.
    if (dpop !== undefined && (isNonceError(response) ? dpop.nonceFor(url) !== sentNonce : clockCorrected(response, dpop))) {
      response = await send();
    }
    return { response, secrets: allSecrets };
  }

  return {
    async requestToken(grant, signal, secrets, context) {
      const { response, secrets: allSecrets } = await sendTokenRequest(grant, signal, secrets, context);
      return readTokenResponse(response, allSecrets, context?.dpop !== undefined);
    },
    sendTokenRequest,
    async postAuthenticated(url, params, signal, secrets) {
      const endpoints = await resolveEndpoints(options, signal);
      return post(url, endpoints, params, signal, [clientSecret, ...secrets]);
    },
    mayRevoke: 'issuer' in source || source.revocationUrl !== undefined,
    async revoke(token, hint) {
      const endpoints = await resolveEndpoints(options);
      const { revocationEndpoint } = endpoints;
      if (revocationEndpoint === undefined) return;
      const secrets = [clientSecret, token];
      const params: Array<[string, string]> = [
        ['token', token],
        ['token_type_hint', hint],
      ];
      let response: AxiosResponse<unknown>;
      try {
        // RFC 7009 §2.1: the token and a hint, in the body, client-authenticated like the token endpoint.
        response = await post(revocationEndpoint, endpoints, params, undefined, secrets);
      } catch (error) {
        throw revocationUnreachable(error, secrets);
      }
      readRevocationResponse(response, secrets);
    },
  };
}

/**
 * A fresh client assertion for a JWT method, `undefined` for any other. Its `aud` is the issuer, or the token
 * endpoint, for the token and the revocation endpoint alike (RFC 7523 §3; RFC 7523bis prefers the issuer).
 */
async function clientAssertionFor(options: ResolvedEndpointOptions, endpoints: Endpoints): Promise<string | undefined> {
  if (endpoints.authMethod !== 'private_key_jwt' && endpoints.authMethod !== 'client_secret_jwt') return undefined;
  const maker = options.assertion!;
  const aud = maker.audience === 'issuer' && endpoints.issuer !== undefined ? endpoints.issuer : endpoints.tokenEndpoint;
  return maker.create(options.clientId, aud);
}

/** The endpoints and auth method to use: as configured, or from the issuer's (cached) metadata. */
async function resolveEndpoints(options: ResolvedEndpointOptions, signal?: AbortSignal): Promise<Endpoints> {
  const { source, clientSecret, hasPrivateKey } = options;
  const hasSecret = clientSecret !== undefined;
  if ('tokenUrl' in source) {
    const authMethod = options.authMethod ?? defaultAuthMethod(hasSecret, undefined, hasPrivateKey)!;
    return { tokenEndpoint: source.tokenUrl, authMethod, ...(source.revocationUrl ? { revocationEndpoint: source.revocationUrl } : {}) };
  }
  // The refresh's signal: a refresh that gave up stops waiting for discovery too (issue 9).
  const metadata = await issuerMetadata(options, source, signal);
  const authMethod = options.authMethod ?? defaultAuthMethod(hasSecret, metadata.authMethods, hasPrivateKey);
  if (authMethod === undefined) {
    const usable = hasPrivateKey ? 'private_key_jwt' : 'client_secret_basic, client_secret_post nor client_secret_jwt';
    throw new TokenRefreshError(
      ErrorCode.DISCOVERY_FAILED,
      `Discovery failed: ${source.issuer} supports neither ${usable} (token_endpoint_auth_methods_supported); set "authMethod"`,
    );
  }
  // RFC 8705 §5: a client that authenticates with its certificate uses the aliases, where the server asks for one.
  const aliases = isCertificateAuth(authMethod) ? metadata.mtlsAliases : undefined;
  const revocationEndpoint = source.revocationUrl ?? aliases?.revocationEndpoint ?? metadata.revocationEndpoint;
  return {
    tokenEndpoint: aliases?.tokenEndpoint ?? metadata.tokenEndpoint,
    authMethod,
    issuer: metadata.issuer,
    ...(revocationEndpoint ? { revocationEndpoint } : {}),
  };
}

function isCertificateAuth(method: ClientAuthMethod): boolean {
  return method === 'tls_client_auth' || method === 'self_signed_tls_client_auth';
}

/** `400 {"error": "invalid_dpop_proof"}` with a `Date` that corrects our clock by 5 s or more. */
function clockCorrected(response: AxiosResponse<unknown>, dpop: DPoPProofMaker): boolean {
  if (response.status !== 400 || jsonObjectBody(response)?.error !== 'invalid_dpop_proof') return false;
  const date = Date.parse(headerValue(response, 'date') ?? '');
  return !Number.isNaN(date) && dpop.correctClock?.(date) === true;
}

/** `400 {"error": "use_dpop_nonce"}` (RFC 9449 §8). */
function isNonceError(response: AxiosResponse<unknown>): boolean {
  return response.status === 400 && jsonObjectBody(response)?.error === 'use_dpop_nonce';
}
