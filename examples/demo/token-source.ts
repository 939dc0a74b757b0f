import { clientCredentials, type TokenSource } from 'axios-oauth-lock';
import type { AuthServer } from '../../__tests__/support/auth-server';

/**
 * The built-in client-credentials grant (RFC 6749 §4.4), its token endpoint discovered from the issuer, wrapped
 * only to count its calls for the progress line.
 */
export function countedClientCredentials(auth: AuthServer, onFetch: () => void): TokenSource {
  const grant = clientCredentials({ issuer: auth.issuer, ...auth.clients.basic, scope: auth.scope });
  const counted: TokenSource = (context) => {
    onFetch();
    return grant(context);
  };
  if (grant.revoke) counted.revoke = grant.revoke;
  return counted;
}
