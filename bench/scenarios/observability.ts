import axios, { type AxiosInstance } from 'axios';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryMetricExporter, AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { BenchConfig } from '../config.js';
import { median } from '../harness/stats.js';
import { attachOAuth } from '../../lib/index.js';
import { instrumentOAuthLock } from '../../lib/otel/index.js';
import { createSim, type SimEnv } from '../sim/index.js';
import { interleavedBlocks, pct } from './hot-path.js';
import type { Scenario } from './types.js';

export interface ObservabilityRun {
  /** ours ÷ bare axios throughput, without any subscriber. */
  plain: number;
  /** The same with `onEvent` set on our handle. */
  withListener: number;
  /** The same with the OpenTelemetry bridge subscribed to every channel (the SDK's tracer and meter). */
  withOtel: number;
}

/** Bare axios and ours in interleaved blocks; returns ours' throughput relative to bare axios (median µs ratio). */
async function ratio(sim: SimEnv, config: BenchConfig['hotPath'], onEvent?: () => void): Promise<number> {
  const bare = axios.create({ ...sim.axiosDefaults, headers: { Authorization: `Bearer ${sim.server.authority.issue().access_token}` } });
  const ours = axios.create(sim.axiosDefaults);
  const fail = async (): Promise<never> => {
    throw new Error('observability bench: the token is fresh');
  };
  const handle = attachOAuth(ours, { fetchToken: fail, initialToken: sim.server.authority.issue(), ...(onEvent ? { onEvent } : {}) });
  try {
    const running: [string, AxiosInstance][] = [
      ['bare', bare],
      ['ours', ours],
    ];
    const us = await interleavedBlocks(running, config);
    return median(us.get('bare')!) / median(us.get('ours')!);
  } finally {
    handle.detach();
  }
}

/**
 * Issue 13: events on the hot path must cost nothing. A fresh token makes no event, so ours ÷ bare axios should be the
 * same with no subscriber, with an `onEvent` listener, and with the OpenTelemetry bridge subscribed (the channels are
 * process-wide, so that run comes last, after the bridge was installed).
 */
export const observabilityScenario: Scenario = {
  id: 'observability',
  async run(config: BenchConfig) {
    const sim = await createSim('memory', { ttlSeconds: 3600, tokenLatencyMs: 1 });
    let run: ObservabilityRun;
    try {
      const plain = await ratio(sim, config.hotPath);
      const withListener = await ratio(sim, config.hotPath, () => undefined);
      const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
      const reader = new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 60_000,
      });
      const meterProvider = new MeterProvider({ readers: [reader] });
      const uninstrument = instrumentOAuthLock({ tracerProvider, meterProvider });
      try {
        run = { plain, withListener, withOtel: await ratio(sim, config.hotPath) };
      } finally {
        uninstrument();
        await meterProvider.shutdown();
      }
    } finally {
      await sim.close();
    }
    if (sim.server.counters.api401 > 0) throw new Error('observability: a request saw a 401, so this was not the hot path');
    return {
      id: 'observability',
      tables: [
        {
          title: 'Observability on the hot path (fresh token, in-memory adapter, sequential requests)',
          columns: ['axios-oauth-lock', 'vs bare axios'],
          rows: [
            ['no subscriber', pct(run.plain)],
            ['with an onEvent listener', pct(run.withListener)],
            ['with the OpenTelemetry bridge subscribed', pct(run.withOtel)],
          ],
          note: 'Each row is its own run of interleaved blocks against bare axios. A request with a fresh token makes no event; these rows should differ only by noise.',
        },
      ],
      raw: run,
    };
  },
};
