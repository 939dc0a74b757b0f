import { JWT_BEARER_ASSERTION_TYPE } from './client-assertion.js';
import type { ClientAuthMethod } from './grant-options.js';

/**
 * RFC 6749 Appendix B: `application/x-www-form-urlencoded` as HTML 4.01 defines it: every character but ASCII
 * letters and digits is percent-encoded (UTF-8), and a space becomes `+`. `encodeURIComponent` leaves
 * `-_.!~*'()` alone, which is why they are encoded here by hand; servers decode them either way.
 * @see RFC 6749 Appendix B, §2.3.1
 */
export function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Serialises form parameters in order; a repeated name (e.g. `resource`) is sent once per value. */
export function encodeForm(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`).join('&');
}

/** What client authentication adds to a request. */
export interface ClientAuthentication {
  params: Array<[string, string]>;
  headers: Record<string, string>;
}

/**
 * Client authentication for the token and revocation endpoints. Credentials never go in the URL (RFC 6749 §2.3.1).
 * @param assertion the signed client assertion of a JWT method (private_key_jwt, client_secret_jwt), made for this request.
 * @see RFC 6749 §2.3.1, RFC 7591 §2 (`token_endpoint_auth_method`), RFC 7523 §2.2
 */
export function clientAuthentication(
  method: ClientAuthMethod,
  clientId: string,
  clientSecret: string | undefined,
  assertion?: string,
): ClientAuthentication {
  if (method === 'client_secret_basic') {
    const credentials = `${formEncode(clientId)}:${formEncode(clientSecret ?? '')}`;
    // formEncode left only ASCII, so btoa is safe here and works in browsers as well as Node.
    return { params: [], headers: { Authorization: `Basic ${btoa(credentials)}` } };
  }
  if (method === 'client_secret_post') {
    return {
      params: [
        ['client_id', clientId],
        ['client_secret', clientSecret ?? ''],
      ],
      headers: {},
    };
  }
  if (method === 'private_key_jwt' || method === 'client_secret_jwt') {
    return {
      params: [
        ['client_id', clientId],
        ['client_assertion_type', JWT_BEARER_ASSERTION_TYPE],
        ['client_assertion', assertion ?? ''],
      ],
      headers: {},
    };
  }
  return { params: [['client_id', clientId]], headers: {} };
}

/**
 * The method to use when the user chose none: with a `privateKey`, `private_key_jwt`; with a secret,
 * `client_secret_basic` (RFC 6749 §2.3.1 makes it the one every server supports) unless the server's metadata
 * lists only `client_secret_post` or only `client_secret_jwt`; `none` for a public client. `undefined` when the
 * server lists none of the methods this client can use.
 * @param supported the server's `token_endpoint_auth_methods_supported`, when discovered.
 */
export function defaultAuthMethod(
  hasSecret: boolean,
  supported: readonly string[] | undefined,
  hasPrivateKey = false,
): ClientAuthMethod | undefined {
  if (hasPrivateKey) return supported === undefined || supported.includes('private_key_jwt') ? 'private_key_jwt' : undefined;
  if (!hasSecret) return 'none';
  if (supported === undefined || supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  if (supported.includes('client_secret_jwt')) return 'client_secret_jwt';
  return undefined;
}
