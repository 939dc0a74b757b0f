import type { AxiosInstance, AxiosResponse } from 'axios';
import { ErrorCode, TokenRefreshError } from '../core/errors.js';
import type { DiscoveryMode } from './grant-options.js';
import { describeResponse, jsonObjectBody } from './response-body.js';
import { parseEndpointOption } from '../core/secure-url.js';
import { sendWithRetries, type RetryPolicy } from './send.js';
import { abortReason, settleOrAbort } from '../core/abortable.js';

/** What the grants use from an authorization server's metadata. */
export interface ServerMetadata {
  issuer: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  /** `token_endpoint_auth_methods_supported`, when the document lists it. */
  authMethods?: string[];
  /** `mtls_endpoint_aliases`: the endpoints to use with a TLS client certificate (RFC 8705 §5). */
  mtlsAliases?: { tokenEndpoint?: string; revocationEndpoint?: string };
  /** Where the browser is sent to sign in (RFC 6749 §3.1), for `createAuthorizationRequest()`. */
  authorizationEndpoint?: string;
  /** RFC 8628 §4: the device authorization endpoint, for `deviceAuthorization()`. */
  deviceAuthorizationEndpoint?: string;
  /** RFC 9207 §3: the server puts `iss` in every authorization response, so one without it is refused. */
  issParameterSupported?: boolean;
  /** RFC 9126 §5: where authorization requests are pushed. */
  pushedAuthorizationRequestEndpoint?: string;
  /** RFC 9126 §5: `require_pushed_authorization_requests`: the server takes authorization requests only pushed. */
  requirePushedAuthorizationRequests?: boolean;
}

/** Which issuer to look up, and how. */
export interface DiscoveryRequest {
  issuer: string;
  mode: DiscoveryMode;
  http: AxiosInstance;
  retry: RetryPolicy;
  allowInsecureHttp: boolean;
}

// One fetch per issuer for the life of the process, shared by every grant; a failure is evicted so that the next
// token request tries again (reliability F-49). A fetch cannot hang in here: each of its attempts has a total deadline
// (`timeoutMs`, raced in sendWithRetries) and their number is bounded, so the shared fetch is bounded by
// urls × (maxRetries + 1) × (timeoutMs + maxRetryDelayMs), and settles (success or eviction) within it.
const cache = new Map<string, Promise<ServerMetadata>>();

/**
 * The issuer's metadata, fetched once and cached; concurrent callers share one fetch. The shared fetch never takes a
 * caller's signal: one caller giving up must not fail the others. Each caller instead stops waiting when its own
 * `signal` aborts (rejecting with its reason) while the fetch goes on for the rest.
 * @see RFC 8414 §3, OpenID Connect Discovery 1.0 §4
 */
export function discover(request: DiscoveryRequest, signal?: AbortSignal): Promise<ServerMetadata> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const key = `${request.mode} ${request.allowInsecureHttp} ${request.issuer}`;
  let metadata = cache.get(key);
  if (metadata === undefined) {
    const fetching = fetchMetadata(request);
    cache.set(key, fetching);
    fetching.catch(() => {
      if (cache.get(key) === fetching) cache.delete(key);
    });
    metadata = fetching;
  }
  return signal === undefined ? metadata : settleOrAbort(metadata, signal, () => abortReason(signal));
}

/**
 * The well-known URLs to try, in order. OIDC appends to the issuer's path; RFC 8414 inserts between the host and
 * the path (so `https://id.example/realms/a` → `https://id.example/.well-known/oauth-authorization-server/realms/a`).
 * @see RFC 8414 §3.1, OpenID Connect Discovery 1.0 §4.1
 */
export function wellKnownUrls(issuer: string, mode: DiscoveryMode): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const oidc = `${url.origin}${path}/.well-known/openid-configuration`;
  const oauth = `${url.origin}/.well-known/oauth-authorization-server${path}`;
  if (mode === 'openid-configuration') return [oidc];
  if (mode === 'oauth-authorization-server') return [oauth];
  return [oidc, oauth];
}

async function fetchMetadata(request: DiscoveryRequest): Promise<ServerMetadata> {
  const urls = wellKnownUrls(request.issuer, request.mode);
  for (const [index, url] of urls.entries()) {
    let response: AxiosResponse<unknown>;
    try {
      response = await sendWithRetries(
        request.http,
        { method: 'GET', url, headers: { Accept: 'application/json' } },
        request.retry,
        undefined,
        [],
      );
    } catch (error) {
      throw failed(`${url} could not be fetched (${error instanceof Error ? error.message : String(error)})`, error);
    }
    // Only "this document does not exist here" moves on to the other well-known URL; anything else is an answer.
    const notFound = response.status >= 400 && response.status < 500;
    if (notFound && index < urls.length - 1) continue;
    return readMetadata(response, url, request);
  }
  throw failed(`no metadata found for issuer ${request.issuer}`);
}

function readMetadata(response: AxiosResponse<unknown>, url: string, request: DiscoveryRequest): ServerMetadata {
  const body = jsonObjectBody(response);
  if (response.status !== 200 || body === undefined) throw failed(`${url} answered ${describeResponse(response)}, not a JSON object`);
  // RFC 8414 §3.3: a document whose issuer differs is not this issuer's, and nothing in it may be used.
  if (typeof body.issuer !== 'string' || !sameIssuer(body.issuer, request.issuer)) {
    throw failed(`the issuer in ${url} does not match the expected issuer ${request.issuer} (RFC 8414 §3.3)`);
  }
  const metadata: ServerMetadata = { issuer: body.issuer, tokenEndpoint: endpoint(body, 'token_endpoint', request)! };
  const revocation = endpoint(body, 'revocation_endpoint', request);
  if (revocation !== undefined) metadata.revocationEndpoint = revocation;
  for (const [name, field] of [
    ['authorization_endpoint', 'authorizationEndpoint'],
    ['device_authorization_endpoint', 'deviceAuthorizationEndpoint'],
    ['pushed_authorization_request_endpoint', 'pushedAuthorizationRequestEndpoint'],
  ] as const) {
    const url = endpoint(body, name, request);
    if (url !== undefined) metadata[field] = url;
  }
  if (body.authorization_response_iss_parameter_supported === true) metadata.issParameterSupported = true;
  if (body.require_pushed_authorization_requests === true) metadata.requirePushedAuthorizationRequests = true;
  const methods = body.token_endpoint_auth_methods_supported;
  if (Array.isArray(methods) && methods.every((m) => typeof m === 'string')) metadata.authMethods = methods;
  const aliases = mtlsAliases(body.mtls_endpoint_aliases, request);
  if (aliases !== undefined) metadata.mtlsAliases = aliases;
  return metadata;
}

/** RFC 8705 §5: a JSON object of endpoint names to the URLs that accept a client certificate; checked like the others. */
function mtlsAliases(value: unknown, request: DiscoveryRequest): ServerMetadata['mtlsAliases'] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const aliases = value as Record<string, unknown>;
  const tokenEndpoint = endpoint(aliases, 'mtls_endpoint_aliases.token_endpoint', request, 'token_endpoint');
  const revocationEndpoint = endpoint(aliases, 'mtls_endpoint_aliases.revocation_endpoint', request, 'revocation_endpoint');
  return { ...(tokenEndpoint ? { tokenEndpoint } : {}), ...(revocationEndpoint ? { revocationEndpoint } : {}) };
}

function endpoint(body: Record<string, unknown>, name: string, request: DiscoveryRequest, member = name): string | undefined {
  if (body[member] === undefined && name !== 'token_endpoint') return undefined;
  try {
    return parseEndpointOption(body[member], name, request.allowInsecureHttp).href;
  } catch (error) {
    throw failed(`the metadata of ${request.issuer} is unusable: ${(error as Error).message}`);
  }
}

/**
 * RFC 8414 §3.3: the document's `issuer` MUST be identical to the issuer the client was configured with. Only one
 * trailing slash is let go (`https://op.example` and `https://op.example/` are one issuer, as the README promises);
 * no URL normalisation, which would accept `…/realms/evil/../r2`, another case, backslashes, tabs or full-width
 * letters for the configured issuer (issue 9).
 */
export function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

function failed(reason: string, cause?: unknown): TokenRefreshError {
  const message = `Discovery failed: ${reason}`;
  return new TokenRefreshError(ErrorCode.DISCOVERY_FAILED, message, cause === undefined ? undefined : { cause });
}
