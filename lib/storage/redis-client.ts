import { redactStorageError } from '../core/redact-storage-error.js';

/*
 * The two Redis clients users bring, seen through the few commands the storage needs. Both are typed by shape
 * only: the package has no runtime dependency on either, and the user's own client (its connection, retries,
 * TLS, auth) is used as is.
 *
 * Commands go through each client's raw-command entry point (ioredis `call`, node-redis `sendCommand`) rather
 * than `set()`/`eval()`, whose option shapes differ between the libraries and between their major versions.
 */

/** The part of an ioredis (v5+) client the storage uses. */
export interface IoRedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  /** Present on every ioredis client; used to open the pub/sub connection. */
  duplicate?(): IoRedisSubscriberLike;
}

/** An ioredis connection in subscriber mode. */
export interface IoRedisSubscriberLike {
  subscribe(channel: string): Promise<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the clients' own listener type; anything narrower rejects them
  on(event: string, listener: (...args: any[]) => void): unknown;
  disconnect(): void;
}

/** The part of a node-redis (`redis` v4+) client the storage uses. */
export interface NodeRedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
  /** Present on every node-redis client; used to open the pub/sub connection. */
  duplicate?(): NodeRedisSubscriberLike;
}

/** A node-redis connection in subscriber mode (v4 has `disconnect`, v5+ `destroy`). */
export interface NodeRedisSubscriberLike {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the clients' own listener type; anything narrower rejects them
  on(event: string, listener: (...args: any[]) => void): unknown;
  destroy?(): void;
  disconnect?(): unknown;
}

/** An ioredis or node-redis client, connected (or connecting) by you. */
export type RedisClientLike = IoRedisClientLike | NodeRedisClientLike;

/** A subscription to one channel on its own connection. `close()` works at once, even before it is `ready`. */
export interface RedisSubscription {
  ready: Promise<void>;
  close(): void;
}

/** What the storage needs from a client, whichever library it comes from. */
export interface RedisCommands {
  /**
   * Runs one command; rejects when Redis has not answered within `timeoutMs`. Shortly after a timeout, commands
   * fail without being sent, unless `always` (a release that must follow a timed-out lock attempt).
   */
  run(args: string[], timeoutMs: number, always?: boolean): Promise<unknown>;
  /** Subscribes to `channel` on a duplicate connection; absent when the client cannot `duplicate()`. */
  subscribe?: (channel: string, onMessage: (message: string) => void) => RedisSubscription;
}

/** True when `value` looks like either client. */
export function isRedisClient(value: unknown): value is RedisClientLike {
  if (value === null || typeof value !== 'object') return false;
  const client = value as Record<string, unknown>;
  return typeof client.call === 'function' || typeof client.sendCommand === 'function';
}

/** Adapts either client. ioredis is recognised by `call()`: it has a `sendCommand()` too, with another signature. */
export function redisCommands(client: RedisClientLike): RedisCommands {
  const io = typeof (client as IoRedisClientLike).call === 'function' ? (client as IoRedisClientLike) : undefined;
  const send = io
    ? ([command, ...args]: string[]) => io.call(command!, ...args)
    : (args: string[]) => (client as NodeRedisClientLike).sendCommand(args);
  const commands: RedisCommands = { run: failFastWhileDown(send) };
  if (typeof client.duplicate !== 'function') return commands;
  commands.subscribe = io
    ? (channel, onMessage) => subscribeIoRedis(io, channel, onMessage)
    : (channel, onMessage) => subscribeNodeRedis(client as NodeRedisClientLike, channel, onMessage);
  return commands;
}

function subscribeIoRedis(client: IoRedisClientLike, channel: string, onMessage: (message: string) => void): RedisSubscription {
  const connection = client.duplicate!();
  // Without a listener ioredis prints connection errors itself; the storage reports through rejections instead.
  connection.on('error', ignore);
  connection.on('message', (from: string, message: string) => {
    if (from === channel) onMessage(message);
  });
  return settle(connection.subscribe(channel), () => connection.disconnect());
}

function subscribeNodeRedis(client: NodeRedisClientLike, channel: string, onMessage: (message: string) => void): RedisSubscription {
  const connection = client.duplicate!();
  // node-redis throws an 'error' event nobody listens to, which would crash the process on a dropped connection.
  connection.on('error', ignore);
  const subscribed = connection.connect().then(() => connection.subscribe(channel, (message) => onMessage(message)));
  return settle(subscribed, () => {
    if (typeof connection.destroy === 'function') connection.destroy();
    else Promise.resolve(connection.disconnect?.()).catch(ignore);
  });
}

/** A connection that failed to subscribe is closed, so that it stops reconnecting in the background. */
function settle(subscribed: Promise<unknown>, close: () => void): RedisSubscription {
  const ready = subscribed.then(() => undefined);
  ready.catch(close);
  return { ready, close };
}

/**
 * After a command times out, the next ones fail at once for one timeout's length instead of each waiting out its
 * own: a refresh during an outage makes three calls (lock, read, write) and should be delayed by one timeout, not
 * three. Any answer from Redis closes the window early.
 */
function failFastWhileDown(send: (args: string[]) => Promise<unknown>): RedisCommands['run'] {
  let downUntil = 0;
  return async (args, timeoutMs, always = false) => {
    if (!always && Date.now() < downUntil) throw new Error(`redisStorage: Redis did not answer recently; ${args[0]} not sent`);
    try {
      const reply = await withTimeout(send(args), args[0]!, timeoutMs);
      downUntil = 0;
      return reply;
    } catch (error) {
      if (error instanceof RedisTimeoutError) downUntil = Date.now() + timeoutMs;
      // ioredis puts the arguments (a SET's token JSON) on its errors; every hook and caller downstream sees this one.
      redactStorageError(error, valuesOf(args));
      throw error;
    }
  };
}

/**
 * The arguments worth scrubbing from a message: the key, the token JSON, a lock owner, a script. Command words
 * (`PX`, `NX`) and numbers are no secret, and scrubbing them would garble messages such as `user_script:1:`.
 */
function valuesOf(args: string[]): string[] {
  return args.slice(1).filter((arg) => arg.length >= 8 && !/^\d+$/.test(arg));
}

class RedisTimeoutError extends Error {
  override name = 'RedisTimeoutError';
}

/**
 * Both clients queue commands while disconnected (node-redis for as long as it keeps reconnecting), so a Redis
 * outage would otherwise look like a hang. A rejection lets the token manager fall back to a local refresh.
 */
function withTimeout<T>(promise: Promise<T>, command: string, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisTimeoutError(`redisStorage: Redis did not answer ${command} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    (timer as { unref?: () => void }).unref?.();
  });
  // The command may still fail after the timeout won; keep that late rejection observed.
  promise.catch(ignore);
  return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
}

function ignore(): void {}
