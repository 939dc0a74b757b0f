import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DataPointType, MeterProvider, MetricReader, type HistogramMetricData, type MetricData } from '@opentelemetry/sdk-metrics';
import { attachOAuth, clientCredentials, TokenManager } from '../../lib/index.js';
import { instrumentOAuthLock } from '../../lib/otel/index.js';
import { createFakeApi } from '../support/fake-api.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';
import { CLIENT, mockAuthServer, TOKEN_URL, tokenBody } from '../grants/helpers.js';

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const ACCESS = 'access-token-otel-first';
const ACCESS_2 = 'access-token-otel-second';
const SECRETS = [ACCESS, ACCESS_2, CLIENT.clientSecret];

function setup() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const stop = instrumentOAuthLock({ tracerProvider, meterProvider });
  const metrics = async (): Promise<Map<string, MetricData>> => {
    const { resourceMetrics } = await reader.collect();
    return new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
  };
  return { exporter, stop, metrics };
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('instrumentOAuthLock', () => {
  it('records one oauth.token.refresh span per refresh, with each token endpoint attempt as its child', async () => {
    const otel = setup();
    stop = otel.stop;
    const { http, mock } = mockAuthServer();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody({ access_token: ACCESS }))
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody({ access_token: ACCESS_2 }));
    const api = createFakeApi();
    api.valid.add(ACCESS);
    attachOAuth(api.api, { fetchToken: clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http }) });

    await Promise.all(Array.from({ length: 10 }, () => api.api.get('/orders'))); // one refresh, 10 waiters
    api.valid.clear();
    api.valid.add(ACCESS_2);
    await Promise.all(Array.from({ length: 3 }, () => api.api.get('/orders'))); // a 401 wave: one refresh, 3 replays

    const spans = otel.exporter.getFinishedSpans();
    const refreshes = spans.filter((span) => span.name === 'oauth.token.refresh');
    const requests = spans.filter((span) => span.name === 'oauth.token.request');
    expect(refreshes.map((span) => span.attributes)).toEqual([
      { 'oauth.refresh.reason': 'initial', 'oauth.refresh.outcome': 'fetched', 'oauth.waiters': 10 },
      { 'oauth.refresh.reason': 'unauthorized', 'oauth.refresh.outcome': 'fetched', 'oauth.waiters': 3 },
    ]);
    expect(requests).toHaveLength(2);
    requests.forEach((request, i) => {
      expect(request.parentSpanContext?.spanId).toBe(refreshes[i]!.spanContext().spanId);
      expect(request.spanContext().traceId).toBe(refreshes[i]!.spanContext().traceId);
      expect(request.attributes).toEqual({
        'oauth.grant_type': 'client_credentials',
        'oauth.request.attempt': 1,
        'server.address': 'auth.example.com',
        'server.port': 443,
        'http.response.status_code': 200,
      });
    });
    expect(refreshes[0]!.spanContext().traceId).not.toBe(refreshes[1]!.spanContext().traceId);
    expectNoSecrets(
      spans.map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events })),
      SECRETS,
    );

    const metrics = await otel.metrics();
    const points = (name: string) => metrics.get(name)!.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }));
    expect(points('oauth.token.refreshes')).toEqual([
      { attributes: { 'oauth.refresh.reason': 'initial', 'oauth.refresh.outcome': 'fetched' }, value: 1 },
      { attributes: { 'oauth.refresh.reason': 'unauthorized', 'oauth.refresh.outcome': 'fetched' }, value: 1 },
    ]);
    expect(points('oauth.token.replays')).toEqual([{ attributes: { 'oauth.replay.cause': 'refreshed' }, value: 3 }]);
    expect(points('oauth.token.requests')).toEqual([
      { attributes: { 'oauth.grant_type': 'client_credentials', 'http.response.status_code': 200 }, value: 2 },
    ]);
    const waiters = metrics.get('oauth.token.refresh.waiters') as HistogramMetricData;
    expect(waiters.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(waiters.dataPoints.map((p) => [p.attributes, p.value.count, p.value.sum])).toEqual([
      [{ 'oauth.refresh.reason': 'initial' }, 1, 10],
      [{ 'oauth.refresh.reason': 'unauthorized' }, 1, 3],
    ]);
    const duration = metrics.get('oauth.token.refresh.duration') as HistogramMetricData;
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPoints.map((p) => p.value.count)).toEqual([1, 1]);
  });

  it('marks a failed refresh and a failed attempt as errors by code, never by message', async () => {
    const otel = setup();
    stop = otel.stop;
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(401, { error: 'invalid_client', error_description: `bad secret ${CLIENT.clientSecret}` });
    const manager = new TokenManager({ fetchToken: clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http }) });
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'ERR_TOKEN_REFRESH_FAILED' });

    const [request, refresh] = otel.exporter.getFinishedSpans();
    expect(request!.name).toBe('oauth.token.request');
    expect(request!.status).toEqual({ code: 2, message: '401' });
    expect(refresh!.name).toBe('oauth.token.refresh');
    expect(refresh!.attributes).toEqual({
      'oauth.refresh.reason': 'initial',
      'oauth.refresh.outcome': 'failed',
      'oauth.waiters': 1,
      'error.type': 'ERR_TOKEN_REFRESH_FAILED',
    });
    expect(refresh!.status).toEqual({ code: 2, message: 'ERR_TOKEN_REFRESH_FAILED' });
    expect(refresh!.events).toEqual([]);
    expectNoSecrets(
      otel.exporter.getFinishedSpans().map((span) => ({ attributes: span.attributes, status: span.status })),
      SECRETS,
    );
  });

  it('counts challenge decisions by decision and reason, and step-up replays by their cause', async () => {
    const otel = setup();
    stop = otel.stop;
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    const challenge = { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="graph.send"' };
    mock.onPost('/mail').replyOnce(403, {}, challenge).onPost('/mail').reply(200);
    mock.onPut('/mail').reply(403, {}, challenge);
    let n = 0;
    const fetchToken = async () => ({ accessToken: n++ === 0 ? ACCESS : ACCESS_2, expiresIn: 3600, scope: 'graph.read graph.send' });
    attachOAuth(api, { fetchToken });
    await api.post('/mail'); // step-up, replayed
    await expect(api.put('/mail')).rejects.toMatchObject({ reason: 'repeated' }); // step-up (the token has the scope: no token request), replayed, refused again

    const metrics = await otel.metrics();
    const points = (name: string) => metrics.get(name)!.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }));
    expect(points('oauth.token.challenges')).toEqual([
      { attributes: { 'oauth.challenge.decision': 'step-up' }, value: 2 },
      { attributes: { 'oauth.challenge.decision': 'insufficient-scope', 'oauth.challenge.reason': 'repeated' }, value: 1 },
    ]);
    expect(points('oauth.token.replays')).toEqual([{ attributes: { 'oauth.replay.cause': 'step-up' }, value: 2 }]);
    expectNoSecrets(
      [...metrics.values()].map((metric) => metric.dataPoints.map((p) => p.attributes)),
      SECRETS,
    );
  });

  it('records nothing once unsubscribed', async () => {
    const otel = setup();
    otel.stop();
    otel.stop(); // twice is harmless
    await new TokenManager({ fetchToken: async () => ACCESS }).getToken();
    expect(otel.exporter.getFinishedSpans()).toEqual([]);
    expect((await otel.metrics()).get('oauth.token.refreshes')?.dataPoints ?? []).toEqual([]);
  });
});
