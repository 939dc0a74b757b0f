import type { Counter, Histogram, Meter } from '@opentelemetry/api';

/** The metrics of {@link instrumentOAuthLock}; names and units follow the OpenTelemetry conventions. */
export interface Instruments {
  refreshDuration: Histogram;
  refreshes: Counter;
  waiters: Histogram;
  replays: Counter;
  challenges: Counter;
  tokenRequests: Counter;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    refreshDuration: meter.createHistogram('oauth.token.refresh.duration', {
      description: 'Duration of token refreshes (token source call or adoption from storage)',
      unit: 's',
    }),
    refreshes: meter.createCounter('oauth.token.refreshes', { description: 'Token refreshes, by reason and outcome', unit: '{refresh}' }),
    waiters: meter.createHistogram('oauth.token.refresh.waiters', {
      description: 'Callers that awaited one refresh',
      unit: '{request}',
      advice: { explicitBucketBoundaries: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
    }),
    replays: meter.createCounter('oauth.token.replays', {
      description: 'Requests replayed after a 401 or 403, by cause',
      unit: '{request}',
    }),
    challenges: meter.createCounter('oauth.token.challenges', {
      description: 'WWW-Authenticate challenges decided (step-up, claims, rejections), by decision and reason',
      unit: '{response}',
    }),
    tokenRequests: meter.createCounter('oauth.token.requests', {
      description: 'HTTP attempts at the token endpoint, by grant type and status',
      unit: '{request}',
    }),
  };
}
