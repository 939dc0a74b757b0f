import type { AxiosResponse } from 'axios';
import { ErrorCode, TokenRefreshError } from '../core/errors.js';
import type { ServerMetadata } from './discovery.js';
import { CLIENT_AUTH_KEYS, type ClientAuthOptions, type DiscoveryMode, type TokenEndpointOptions } from './grant-options.js';
import { describeResponse, jsonObjectBody, oauthErrorFromBody } from './response-body.js';
import { createTokenEndpointClient, type TokenEndpointClient } from './token-endpoint-client.js';
import { validateEndpointOptions } from './validate-options.js';

/** The client that pushes, checked at creation like a grant's (naming the option); created only with an issuer. */
export function pushingClient(
  options: ClientAuthOptions & Pick<TokenEndpointOptions, 'clientId' | 'httpClient'> & { issuer: string; discovery?: DiscoveryMode },
  allowInsecureHttp: boolean,
): TokenEndpointClient {
  const endpointOptions: TokenEndpointOptions = { issuer: options.issuer, clientId: options.clientId, allowInsecureHttp };
  for (const key of [...(Object.keys(CLIENT_AUTH_KEYS) as Array<keyof ClientAuthOptions>), 'discovery', 'httpClient'] as const) {
    if (options[key] !== undefined) Object.assign(endpointOptions, { [key]: options[key] });
  }
  return createTokenEndpointClient(validateEndpointOptions(endpointOptions, 'createAuthorizationRequest'));
}

/**
 * Pushes the authorization request's parameters to the server (client-authenticated) and returns the URL the browser
 * is sent to: the authorization endpoint with `client_id` and the `request_uri` it answered, nothing else.
 * @param secrets values of `params` to keep out of errors (the `state`).
 * @see RFC 9126 §2.1, §2.2, §2.3, §4
 */
export async function pushAuthorizationRequest(
  client: TokenEndpointClient,
  metadata: ServerMetadata,
  authorizationEndpoint: string,
  clientId: string,
  params: Array<[string, string]>,
  secrets: readonly string[],
): Promise<string> {
  const endpoint = metadata.pushedAuthorizationRequestEndpoint;
  if (endpoint === undefined) {
    throw new TokenRefreshError(
      ErrorCode.DISCOVERY_FAILED,
      `Discovery failed: ${metadata.issuer} has no pushed_authorization_request_endpoint (RFC 9126 §5), so the request cannot be pushed`,
    );
  }
  // Every parameter of the request, `client_id` included (servers want it with Basic too); the client authentication
  // does not repeat it (a duplicate parameter is refused, RFC 6749 §3.1).
  const response = await client.postAuthenticated(endpoint, params, undefined, secrets);
  const requestUri = readPushResponse(response, secrets);
  const url = new URL(authorizationEndpoint);
  url.searchParams.append('client_id', clientId);
  url.searchParams.append('request_uri', requestUri);
  return url.href;
}

function readPushResponse(response: AxiosResponse<unknown>, secrets: readonly string[]): string {
  const body = jsonObjectBody(response);
  // RFC 9126 §2.2 answers 201 Created; any 2xx with the members is taken.
  if (response.status < 200 || response.status >= 300 || body === undefined) {
    throw oauthErrorFromBody(response, secrets) ?? invalid(`the endpoint answered ${describeResponse(response)}`);
  }
  if (typeof body.request_uri !== 'string' || body.request_uri === '') throw invalid('"request_uri" is missing or not a non-empty string');
  if (typeof body.expires_in !== 'number' || !(body.expires_in > 0)) throw invalid('"expires_in" is not a positive number of seconds');
  return body.request_uri;
}

function invalid(reason: string): TokenRefreshError {
  return new TokenRefreshError(ErrorCode.INVALID_RESPONSE, `Invalid pushed authorization response: ${reason}`);
}
