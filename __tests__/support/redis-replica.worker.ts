/*
 * One replica, in its own Node process (`node --import tsx redis-replica.worker.ts`): an axios instance with
 * attachOAuth and, unless `storage` is 'memory', redisStorage on its own client. It sends requests in
 * `concurrency` loops from 'start' until 'stop', then reports what happened and exits. Driven by redis-replicas.ts.
 */
import axios from 'axios';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { attachOAuth } from '../../lib/index';
import type { TokenSourceContext } from '../../lib/core/options';
import type { TokenResponseJson } from '../../lib/core/token';
import { redisStorage, type RedisTokenStorage } from '../../lib/storage/index';
import type { ReplicaConfig, ReplicaReport } from './redis-replicas';

const config = JSON.parse(process.env.REPLICA_CONFIG ?? '{}') as ReplicaConfig;
const send = (message: unknown): void => void process.send?.(message);
process.on('disconnect', () => process.exit(0)); // the parent died: never outlive it

async function connect(): Promise<{ storage?: RedisTokenStorage; quit(): void }> {
  if (config.storage === 'ioredis') {
    const client = new Redis(config.redisUrl, { lazyConnect: true });
    client.on('error', () => undefined); // Redis restarts under traffic in one test; the client reconnects
    await client.connect();
    return { storage: redisStorage({ client, key: config.key, ...config.storageOptions }), quit: () => client.disconnect() };
  }
  if (config.storage === 'redis') {
    const client = createClient({ url: config.redisUrl });
    client.on('error', () => undefined);
    await client.connect();
    return { storage: redisStorage({ client, key: config.key, ...config.storageOptions }), quit: () => client.destroy() };
  }
  return { quit: () => undefined };
}

async function fetchToken({ lastToken, signal }: TokenSourceContext): Promise<TokenResponseJson> {
  const grant: Record<string, string> = lastToken?.refreshToken
    ? { grant_type: 'refresh_token', refresh_token: lastToken.refreshToken }
    : { grant_type: 'client_credentials' };
  const headers = { 'x-worker': config.id, 'x-replacing': lastToken?.accessToken ?? '' };
  const response = await axios.post<TokenResponseJson>(config.tokenUrl, new URLSearchParams(grant), { headers, signal });
  return response.data;
}

async function main(): Promise<void> {
  const { storage, quit } = await connect();
  const api = axios.create({ baseURL: config.apiUrl });
  const report: ReplicaReport = { id: config.id, ok: 0, failed: 0, errors: [], backgroundErrors: 0, latenciesMs: [] };
  const handle = attachOAuth(api, { fetchToken, storage, onBackgroundError: () => report.backgroundErrors++ });
  let running = false;
  const loop = async (): Promise<void> => {
    while (running) {
      const started = performance.now();
      try {
        await api.get('/data');
        report.ok++;
        report.latenciesMs.push(performance.now() - started);
      } catch (error) {
        report.failed++;
        if (report.errors.length < 5) report.errors.push(String((error as Error).message));
      }
      await new Promise((resolve) => setTimeout(resolve, config.thinkMs));
    }
  };
  let loops: Promise<void>[] = [];
  const onMessage = async (message: { type: string }): Promise<void> => {
    if (message.type === 'start') {
      running = true;
      loops = Array.from({ length: config.concurrency }, loop);
    } else if (message.type === 'stop') {
      running = false;
      await Promise.all(loops);
      handle.detach();
      await storage?.close();
      quit();
      send({ type: 'report', report });
      process.disconnect();
    }
  };
  process.on('message', (message: { type: string }) => {
    onMessage(message).catch((error: unknown) => {
      send({ type: 'fatal', error: String((error as Error)?.stack ?? error) });
      process.exit(1);
    });
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'fatal', error: String((error as Error)?.stack ?? error) });
  process.exit(1);
});
