import type { AxiosResponse } from 'axios';
import { ErrorCode, TokenRefreshError } from '../core/errors.js';
import type { TokenFields } from '../core/token.js';
import { clientAuthentication, defaultAuthMethod, encodeForm } from './client-auth.js';
import { discover } from './discovery.js';
import type { ClientAuthMethod } from './grant-options.js';
import { readRevocationResponse, revocationUnreachable } from './revocation.js';
import { sendWithRetries } from './send.js';
import { withContext, type RequestContext } from './context-params.js';
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
  /** Whether a revocation endpoint was given or may be discovered. */
  readonly mayRevoke: boolean;
  /** Revokes a token (RFC 7009); resolves without a request when the discovered server has no revocation endpoint. */
  revoke(token: string, hint: TokenTypeHint): Promise<void>;
}

interface Endpoints {
  tokenEndpoint: string;
  revocationEndpoint?: string;
  authMethod: ClientAuthMethod;
}

const FORM_HEADERS = { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' };

/** The token endpoint client of one grant; endpoints are resolved (and discovered) on first use, not at creation. */
export function createTokenEndpointClient(options: ResolvedEndpointOptions): TokenEndpointClient {
  const { source, clientId, clientSecret } = options;
  function post(
    url: string,
    method: ClientAuthMethod,
    params: Array<[string, string]>,
    signal: AbortSignal | undefined,
    secrets: readonly (string | undefined)[],
  ): Promise<AxiosResponse<unknown>> {
    const auth = clientAuthentication(method, clientId, clientSecret);
    // RFC 6749 §3.2: POST, form-encoded body; credentials never in the URL.
    const data = encodeForm([...params, ...auth.params]);
    const config = { method: 'POST', url, data, headers: { ...FORM_HEADERS, ...auth.headers } };
    return sendWithRetries(options.http, config, options.retry, signal, secrets);
  }

  return {
    async requestToken(grant, signal, secrets, context) {
      const { tokenEndpoint, authMethod } = await resolveEndpoints(options, signal);
      const allSecrets = [clientSecret, ...secrets];
      const response = await post(tokenEndpoint, authMethod, [...grant, ...withContext(options.params, context)], signal, allSecrets);
      return readTokenResponse(response, allSecrets);
    },
    mayRevoke: 'issuer' in source || source.revocationUrl !== undefined,
    async revoke(token, hint) {
      const { revocationEndpoint, authMethod } = await resolveEndpoints(options);
      if (revocationEndpoint === undefined) return;
      const secrets = [clientSecret, token];
      const params: Array<[string, string]> = [
        ['token', token],
        ['token_type_hint', hint],
      ];
      let response: AxiosResponse<unknown>;
      try {
        // RFC 7009 §2.1: the token and a hint, in the body, client-authenticated like the token endpoint.
        response = await post(revocationEndpoint, authMethod, params, undefined, secrets);
      } catch (error) {
        throw revocationUnreachable(error, secrets);
      }
      readRevocationResponse(response, secrets);
    },
  };
}

/** The endpoints and auth method to use: as configured, or from the issuer's (cached) metadata. */
async function resolveEndpoints(options: ResolvedEndpointOptions, signal?: AbortSignal): Promise<Endpoints> {
  const { source, clientSecret } = options;
  const hasSecret = clientSecret !== undefined;
  if ('tokenUrl' in source) {
    const authMethod = options.authMethod ?? defaultAuthMethod(hasSecret, undefined)!;
    return { tokenEndpoint: source.tokenUrl, authMethod, ...(source.revocationUrl ? { revocationEndpoint: source.revocationUrl } : {}) };
  }
  // The refresh's signal: a refresh that gave up stops waiting for discovery too (issue 9).
  const metadata = await discover(
    {
      issuer: source.issuer,
      mode: source.discovery,
      http: options.http,
      retry: options.retry,
      allowInsecureHttp: options.allowInsecureHttp,
    },
    signal,
  );
  const authMethod = options.authMethod ?? defaultAuthMethod(hasSecret, metadata.authMethods);
  if (authMethod === undefined) {
    throw new TokenRefreshError(
      ErrorCode.DISCOVERY_FAILED,
      `Discovery failed: ${source.issuer} supports neither client_secret_basic nor client_secret_post; set "authMethod"`,
    );
  }
  const revocationEndpoint = source.revocationUrl ?? metadata.revocationEndpoint;
  return { tokenEndpoint: metadata.tokenEndpoint, authMethod, ...(revocationEndpoint ? { revocationEndpoint } : {}) };
}
