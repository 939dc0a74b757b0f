import { attachOAuth, TokenManager } from '../../lib/index.js';
import { createFakeApi, deferred, flushPromises } from '../support/fake-api.js';
import { recordEvents } from '../support/events.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';

/** Long tokens, so that the secrets sweep can look for them. */
function longTokenSource(valid: Set<string>) {
  let calls = 0;
  const issued: string[] = [];
  const fetchToken = jest.fn(async () => {
    const accessToken = `access-token-number-${++calls}`;
    issued.push(accessToken);
    valid.add(accessToken);
    return { accessToken, refreshToken: `refresh-token-number-${calls}`, expiresIn: 3600 };
  });
  return { fetchToken, secrets: () => issued.flatMap((token) => [token, token.replace('access', 'refresh')]) };
}

describe('onEvent through attachOAuth', () => {
  it('tells a storm of 100 concurrent requests from cold as one refresh with 100 waiters, and no replay', async () => {
    const { api, valid } = createFakeApi();
    const { fetchToken, secrets } = longTokenSource(valid);
    const { events, onEvent } = recordEvents();
    attachOAuth(api, { fetchToken, onEvent });
    await Promise.all(Array.from({ length: 100 }, (_, i) => api.get(`/orders/${i}`)));
    expect(events).toEqual([
      { type: 'refresh:start', reason: 'initial', generation: 0 },
      { type: 'refresh:end', reason: 'initial', outcome: 'fetched', durationMs: expect.any(Number), waiters: 100 },
    ]);
    expectNoSecrets(events, secrets());
  });

  it('tells a wave of 20 401s as one refresh with 20 waiters and 20 replays "refreshed"', async () => {
    const { api, valid } = createFakeApi();
    const { fetchToken, secrets } = longTokenSource(valid);
    const { events, onEvent } = recordEvents();
    attachOAuth(api, { fetchToken, onEvent });
    await api.get('/warm');
    events.length = 0;
    valid.clear();
    await Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/orders/${i}`)));

    expect(events.slice(0, 2)).toEqual([
      { type: 'refresh:start', reason: 'unauthorized', generation: 1 },
      { type: 'refresh:end', reason: 'unauthorized', outcome: 'fetched', durationMs: expect.any(Number), waiters: 20 },
    ]);
    expect(events.slice(2)).toEqual(
      Array(20).fill({ type: 'replay', cause: 'refreshed', sentGeneration: 1, generation: 2, route: 'https://api.example.com' }),
    );
    expectNoSecrets(events, secrets());
  });

  it('tells a 401 of a token already replaced as one replay "stale", with no refresh for it', async () => {
    const { api, mock, valid } = createFakeApi();
    const { fetchToken, secrets } = longTokenSource(valid);
    const { events, onEvent, ofType } = recordEvents();
    attachOAuth(api, { fetchToken, onEvent });
    await api.get('/warm');
    const slow = deferred<[number]>();
    mock.reset();
    let first = true;
    mock.onAny().reply((config) => {
      const token = String(config.headers?.Authorization).replace('Bearer ', '');
      if (first) {
        first = false;
        return slow.promise; // sent with the first token, held
      }
      return valid.has(token) ? [200, token] : [401];
    });
    const late = api.get('/slow');
    await flushPromises();
    valid.clear();
    await api.get('/fast'); // 401 → refresh → second token
    events.length = 0;
    slow.resolve([401]);
    await late;

    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(events).toEqual([{ type: 'replay', cause: 'stale', sentGeneration: 1, generation: 2, route: 'https://api.example.com' }]);
    expect(ofType('refresh:start')).toEqual([]);
    expectNoSecrets(events, secrets());
  });

  it('tells one onEvent on a shared TokenManager about the replays of every instance', async () => {
    const a = createFakeApi();
    const b = createFakeApi();
    const valid = new Set<string>();
    a.valid.add = b.valid.add = (token: string) => (valid.add(token), valid);
    a.valid.has = b.valid.has = (token: string) => valid.has(token);
    const { fetchToken } = longTokenSource(valid);
    const { onEvent, ofType } = recordEvents();
    const tokenManager = new TokenManager({ fetchToken, onEvent });
    attachOAuth(a.api, { tokenManager });
    attachOAuth(b.api, { tokenManager });
    await a.api.get('/warm');
    valid.clear();
    await Promise.all([a.api.get('/x'), b.api.get('/y')]);
    expect(ofType('replay')).toHaveLength(2);
    expect(ofType('refresh:end').map((e) => [e.reason, e.waiters])).toEqual([
      ['initial', 1],
      ['unauthorized', 2],
    ]);
  });
});
