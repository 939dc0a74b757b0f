import { AsyncLocalStorage } from 'node:async_hooks';
import dc from 'node:diagnostics_channel';
import { attachOAuth, clientCredentials, TokenManager } from '../../lib/index.js';
import { createFakeApi } from '../support/fake-api.js';
import { recordEvents } from '../support/events.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';
import { CLIENT, mockAuthServer, TOKEN_URL, tokenBody } from '../grants/helpers.js';

const ACCESS = 'access-token-from-the-server';
const REFRESH = 'refresh-token-from-the-server';
const SECRETS = [ACCESS, REFRESH, CLIENT.clientSecret];

type Phase = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';
const PHASES: Phase[] = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];

/** Subscribes to every phase of a tracing channel; each record is a snapshot (the context object grows). */
function traceRecorder(name: string) {
  const channel = dc.tracingChannel<unknown, Record<string, unknown>>(name);
  const records: { phase: Phase; context: Record<string, unknown>; raw: Record<string, unknown> }[] = [];
  const handlers = Object.fromEntries(
    PHASES.map((phase) => [phase, (context: Record<string, unknown>) => records.push({ phase, context: { ...context }, raw: context })]),
  ) as unknown as dc.TracingChannelSubscribers<Record<string, unknown>>;
  channel.subscribe(handlers);
  return { records, stop: () => channel.unsubscribe(handlers) };
}

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

describe('diagnostics_channel', () => {
  it('traces a refresh on "axios-oauth-lock:refresh": start, then asyncEnd with the refresh:end event as result, never the token', async () => {
    const trace = traceRecorder('axios-oauth-lock:refresh');
    stops.push(trace.stop);
    const manager = new TokenManager({ fetchToken: async () => ({ accessToken: ACCESS, refreshToken: REFRESH, expiresIn: 60 }) });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: ACCESS });

    expect(trace.records.map((r) => r.phase)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(trace.records[0]!.context).toEqual({ type: 'refresh:start', reason: 'initial', generation: 0 });
    const end = { type: 'refresh:end', reason: 'initial', outcome: 'fetched', durationMs: expect.any(Number), waiters: 1 };
    expect(trace.records[3]!.context).toEqual({ ...end, generation: 0, result: end });
    expectNoSecrets(trace.records, SECRETS);
  });

  it('traces a failed refresh with the redacted TokenRefreshError as error', async () => {
    const trace = traceRecorder('axios-oauth-lock:refresh');
    stops.push(trace.stop);
    const manager = new TokenManager({
      fetchToken: async ({ lastToken }) => {
        throw new Error(`the server refused ${lastToken?.refreshToken}`);
      },
      initialToken: { refreshToken: REFRESH },
    });
    const error = await manager.getToken().catch((e: unknown) => e);

    expect(trace.records.map((r) => r.phase)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(trace.records[4]!.raw.error).toBe(error); // what the waiters got
    expect(trace.records[4]!.context).toMatchObject({
      outcome: 'failed',
      error: expect.objectContaining({ code: 'ERR_TOKEN_REFRESH_FAILED' }),
    });
    expectNoSecrets(trace.records, SECRETS);
  });

  it('traces each token endpoint attempt on "axios-oauth-lock:token-request", inside the refresh trace', async () => {
    const refresh = dc.tracingChannel('axios-oauth-lock:refresh');
    const store = new AsyncLocalStorage<string>();
    refresh.start.bindStore(store, () => 'inside the refresh');
    stops.push(() => refresh.start.unbindStore(store));
    const trace = traceRecorder('axios-oauth-lock:token-request');
    stops.push(trace.stop);
    const seenStores: (string | undefined)[] = [];
    const onStart = (): number => seenStores.push(store.getStore());
    dc.subscribe('tracing:axios-oauth-lock:token-request:start', onStart);
    stops.push(() => dc.unsubscribe('tracing:axios-oauth-lock:token-request:start', onStart));
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).replyOnce(200, tokenBody({ access_token: ACCESS, refresh_token: REFRESH }));
    const manager = new TokenManager({ fetchToken: clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http }) });

    await manager.getToken();

    expect(seenStores).toEqual(['inside the refresh']);
    expect(trace.records.map((r) => r.phase)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(trace.records[0]!.context).toEqual({
      type: 'token-request',
      grantType: 'client_credentials',
      origin: 'https://auth.example.com',
      attempt: 1,
      durationMs: 0,
    });
    expect(trace.records[3]!.context).toMatchObject({
      status: 200,
      result: expect.objectContaining({ type: 'token-request', status: 200 }),
    });
    expectNoSecrets(trace.records, SECRETS);
  });

  it('publishes replay and background-error events on plain channels, the same payloads onEvent gets', async () => {
    const published: Record<string, unknown[]> = { replay: [], 'background-error': [] };
    for (const name of Object.keys(published)) {
      const onMessage = (message: unknown): number => published[name]!.push(message);
      dc.subscribe(`axios-oauth-lock:${name}`, onMessage);
      stops.push(() => dc.unsubscribe(`axios-oauth-lock:${name}`, onMessage));
    }
    const { api, valid } = createFakeApi();
    let n = 0;
    const fetchToken = async () => {
      const accessToken = `${ACCESS}-${++n}`;
      valid.add(accessToken);
      return { accessToken };
    };
    const { ofType, onEvent } = recordEvents();
    attachOAuth(api, {
      fetchToken,
      onEvent,
      onTokenUpdate: () => {
        throw new Error('hook failed');
      },
    });
    await api.get('/warm');
    valid.clear();
    await Promise.all([api.get('/a'), api.get('/b')]);

    expect(published.replay).toEqual(ofType('replay'));
    expect(published.replay).toHaveLength(2);
    expect(published['background-error']).toEqual(ofType('background-error'));
    expect(published['background-error']).toEqual([
      { type: 'background-error', error: { name: 'Error' } },
      { type: 'background-error', error: { name: 'Error' } },
    ]);
  });

  it('publishes nothing, and traces nothing, while nobody subscribed', async () => {
    const channel = dc.channel('axios-oauth-lock:replay');
    const publish = jest.spyOn(channel, 'publish');
    const tracingPrototype = Object.getPrototypeOf(dc.tracingChannel('axios-oauth-lock:refresh')) as { tracePromise: () => unknown };
    const tracePromise = jest.spyOn(tracingPrototype, 'tracePromise');
    try {
      const { api, valid } = createFakeApi();
      let n = 0;
      attachOAuth(api, { fetchToken: async () => (valid.add(`${ACCESS}-${++n}`), `${ACCESS}-${n}`) });
      await api.get('/warm');
      valid.clear();
      await api.get('/a'); // a refresh and a replay
      expect(publish).not.toHaveBeenCalled();
      expect(tracePromise).not.toHaveBeenCalled();

      const onMessage = (): undefined => undefined;
      dc.subscribe('axios-oauth-lock:replay', onMessage);
      const trace = traceRecorder('axios-oauth-lock:refresh');
      try {
        valid.clear();
        await api.get('/b');
      } finally {
        dc.unsubscribe('axios-oauth-lock:replay', onMessage);
        trace.stop();
      }
      expect(publish).toHaveBeenCalledTimes(1);
      expect(tracePromise).toHaveBeenCalledTimes(1);
    } finally {
      publish.mockRestore();
      tracePromise.mockRestore();
    }
  });
});
