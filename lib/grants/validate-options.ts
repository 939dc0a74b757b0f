import axios, { type AxiosInstance } from 'axios';
import {
  durationMsOption,
  isWellFormed,
  numberOption,
  optionalBoolean,
  rejectUnknownOptions,
  requireWellFormedString,
} from '../core/validate.js';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  GRANT_OPTION_KEYS,
  RESERVED_PARAMS,
  type GrantName,
  type ClientAuthMethod,
  type DiscoveryMode,
  type TokenEndpointOptions,
} from './grant-options.js';
import { parseEndpointOption } from '../core/secure-url.js';
import type { RetryPolicy } from './send.js';
import { resolveClientAssertion, type ClientAssertion } from './client-assertion.js';

/** Where the endpoints come from: given, or discovered from the issuer. */
export type EndpointSource =
  { tokenUrl: string; revocationUrl?: string } | { issuer: string; discovery: DiscoveryMode; revocationUrl?: string };

/** Grant options checked and filled in, ready for the token endpoint client. */
export interface ResolvedEndpointOptions {
  source: EndpointSource;
  clientId: string;
  clientSecret?: string;
  /** `undefined`: not chosen by the user; decided once the server's supported methods are known. */
  authMethod?: ClientAuthMethod;
  /** The assertion maker of a JWT-authenticated client (private_key_jwt, client_secret_jwt). */
  assertion?: ClientAssertion;
  /** A `privateKey` was given: discovery picks private_key_jwt. */
  hasPrivateKey: boolean;
  /** scope, audience, resource and extraParams, ready to be form-encoded. */
  params: Array<[string, string]>;
  http: AxiosInstance;
  retry: RetryPolicy;
  allowInsecureHttp: boolean;
}

const AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'none',
  'private_key_jwt',
  'client_secret_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];
/** Methods that need no `clientSecret`. */
const SECRETLESS: readonly ClientAuthMethod[] = ['none', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'];
const DISCOVERY_MODES: readonly DiscoveryMode[] = ['auto', 'openid-configuration', 'oauth-authorization-server'];

/**
 * Fails fast, at grant creation, naming the option that is wrong (never its value: it may be a secret).
 * @param grant the factory being called: its known option keys, and its name in the error of an unknown one.
 */
export function validateEndpointOptions(options: TokenEndpointOptions, grant: GrantName, path = 'options'): ResolvedEndpointOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`"${path}" must be an object`);
  rejectUnknownOptions(options, GRANT_OPTION_KEYS[grant], path, grant);
  const allowInsecureHttp = optionalBoolean(options.allowInsecureHttp, `${path}.allowInsecureHttp`) ?? false;
  requireWellFormedString(options.clientId, `${path}.clientId`);
  if (options.clientSecret !== undefined) requireWellFormedString(options.clientSecret, `${path}.clientSecret`);
  const authMethod = optionalEnum(options.authMethod, AUTH_METHODS, `${path}.authMethod`);
  if (authMethod !== undefined && !SECRETLESS.includes(authMethod) && options.clientSecret === undefined) {
    throw new TypeError(`"${path}.clientSecret" is required with authMethod '${authMethod}'`);
  }
  const source = endpointSource(options, path, allowInsecureHttp);
  const assertion = resolveClientAssertion(options, authMethod, path);
  return {
    source,
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(authMethod === undefined ? {} : { authMethod }),
    ...(assertion === undefined ? {} : { assertion }),
    hasPrivateKey: options.privateKey !== undefined,
    params: requestParams(options, path),
    http: httpClient(options.httpClient, `${path}.httpClient`),
    retry: {
      // Every duration feeds a timer: above MAX_TIMER_MS it would fire at once (issue 9).
      timeoutMs: durationMsOption(options.timeoutMs, DEFAULT_TIMEOUT_MS, `${path}.timeoutMs`, 1),
      maxRetries: integer(options.maxRetries, DEFAULT_MAX_RETRIES, `${path}.maxRetries`, 10),
      retryDelayMs: durationMsOption(options.retryDelayMs, DEFAULT_RETRY_DELAY_MS, `${path}.retryDelayMs`, 0),
      maxRetryDelayMs: durationMsOption(options.maxRetryDelayMs, DEFAULT_MAX_RETRY_DELAY_MS, `${path}.maxRetryDelayMs`, 0),
    },
    allowInsecureHttp,
  };
}

/** Whether the client authenticates with its secret (an unchosen method with no key means a secret method). */
export function usesSecret(resolved: ResolvedEndpointOptions): boolean {
  const method = resolved.authMethod;
  return method === undefined ? !resolved.hasPrivateKey : !SECRETLESS.includes(method);
}

function endpointSource(options: TokenEndpointOptions, path: string, allowInsecureHttp: boolean): EndpointSource {
  if ((options.tokenUrl === undefined) === (options.issuer === undefined)) {
    throw new TypeError(`"${path}" must have exactly one of "tokenUrl" and "issuer"`);
  }
  const revocation =
    options.revocationUrl === undefined
      ? {}
      : { revocationUrl: parseEndpointOption(options.revocationUrl, `${path}.revocationUrl`, allowInsecureHttp).href };
  const discovery = optionalEnum(options.discovery, DISCOVERY_MODES, `${path}.discovery`);
  if (options.tokenUrl !== undefined) {
    if (discovery !== undefined) throw new TypeError(`"${path}.discovery" needs "issuer", not "tokenUrl"`);
    return { tokenUrl: parseEndpointOption(options.tokenUrl, `${path}.tokenUrl`, allowInsecureHttp).href, ...revocation };
  }
  const issuer = parseEndpointOption(options.issuer, `${path}.issuer`, allowInsecureHttp);
  // RFC 8414 §2: the issuer has no query or fragment component.
  if (issuer.search !== '') throw new TypeError(`"${path}.issuer" must not have a query`);
  // Kept as given, not as `URL` normalises it: the metadata's issuer must be identical to it (RFC 8414 §3.3).
  return { issuer: options.issuer!, discovery: discovery ?? 'auto', ...revocation };
}

function requestParams(options: TokenEndpointOptions, path: string): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  const scope = scopeOption(options.scope, `${path}.scope`);
  if (scope !== undefined) params.push(['scope', scope]);
  if (options.audience !== undefined) params.push(['audience', requireWellFormedString(options.audience, `${path}.audience`)]);
  // RFC 8707 §2: one `resource` parameter per indicator.
  for (const resource of stringOrList(options.resource, `${path}.resource`) ?? []) params.push(['resource', resource]);
  if (options.extraParams === undefined) return params;
  if (options.extraParams === null || typeof options.extraParams !== 'object')
    throw new TypeError(`"${path}.extraParams" must be an object`);
  for (const [name, value] of Object.entries(options.extraParams)) {
    if (!isWellFormed(name)) throw new TypeError(`"${path}.extraParams" has a parameter name with a lone surrogate`);
    if (RESERVED_PARAMS.includes(name)) throw new TypeError(`"${path}.extraParams.${name}" is set by the grant and cannot be overridden`);
    for (const item of stringOrList(value, `${path}.extraParams.${name}`, true) ?? []) params.push([name, item]);
  }
  return params;
}

export function stringOrList(value: unknown, path: string, allowEmpty = false): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && (allowEmpty || item.length > 0))) {
    throw new TypeError(`"${path}" must be a non-empty string or a non-empty array of non-empty strings`);
  }
  (list as string[]).forEach((item, index) => {
    const where = Array.isArray(value) ? `${path}[${index}]` : path;
    if (!isWellFormed(item)) throw new TypeError(`"${where}" must not contain a lone surrogate (it has no UTF-8 form)`);
  });
  return list as string[];
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), printable ASCII but space, `"` and `\`.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The `scope` parameter: a string of scope tokens separated by single spaces, or an array of scope tokens sent
 * space-delimited. An element with a space in it (`['a b']`) would silently request two scopes.
 * @see RFC 6749 §3.3
 */
export function scopeOption(value: unknown, path: string): string | undefined {
  const list = stringOrList(value, path);
  if (list === undefined) return undefined;
  const rule = "printable ASCII except space, '\"' and '\\' (RFC 6749 §3.3)";
  if (!Array.isArray(value)) {
    if (!list[0]!.split(' ').every((token) => SCOPE_TOKEN.test(token))) {
      throw new TypeError(`"${path}" must be scope tokens separated by single spaces, each ${rule}`);
    }
    return list[0];
  }
  list.forEach((token, index) => {
    if (!SCOPE_TOKEN.test(token)) throw new TypeError(`"${path}[${index}]" must be one scope token: ${rule}`);
  });
  return list.join(' ');
}

function httpClient(value: unknown, path: string): AxiosInstance {
  if (value === undefined) return axios.create();
  if (typeof value !== 'function' || typeof (value as AxiosInstance).request !== 'function') {
    throw new TypeError(`"${path}" must be an axios instance`);
  }
  return value as AxiosInstance;
}

export function optionalEnum<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new TypeError(`"${path}" must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  return value as T;
}

function integer(value: unknown, fallback: number, path: string, max: number): number {
  const n = numberOption(value, fallback, path, 0);
  if (!Number.isInteger(n) || n > max) throw new RangeError(`"${path}" must be an integer from 0 to ${max}`);
  return n;
}
