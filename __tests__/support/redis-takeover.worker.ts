/*
 * One process of the lock takeover test (redis-takeover.test.ts): a TokenManager with redisStorage on its own
 * client. On 'get' it asks for a token; its token source tells the parent when it is called and then, as 'holder',
 * never answers (a refresh the process is SIGKILLed in the middle of) or, as 'waiter', answers at once.
 */
import Redis from 'ioredis';
import { createClient } from 'redis';
import { TokenManager } from '../../lib/core/token-manager';
import { redisStorage } from '../../lib/storage/redis-storage';
import type { RedisClientLike } from '../../lib/storage/redis-client';

export interface TakeoverConfig {
  role: 'holder' | 'waiter';
  client: 'ioredis' | 'redis';
  redisUrl: string;
  key: string;
}

export type TakeoverMessage = { type: 'ready' } | { type: 'source-called'; at: number } | { type: 'token'; accessToken: string };

const config = JSON.parse(process.env.TAKEOVER_CONFIG ?? '{}') as TakeoverConfig;
const send = (message: TakeoverMessage): void => void process.send?.(message);
process.on('disconnect', () => process.exit(0)); // the parent died: never outlive it

async function connect(): Promise<RedisClientLike> {
  if (config.client === 'ioredis') {
    const client = new Redis(config.redisUrl, { lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }
  const client = createClient({ url: config.redisUrl });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function main(): Promise<void> {
  const storage = redisStorage({ client: await connect(), key: config.key });
  const manager = new TokenManager({
    storage,
    fetchToken: async () => {
      send({ type: 'source-called', at: Date.now() });
      if (config.role === 'holder') await new Promise<never>(() => undefined);
      return { accessToken: `from-${config.role}`, expiresIn: 3600 };
    },
  });
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'get') return;
    manager.getToken().then(
      (token) => send({ type: 'token', accessToken: token.accessToken }),
      () => undefined,
    );
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.stderr.write(String((error as Error)?.stack ?? error));
  process.exit(1);
});
