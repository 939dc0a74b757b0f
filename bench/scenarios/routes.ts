import axios, { type AxiosInstance } from 'axios';
import type { BenchConfig } from '../config.js';
import { median, quantile } from '../harness/stats.js';
import { attachOAuth, type OAuthHandle } from '../../lib/index.js';
import { createSim } from '../sim/index.js';
import { interleavedBlocks, pct } from './hot-path.js';
import type { Scenario } from './types.js';

/** One instance and how its handles are laid out; the request always goes to the API's origin. */
interface Layout {
  id: string;
  name: string;
  /** The other handles' rules, beside the one that owns the requests. */
  others: (apiOrigin: string) => string[];
}

const OTHER_ORIGINS = (n: number) => Array.from({ length: n }, (_, i) => `https://api-${i}.example.com`);
const LAYOUTS: Layout[] = [
  { id: 'one', name: '1 handle', others: () => [] },
  { id: 'ten', name: '10 handles (other origins)', others: () => OTHER_ORIGINS(9) },
  // A path rule makes the joined URL, not the origin alone, the key of the owner cache.
  { id: 'ten-paths', name: '10 handles (one a path rule on the same origin)', others: (api) => [...OTHER_ORIGINS(8), `${api}/admin`] },
];

export interface RoutesRow {
  layout: string;
  medianUs: number;
  /** Throughput relative to one handle: its median µs/request ÷ this layout's. */
  ratio: number;
  ratioIqr: [number, number];
}

/**
 * Issue 10: the per-request cost must not grow with the number of handles on an instance. Same simulated API and
 * fresh token as the hot path (in memory), one instance per layout, timed in interleaved blocks.
 */
export const routesScenario: Scenario = {
  id: 'routes',
  async run(config: BenchConfig) {
    const { warmupBlocks, blocks, blockRequests } = config.hotPath;
    const sim = await createSim('memory', { ttlSeconds: 3600, tokenLatencyMs: 1 });
    const handles: OAuthHandle[] = [];
    const never = async (): Promise<never> => {
      throw new Error('routes bench: only the owning handle may fetch a token');
    };
    const running: [string, AxiosInstance][] = LAYOUTS.map((layout) => {
      const api = axios.create(sim.axiosDefaults);
      const origin = new URL(api.defaults.baseURL!).origin;
      handles.push(attachOAuth(api, { origins: origin, fetchToken: never, initialToken: sim.server.authority.issue() }));
      for (const rule of layout.others(origin))
        handles.push(attachOAuth(api, { origins: rule, fetchToken: never, allowInsecureHttp: true }));
      return [layout.id, api];
    });
    let usPerRequest: Map<string, number[]>;
    try {
      usPerRequest = await interleavedBlocks(running, { warmupBlocks, blocks, blockRequests });
    } finally {
      for (const handle of handles) handle.detach();
      await sim.close();
    }
    if (sim.server.counters.api401 > 0) throw new Error('routes: a request saw a 401, so this was not the hot path');
    const floor = usPerRequest.get('one')!;
    const rows = LAYOUTS.map((layout): RoutesRow => {
      const us = usPerRequest.get(layout.id)!;
      const perBlock = us.map((u, i) => floor[i]! / u);
      return {
        layout: layout.name,
        medianUs: median(us),
        ratio: median(floor) / median(us),
        ratioIqr: [quantile(perBlock, 0.25), quantile(perBlock, 0.75)],
      };
    });
    return {
      id: 'routes',
      tables: [
        {
          title: 'Routes: handles on one instance (fresh token, in-memory adapter, sequential requests)',
          columns: ['Layout', 'CPU µs/request (median)', 'vs 1 handle', 'per-block ratio, middle 50%'],
          rows: rows.map((r) => [r.layout, Number(r.medianUs.toFixed(2)), pct(r.ratio), `${pct(r.ratioIqr[0])}–${pct(r.ratioIqr[1])}`]),
          note: 'Every request goes to the origin of the first handle; the other handles own other origins (or a path of the same origin) and are never used. One interceptor pair per instance dispatches to the owning handle.',
        },
      ],
      raw: { plan: config.hotPath, rows },
    };
  },
};
