/**
 * Run with `node --expose-gc --import tsx`: drives many waves of mixed success, refresh failure, 401 replay and
 * abort through attachOAuth, then prints heap growth and whether an early request's config was collected.
 */
import axios, { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { attachOAuth } from '../../lib/index.js';

const exposedGc = (globalThis as { gc?: () => void }).gc;
if (exposedGc === undefined) throw new Error('run with --expose-gc');
const gc: () => void = exposedGc;

async function main(): Promise<void> {
  const valid = new Set<string>();
  let issued = 0;
  let firstConfig: WeakRef<object> | undefined;
  const api = axios.create({
    baseURL: 'https://api.example.com',
    adapter: async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
      firstConfig ??= new WeakRef(config); // the config the interceptors saw, not the caller's object
      const token = String(config.headers.Authorization).replace('Bearer ', '');
      if (valid.has(token)) return { data: 'ok', status: 200, statusText: 'OK', headers: {}, config };
      const response = { data: null, status: 401, statusText: 'Unauthorized', headers: {}, config };
      throw new AxiosError('Request failed with status code 401', 'ERR_BAD_REQUEST', config, null, response);
    },
  });
  attachOAuth(api, {
    fetchToken: async () => {
      issued++;
      if (issued % 3 === 0) throw new Error('token endpoint down'); // every third refresh fails
      valid.add(`t${issued}`);
      return `t${issued}`;
    },
  });

  const wave = async (): Promise<void> => {
    valid.clear(); // the server revokes: each wave is a 401 wave
    const requests = Array.from({ length: 20 }, (_, i) => {
      const controller = new AbortController();
      const request = api.get(`/r${i}`, { signal: controller.signal, headers: { 'X-Wave': String(i) } });
      if (i % 5 === 0) controller.abort();
      return request;
    });
    await Promise.allSettled(requests);
  };

  for (let i = 0; i < 100; i++) await wave();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1000; i++) await wave();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(JSON.stringify({ growthBytes: after - before, firstConfigCollected: firstConfig?.deref() === undefined, fetches: issued }));
}

void main();
