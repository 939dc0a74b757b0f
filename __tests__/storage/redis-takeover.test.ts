import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { eventually, uniqueKey } from '../support/redis-clients';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';
import type { TakeoverConfig, TakeoverMessage } from '../support/redis-takeover.worker';

/*
 * Issue 9, item 11: a lock holder SIGKILLed mid-refresh used to stall every other process for the whole default
 * lockTtlMs (10 s). Two real processes, with default settings: the holder's token source never answers, the waiter
 * waits for the lock; the time from the kill until the waiter's token source is called is the takeover time.
 */
const OLD_DEFAULT_LOCK_TTL_MS = 10_000;
const WORKER = join(__dirname, '../support/redis-takeover.worker.ts');
const ROOT = resolve(__dirname, '../..');
const children = new Set<ChildProcess>();

interface Worker {
  child: ChildProcess;
  /** Resolves with the first message of `type`. */
  next<T extends TakeoverMessage['type']>(type: T): Promise<Extract<TakeoverMessage, { type: T }>>;
}

async function startWorker(config: TakeoverConfig): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT,
    env: { ...process.env, TAKEOVER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const messages: TakeoverMessage[] = [];
  const waiting = new Set<() => void>();
  child.on('message', (message: TakeoverMessage) => {
    messages.push(message);
    waiting.forEach((wake) => wake());
  });
  const next = <T extends TakeoverMessage['type']>(type: T): Promise<Extract<TakeoverMessage, { type: T }>> =>
    new Promise((done, fail) => {
      const check = (): void => {
        const found = messages.find((m) => m.type === type);
        if (found === undefined) return;
        waiting.delete(check);
        done(found as Extract<TakeoverMessage, { type: T }>);
      };
      waiting.add(check);
      child.once('exit', (code, signal) => fail(new Error(`${config.role} exited (${code ?? signal}) before "${type}"`)));
      check();
    });
  await next('ready');
  return { child, next };
}

describeWithRedis('redisStorage: another process takes over the lock of a holder killed mid-refresh', (binary) => {
  let server: RedisServer;
  let probe: Redis;
  beforeAll(async () => {
    server = await startRedisServer(binary());
    probe = new Redis(server.url);
  });
  const setCalls = async (): Promise<number> => Number(/cmdstat_set:calls=(\d+)/.exec(await probe.info('commandstats'))?.[1] ?? 0);
  afterEach(() => children.forEach((child) => child.kill('SIGKILL')));
  afterAll(async () => {
    probe?.disconnect();
    await server?.stop();
  });

  it.each([
    ['ioredis', 'redis'],
    ['redis', 'ioredis'],
  ] as const)(
    'regression: a holder (%s) killed mid-refresh stalled the waiter (%s) for the old 10 s lockTtlMs',
    async (holderClient, waiterClient) => {
      const key = uniqueKey('takeover');
      const lockKey = `${key}:lock`;
      const holder = await startWorker({ role: 'holder', client: holderClient, redisUrl: server.url, key });
      const waiter = await startWorker({ role: 'waiter', client: waiterClient, redisUrl: server.url, key });

      const askedAt = Date.now();
      holder.child.send({ type: 'get' });
      await holder.next('source-called'); // the holder refreshes under the lock, and its token source never answers
      const setsBefore = await setCalls();
      waiter.child.send({ type: 'get' });
      // Only the waiter sends SET now (the holder extends with EVAL): two refused SETs NX mean it is waiting.
      await eventually(async () => (await setCalls()) >= setsBefore + 2, 'the waiter to wait for the lock');

      const killedAt = Date.now();
      const exited = new Promise((done) => holder.child.once('exit', done));
      holder.child.kill('SIGKILL');
      await exited;
      const probedAt = Date.now();
      const leaseLeftMs = await probe.pttl(lockKey); // the dead holder's lease: nobody extends it any more
      const calledAt = (await waiter.next('source-called')).at;
      await expect(waiter.next('token')).resolves.toEqual({ type: 'token', accessToken: 'from-waiter' });

      const takeoverMs = calledAt - killedAt;
      if (process.env.REPORT_TAKEOVER) process.stderr.write(`takeover ${holderClient}->${waiterClient}: ${takeoverMs} ms\n`);
      // Safety: the waiter refreshed only once the dead holder's lease had expired (never two refreshes at once).
      expect(leaseLeftMs).toBeGreaterThan(0);
      expect(calledAt).toBeGreaterThanOrEqual(probedAt + leaseLeftMs - 1);
      // Liveness: with the old default, the holder's lock (set at `askedAt` or later, extended every third of its
      // 10 s life while it lived) would still have existed when the waiter was called.
      const oldLockGoneAt = Math.max(askedAt + OLD_DEFAULT_LOCK_TTL_MS, killedAt + (OLD_DEFAULT_LOCK_TTL_MS * 2) / 3);
      expect({ takeoverMs, beforeOldLockExpired: calledAt < oldLockGoneAt }).toEqual({ takeoverMs, beforeOldLockExpired: true });
    },
    40_000,
  );
});
