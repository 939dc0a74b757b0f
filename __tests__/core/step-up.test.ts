import { TokenManager, memoryStorage, type TokenFields, type TokenSourceContext } from '../../lib/index.js';
import { deferred, flushPromises, type Deferred } from '../support/fake-api.js';

/*
 * Issue 10, part 3: the token manager's step-up and claims paths keep single flight (DESIGN rule 1): one call to the
 * token source at a time, whatever mix of refreshes and step-ups is asked for.
 */

function source() {
  const contexts: TokenSourceContext[] = [];
  const pending: Array<Deferred<void>> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let issued = 0;
  let held = false;
  const fetchToken = jest.fn(async (context: TokenSourceContext): Promise<TokenFields> => {
    contexts.push(context);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (held) {
        const gate = deferred<void>();
        pending.push(gate);
        await gate.promise;
      }
      const scope = context.scope ?? ['base'];
      return { accessToken: `tok-${++issued}-abcdefgh`, expiresIn: 3600, scope: scope.join(' ') };
    } finally {
      inFlight--;
    }
  });
  return {
    fetchToken,
    contexts,
    hold: (on: boolean) => (held = on),
    release: () => pending.shift()!.resolve(),
    maxInFlight: () => maxInFlight,
  };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('TokenManager step-up', () => {
  it('waits for a refresh already in flight, then steps up once for what the new token lacks', async () => {
    const s = source();
    const manager = new TokenManager({ fetchToken: s.fetchToken });
    await manager.getToken();
    s.hold(true);
    const refresh = manager.refresh();
    const stepUp = manager.tokenForScope(manager.generation, ['extra']);
    await flushPromises();
    expect(s.fetchToken).toHaveBeenCalledTimes(2);
    s.release();
    await refresh;
    await flushPromises();
    expect(s.fetchToken).toHaveBeenCalledTimes(3);
    s.release();
    expect((await stepUp).scope).toBe('base extra');
    expect(s.contexts.map((c) => c.reason)).toEqual(['initial', 'manual', 'step-up']);
    expect(s.maxInFlight()).toBe(1);
  });

  it('lets a 401 refresh join a step-up in flight', async () => {
    const s = source();
    const manager = new TokenManager({ fetchToken: s.fetchToken });
    await manager.getToken();
    s.hold(true);
    const generation = manager.generation;
    const stepUp = manager.tokenForScope(generation, ['extra']);
    const afterRejection = manager.tokenAfterRejection(generation);
    await flushPromises();
    s.release();
    expect(await afterRejection).toBe(await stepUp);
    expect(s.fetchToken).toHaveBeenCalledTimes(2);
  });

  it('shares one step-up between callers whose required scope it covers, and starts another for one it does not', async () => {
    const s = source();
    const manager = new TokenManager({ fetchToken: s.fetchToken });
    await manager.getToken();
    s.hold(true);
    const generation = manager.generation;
    const first = manager.tokenForScope(generation, ['a', 'b']);
    const covered = manager.tokenForScope(generation, ['b']);
    const other = manager.tokenForScope(generation, ['c']);
    await flushPromises();
    s.release();
    expect(await covered).toBe(await first);
    await flushPromises();
    s.release();
    expect((await other).scope).toBe('base a b c');
    expect(s.fetchToken).toHaveBeenCalledTimes(3);
    expect(s.maxInFlight()).toBe(1);
  });

  it('forgets the stepped-up scope on clear()', async () => {
    const s = source();
    const manager = new TokenManager({ fetchToken: s.fetchToken });
    await manager.getToken();
    await manager.tokenForScope(manager.generation, ['extra']);
    manager.clear();
    await manager.getToken();
    expect(s.contexts.map((c) => c.scope)).toEqual([undefined, ['base', 'extra'], undefined]);
  });

  it("with a coordinating storage never adopts another realm's token for a step-up", async () => {
    const s = source();
    const storage = memoryStorage();
    const manager = new TokenManager({ fetchToken: s.fetchToken, storage });
    await manager.getToken();
    await storage.set({ accessToken: 'other-realm-token', tokenType: 'Bearer', obtainedAt: Date.now(), scope: 'base' });
    const token = await manager.tokenForScope(manager.generation, ['extra']);
    expect(token.accessToken).toBe('tok-2-abcdefgh');
    expect(s.fetchToken).toHaveBeenCalledTimes(2);
  });

  it('hands a claims challenge for an older token the current one, and refreshes once with claims for the current', async () => {
    const s = source();
    const manager = new TokenManager({ fetchToken: s.fetchToken });
    await manager.getToken();
    const stale = manager.generation;
    await manager.refresh();
    expect(await manager.tokenWithClaims(stale, '{"a":1}')).toBe(manager.token);
    expect(s.fetchToken).toHaveBeenCalledTimes(2);
    const [one, two] = await Promise.all([
      manager.tokenWithClaims(manager.generation, '{"a":1}'),
      manager.tokenWithClaims(manager.generation, '{"a":1}'),
    ]);
    expect(one).toBe(two);
    expect(s.fetchToken).toHaveBeenCalledTimes(3);
    expect(s.contexts[2]).toMatchObject({ reason: 'unauthorized', claims: '{"a":1}' });
  });
});
