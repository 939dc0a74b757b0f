import type { Token } from '../core/token.js';
import type { TabMessage } from './tab-channel.js';

/*
 * With `storeRefreshToken: false` the refresh token never reaches IndexedDB, yet a tab that adopts a token another tab
 * refreshed must redeem that token's refresh token next time: keeping its own, already rotated one would get the
 * family revoked. So tabs keep the pairs in memory and hand them over the BroadcastChannel: with the `set` message,
 * and on request (`ask`/`share`) when the `set` message has not arrived yet or the tab opened after it was sent.
 */

/** The current pair and a few older ones a slow tab may still ask about; bounds memory, nothing more. */
const REMEMBERED = 4;

export interface RefreshTokenRelay {
  /** Keeps the refresh token of `accessToken` in memory (and wakes a `complete()` waiting for it). */
  remember(accessToken: string, refreshToken: string): void;
  /** Forgets every pair (the token was deleted). */
  forget(): void;
  /** Another tab asks for the refresh token of `accessToken`: share it when this tab has it. */
  answer(accessToken: string): void;
  /** `token` with its refresh token from memory or from another open tab, or as it is when no tab has it in time. */
  complete(token: Token): Promise<Token>;
}

export function createRefreshTokenRelay(post: (message: TabMessage) => void, waitMs: number): RefreshTokenRelay {
  const known = new Map<string, string>();
  const waiters = new Map<string, Set<(refreshToken: string) => void>>();

  const remember = (accessToken: string, refreshToken: string): void => {
    known.delete(accessToken);
    known.set(accessToken, refreshToken);
    if (known.size > REMEMBERED) known.delete(known.keys().next().value!);
    const waiting = waiters.get(accessToken);
    waiters.delete(accessToken);
    waiting?.forEach((wake) => wake(refreshToken));
  };

  const ask = (accessToken: string): Promise<string | undefined> =>
    new Promise((resolve) => {
      const waiting = waiters.get(accessToken) ?? new Set();
      waiters.set(accessToken, waiting);
      const wake = (refreshToken: string | undefined): void => {
        clearTimeout(timer);
        waiting.delete(wake);
        if (waiting.size === 0 && waiters.get(accessToken) === waiting) waiters.delete(accessToken);
        resolve(refreshToken);
      };
      // No open tab has it (all were closed): give up so the access token still serves until it expires.
      const timer = setTimeout(() => wake(undefined), waitMs);
      waiting.add(wake);
      post({ type: 'ask', accessToken });
    });

  return {
    remember,
    forget: () => known.clear(),
    answer: (accessToken) => {
      const refreshToken = known.get(accessToken);
      if (refreshToken !== undefined) post({ type: 'share', accessToken, refreshToken });
    },
    complete: async (token) => {
      if (token.refreshToken !== undefined) return token;
      const refreshToken = known.get(token.accessToken) ?? (waitMs > 0 ? await ask(token.accessToken) : undefined);
      return refreshToken === undefined ? token : { ...token, refreshToken };
    },
  };
}
