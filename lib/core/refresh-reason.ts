// Its own file so that both options.ts and events.ts can name it without an import cycle (issue 13).
/** Why the token source is being called. */
export type RefreshReason =
  /** No token yet (or only the refresh token given as `initialToken`). */
  | 'initial'
  /** The token is still valid but inside the refresh buffer (a background refresh). */
  | 'expiring'
  /** The token has expired. */
  | 'expired'
  /** The API answered 401 to a request sent with the current token. */
  | 'unauthorized'
  /** `refresh()` was called. */
  | 'manual'
  /** The API answered `insufficient_scope`: `context.scope` holds the scope to ask for (RFC 6750 §3.1). */
  | 'step-up';
