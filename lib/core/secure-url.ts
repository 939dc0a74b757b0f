/*
 * Transport safety for the API origins and the authorization server's endpoints: credentials and tokens travel only over TLS
 * (RFC 6749 §3.2, §10.9; RFC 8414 §2; RFC 7009 §2). Plain http is tolerated on loopback, where nothing leaves the
 * machine (the same exception RFC 8252 §8.3 makes for redirect URIs), or with an explicit opt-in.
 */

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}

/** Why `url` may not carry credentials, or `undefined` when it may. */
export function insecureUrlReason(url: URL, allowInsecureHttp: boolean): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `uses ${url.protocol} instead of https:`;
  if (allowInsecureHttp || isLoopbackHost(url.hostname)) return undefined;
  return 'uses plain http: to a host that is not loopback (set allowInsecureHttp to allow it)';
}

/**
 * Parses an endpoint option, throwing a TypeError that names the option when it is not an absolute https URL
 * without a fragment (RFC 6749 §3.2: "The endpoint URI MUST NOT include a fragment component").
 */
export function parseEndpointOption(value: unknown, path: string, allowInsecureHttp: boolean): URL {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${path}" must be a non-empty string`);
  const url = tryParseUrl(value);
  if (url === undefined) throw new TypeError(`"${path}" must be an absolute URL`);
  if (url.hash !== '' || value.includes('#')) throw new TypeError(`"${path}" must not have a fragment`);
  const reason = insecureUrlReason(url, allowInsecureHttp);
  if (reason !== undefined) throw new TypeError(`"${path}" ${reason}`);
  return url;
}

/** `new URL(value, base)`, or `undefined` for a string that is not a URL. */
export function tryParseUrl(value: string, base?: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}
