import { ErrorCode, TokenRefreshError } from './errors.js';
import type { TokenSource, TokenSourceContext } from './options.js';
import { isToken } from './token-record.js';
import type { TokenStorage } from './token-storage.js';
import { normalizeToken, type Token } from './token.js';

/** One refresh's worth of work, as the token manager hands it over. */
export interface ObtainRequest {
  source: TokenSource;
  context: TokenSourceContext;
  storage: TokenStorage | undefined;
  now: () => number;
  timeoutMs: number;
  /** Aborted on timeout; its signal is the one in `context`. */
  controller: AbortController;
  /** Where storage failures go: they never fail a refresh that the token source can serve. */
  report: (error: unknown) => void;
  /** Never adopt another realm's stored token: this call asks for a different one (a step-up's scope, claims). */
  fresh?: boolean;
}

/** The new token, and whether it was adopted from storage (another realm refreshed) rather than fetched. */
export interface Obtained {
  token: Token;
  adopted: boolean;
}

/**
 * Gets the next token within `timeoutMs`: from the token source, or, with a coordinating storage, under the
 * storage's lock after re-reading it, so that when another tab or process refreshed first its token is adopted and
 * the source is not called at all (a rotated refresh token is redeemed once, RFC 9700 §4.14.2).
 */
export function obtainToken(request: ObtainRequest): Promise<Obtained> {
  const work =
    request.storage === undefined
      ? fetchFresh(request, request.context.lastToken).then((token) => ({ token, adopted: false }))
      : coordinated(request, request.storage);
  return withTimeout(work, request);
}

async function fetchFresh(request: ObtainRequest, basis: Token | null): Promise<Token> {
  const startedAt = request.now();
  const input = await request.source({ ...request.context, lastToken: basis });
  const token = normalizeToken(input, startedAt);
  // RFC 6749 §6: a refresh may omit the refresh token, meaning "keep using the old one".
  if (token.refreshToken === undefined && basis?.refreshToken !== undefined) token.refreshToken = basis.refreshToken;
  return token;
}

async function coordinated(request: ObtainRequest, storage: TokenStorage): Promise<Obtained> {
  let outcome: Obtained | undefined;
  const underLock = async (): Promise<Obtained> => {
    const stored = await readStored(storage, request.report);
    const lastToken = request.context.lastToken;
    if (stored !== null && request.fresh !== true && isAdoptable(stored, lastToken, request.now()))
      return (outcome = { token: stored, adopted: true });
    const basis = refreshBasis(stored, lastToken);
    const token = await fetchFresh(request, basis);
    await writeStored(storage, token, request.report);
    return (outcome = { token, adopted: false });
  };
  if (storage.withLock === undefined) return underLock();
  let entered = false;
  try {
    return await storage.withLock(() => ((entered = true), underLock()), request.controller.signal);
  } catch (error) {
    if (outcome !== undefined) return (request.report(error), outcome); // the lock failed only to release
    if (entered || request.controller.signal.aborted) throw error;
    request.report(error); // the lock is unavailable (e.g. Redis down): a local refresh still serves requests
    return underLock();
  }
}

/**
 * The token whose refresh token the source should redeem. Under the lock the storage is the truth: it may hold a
 * refresh token another realm rotated. Our own refresh token fills in only for our own stored token (a storage that
 * keeps refresh tokens out); for another realm's token it was likely rotated away, and redeeming it again would
 * get the whole token family revoked (RFC 9700 §4.14.2).
 */
function refreshBasis(stored: Token | null, lastToken: Token | null): Token | null {
  if (stored === null) return lastToken;
  if (stored.refreshToken !== undefined || stored.accessToken !== lastToken?.accessToken) return stored;
  return { ...stored, refreshToken: lastToken.refreshToken };
}

/** A stored token is adopted when another realm put it there and it has not expired. */
function isAdoptable(stored: Token, lastToken: Token | null, now: number): boolean {
  return stored.accessToken !== lastToken?.accessToken && (stored.expiresAt === undefined || now < stored.expiresAt);
}

async function readStored(storage: TokenStorage, report: (error: unknown) => void): Promise<Token | null> {
  try {
    const stored: unknown = await storage.get();
    return isToken(stored) ? stored : null; // a custom storage may hand back anything
  } catch (error) {
    report(error);
    return null;
  }
}

/** Writes a token to storage; a failed write is reported, never thrown (the token is still good here). */
export async function writeStored(storage: TokenStorage, token: Token, report: (error: unknown) => void): Promise<void> {
  try {
    await storage.set(token);
  } catch (error) {
    report(error);
  }
}

async function withTimeout<T>(work: Promise<T>, request: ObtainRequest): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      request.controller.abort();
      reject(
        new TokenRefreshError(
          ErrorCode.REFRESH_TIMEOUT,
          `Failed to refresh token: the token source did not answer within ${request.timeoutMs} ms`,
        ),
      );
    }, request.timeoutMs);
    // Not unref()'d: requests await this refresh, and a token source whose pending work does not hold the event
    // loop (a never-settling promise) would otherwise let the process exit 0 under them (issue 9, DESIGN rule 3).
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
