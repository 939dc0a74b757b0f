import axios, { type AxiosInstance } from 'axios';
import { durationMsOption, numberOption, optionalBoolean, requireString } from '../core/validate.js';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  RESERVED_PARAMS,
  type ClientAuthMethod,
  type DiscoveryMode,
  type TokenEndpointOptions,
} from './grant-options.js';
import { parseEndpointOption } from '../core/secure-url.js';
import type { RetryPolicy } from './send.js';

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
  /** scope, audience, resource and extraParams, ready to be form-encoded. */
  params: Array<[string, string]>;
  http: AxiosInstance;
  retry: RetryPolicy;
  allowInsecureHttp: boolean;
}

const AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];
const DISCOVERY_MODES: readonly DiscoveryMode[] = ['auto', 'openid-configuration', 'oauth-authorization-server'];

/** Fails fast, at grant creation, naming the option that is wrong (never its value: it may be a secret). */
export function validateEndpointOptions(options: TokenEndpointOptions, path = 'options'): ResolvedEndpointOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`"${path}" must be an object`);
  const allowInsecureHttp = optionalBoolean(options.allowInsecureHttp, `${path}.allowInsecureHttp`) ?? false;
  requireString(options.clientId, `${path}.clientId`);
  if (options.clientSecret !== undefined) requireString(options.clientSecret, `${path}.clientSecret`);
  const authMethod = optionalEnum(options.authMethod, AUTH_METHODS, `${path}.authMethod`);
  if (authMethod !== undefined && authMethod !== 'none' && options.clientSecret === undefined) {
    throw new TypeError(`"${path}.clientSecret" is required with authMethod '${authMethod}'`);
  }
  return {
    source: endpointSource(options, path, allowInsecureHttp),
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(authMethod === undefined ? {} : { authMethod }),
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
  const scope = stringOrList(options.scope, `${path}.scope`);
  // RFC 6749 §3.3: scope is one space-delimited string.
  if (scope !== undefined) params.push(['scope', scope.join(' ')]);
  if (options.audience !== undefined) params.push(['audience', requireString(options.audience, `${path}.audience`)]);
  // RFC 8707 §2: one `resource` parameter per indicator.
  for (const resource of stringOrList(options.resource, `${path}.resource`) ?? []) params.push(['resource', resource]);
  if (options.extraParams === undefined) return params;
  if (options.extraParams === null || typeof options.extraParams !== 'object')
    throw new TypeError(`"${path}.extraParams" must be an object`);
  for (const [name, value] of Object.entries(options.extraParams)) {
    if (RESERVED_PARAMS.includes(name)) throw new TypeError(`"${path}.extraParams.${name}" is set by the grant and cannot be overridden`);
    for (const item of stringOrList(value, `${path}.extraParams.${name}`, true) ?? []) params.push([name, item]);
  }
  return params;
}

function stringOrList(value: unknown, path: string, allowEmpty = false): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && (allowEmpty || item.length > 0))) {
    throw new TypeError(`"${path}" must be a non-empty string or a non-empty array of non-empty strings`);
  }
  return list as string[];
}

function httpClient(value: unknown, path: string): AxiosInstance {
  if (value === undefined) return axios.create();
  if (typeof value !== 'function' || typeof (value as AxiosInstance).request !== 'function') {
    throw new TypeError(`"${path}" must be an axios instance`);
  }
  return value as AxiosInstance;
}

function optionalEnum<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new TypeError(`"${path}" must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  return value as T;
}

function integer(value: unknown, fallback: number, path: string, max: number): number {
  const n = numberOption(value, fallback, path, 0);
  if (!Number.isInteger(n) || n > max) throw new RangeError(`"${path}" must be an integer from 0 to ${max}`);
  return n;
}
