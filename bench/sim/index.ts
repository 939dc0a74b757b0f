import { Agent } from 'node:http';
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { simAdapter } from './adapter.js';
import { listenLoopback } from './http.js';
import { SimServer, type SimServerOptions } from './server.js';

export type Transport = 'memory' | 'http';

/** Never a reachable service: if an adapter were not wired, a request would fail on loopback, not leave the host. */
const MEMORY_BASE_URL = 'http://127.0.0.1:9';

/** One simulated world: the server, how to reach it, and a separate axios instance for the token endpoint. */
export interface SimEnv {
  server: SimServer;
  transport: Transport;
  /** What every subject passes to `axios.create()` (baseURL plus adapter or agent). */
  axiosDefaults: CreateAxiosDefaults;
  /** Subjects call the token endpoint through this, never through the instance they intercept. */
  tokenClient: AxiosInstance;
  close(): Promise<void>;
}

export async function createSim(transport: Transport, options: SimServerOptions): Promise<SimEnv> {
  const server = new SimServer(options);
  if (transport === 'memory') {
    const axiosDefaults: CreateAxiosDefaults = { baseURL: MEMORY_BASE_URL, adapter: simAdapter(server) };
    return { server, transport, axiosDefaults, tokenClient: axios.create(axiosDefaults), close: async () => undefined };
  }
  const http = await listenLoopback(server);
  // A bounded pool, as a real client would have; 1,000 simultaneous connects would only measure the listen backlog.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const axiosDefaults: CreateAxiosDefaults = { baseURL: http.baseURL, httpAgent: agent, adapter: 'http' };
  const close = async (): Promise<void> => {
    agent.destroy();
    await http.close();
  };
  return { server, transport, axiosDefaults, tokenClient: axios.create(axiosDefaults), close };
}

export { TOKEN_PATH, sleep, type SimServerOptions } from './server.js';
export type { TokenJson } from './authority.js';
