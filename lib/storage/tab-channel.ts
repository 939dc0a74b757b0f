import type { Token } from '../core/token.js';
import { isToken } from '../core/token-record.js';

/** What tabs sharing one storage tell each other over their BroadcastChannel. */
export type TabMessage =
  /** A tab stored a new token: the others install it without refreshing. */
  | { type: 'set'; token: Token }
  /** A tab deleted the token (logout, `invalid_grant`). */
  | { type: 'delete' }
  /** `storeRefreshToken: false`: a tab holds `accessToken` without its refresh token and asks who has it. */
  | { type: 'ask'; accessToken: string }
  /** The answer to `ask`: the pair, for the asker only to remember (not a new token). */
  | { type: 'share'; accessToken: string; refreshToken: string };

/** Versioned so that two releases of the app open in two tabs ignore what they cannot read. */
const VERSION = 1;

/** Posts to every other realm listening on the same channel name (never to this very channel object). */
export interface TabChannel {
  post: (message: TabMessage) => void;
}

/** Opens the channel on first use; messages another realm posts reach `onMessage` once validated. */
export function createTabChannel(
  Channel: typeof BroadcastChannel,
  name: string,
  onMessage: (message: TabMessage) => void,
): TabChannel & { open(): void } {
  let channel: BroadcastChannel | null = null;
  const open = (): BroadcastChannel => {
    if (channel !== null) return channel;
    channel = new Channel(name);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = readMessage(event.data);
      if (message !== null) onMessage(message);
    };
    return channel;
  };
  return {
    open: () => void open(),
    post: (message) => open().postMessage({ v: VERSION, ...message }),
  };
}

function readMessage(data: unknown): TabMessage | null {
  if (data === null || typeof data !== 'object') return null;
  const m = data as Record<string, unknown>;
  if (m.v !== VERSION) return null;
  if (m.type === 'set') return isToken(m.token) ? { type: 'set', token: m.token } : null;
  if (m.type === 'delete') return { type: 'delete' };
  if (m.type === 'ask') return typeof m.accessToken === 'string' ? { type: 'ask', accessToken: m.accessToken } : null;
  if (m.type === 'share' && typeof m.accessToken === 'string' && typeof m.refreshToken === 'string') {
    return { type: 'share', accessToken: m.accessToken, refreshToken: m.refreshToken };
  }
  return null;
}
