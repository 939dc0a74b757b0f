import type { TokenSource } from '../core/options.js';
import type { TokenEndpointOptions } from './grant-options.js';
import { createTokenEndpointClient } from './token-endpoint-client.js';
import { grantTokenSource } from './token-source.js';
import { requireString } from '../core/validate.js';
import { usesSecret, validateEndpointOptions } from './validate-options.js';

/** Options of {@link clientCredentials}. `clientSecret` is required unless the client authenticates without it (`'none'`, `'private_key_jwt'`). */
export type ClientCredentialsOptions = TokenEndpointOptions;

/**
 * The client credentials grant: a confidential client gets a token for itself, and renews it by running the grant
 * again. A refresh token the server sends anyway is dropped (RFC 6749 §4.4.3 says it should not send one), so a
 * renewal never depends on it.
 *
 * Returns a token source for `attachOAuth({ fetchToken })`. Options are checked now: a wrong one throws a
 * `TypeError`/`RangeError` naming it.
 * @example
 * const api = axios.create({ baseURL: 'https://api.example.com' });
 * attachOAuth(api, {
 *   fetchToken: clientCredentials({
 *     issuer: 'https://auth.example.com', // or tokenUrl: 'https://auth.example.com/oauth/token'
 *     clientId: process.env.CLIENT_ID!,
 *     clientSecret: process.env.CLIENT_SECRET!,
 *     scope: ['orders:read'],
 *   }),
 * });
 * @see RFC 6749 §4.4, RFC 8707 (resource), RFC 7009 (revoke)
 */
export function clientCredentials(options: ClientCredentialsOptions): TokenSource {
  const resolved = validateEndpointOptions(options, 'clientCredentials');
  if (usesSecret(resolved)) requireString(options.clientSecret, 'options.clientSecret');
  const client = createTokenEndpointClient(resolved);
  return grantTokenSource(async ({ signal, scope, claims, dpop }) => {
    const fields = await client.requestToken([['grant_type', 'client_credentials']], signal, [], { scope, claims, dpop });
    delete fields.refreshToken;
    return fields;
  }, client);
}
