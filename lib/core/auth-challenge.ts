/**
 * One challenge of a `WWW-Authenticate` response header, as parsed: what the server says about the credential it
 * wants. Scheme and parameter names are lower-cased (they are case-insensitive, RFC 9110 §11.1, §11.2); values are
 * kept as sent, with quoted-string escapes removed.
 * @see RFC 9110 §11.3, §11.6.1
 */
export interface AuthChallenge {
  /** The auth-scheme, lower-cased: `bearer`, `dpop`, `basic`, ... */
  scheme: string;
  /** The auth-params by lower-cased name (the first one wins when a name repeats). A null-prototype object. */
  params: Record<string, string>;
  /** The token68 form (e.g. `Negotiate <blob>`), when the challenge has one instead of parameters. */
  token68?: string;
}
