import axios, { AxiosError, CanceledError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import fc from 'fast-check';
import { attachOAuth, TokenRefreshError } from '../../lib/index.js';

/**
 * Reliability scenario 11 and properties 1-5 of §4: for any interleaving of token fetches, API responses, a
 * server-side revocation, a failing refresh and aborts, the lock holds and every request settles.
 */
describe('the lock under every interleaving (fast-check scheduler)', () => {
  it('keeps one fetch in flight, settles every request, and sends none more than twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        async (s, n, failFirstRefresh, aborts) => {
          const valid = new Set<string>();
          let fetches = 0;
          let pending = 0;
          let overlap = false;
          const fetchToken = s.scheduleFunction(async () => {
            fetches++;
            overlap ||= pending > 0;
            pending++;
            try {
              if (failFirstRefresh && fetches === 2) throw new Error('token endpoint 503');
              valid.add(`t${fetches}`);
              return { accessToken: `t${fetches}`, expiresIn: 3600 };
            } finally {
              pending--;
            }
          });
          const sends = new Map<string, number>();
          const respond = s.scheduleFunction(async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
            const token = String(config.headers.Authorization).replace('Bearer ', '');
            if (valid.has(token)) return { data: token, status: 200, statusText: 'OK', headers: {}, config };
            const response = { data: null, status: 401, statusText: 'Unauthorized', headers: {}, config };
            throw new AxiosError('Request failed with status code 401', 'ERR_BAD_REQUEST', config, null, response);
          });
          const api = axios.create({
            baseURL: 'https://api.example.com',
            adapter: (config) => {
              sends.set(config.url!, (sends.get(config.url!) ?? 0) + 1);
              return respond(config);
            },
          });
          attachOAuth(api, { fetchToken });
          void s.schedule(Promise.resolve('server revokes every token issued so far')).then(() => valid.clear());

          const requests = Array.from({ length: n }, (_, i) => {
            const controller = new AbortController();
            if (aborts[i]) void s.schedule(Promise.resolve(`abort ${i}`)).then(() => controller.abort());
            return api.get(`/r${i}`, { signal: controller.signal });
          });
          const outcomes = await s.waitFor(Promise.allSettled(requests));
          // Release what is still scheduled (a fetch nobody waits for once every request was aborted), so a
          // rejection the library failed to observe would surface here as an unhandled rejection.
          await s.waitIdle();

          expect(overlap).toBe(false);
          for (const count of sends.values()) expect(count).toBeLessThanOrEqual(2);
          outcomes.forEach((outcome, i) => {
            if (outcome.status === 'fulfilled') return;
            const reason = outcome.reason;
            const allowed = reason instanceof CanceledError ? aborts[i] : reason instanceof TokenRefreshError ? failFirstRefresh : false;
            expect({ i, reason: String(reason), allowed }).toEqual({ i, reason: String(reason), allowed: true });
          });
          // One fetch for the first token, one for the revocation; a failed refresh may add one retry.
          expect(fetches).toBeLessThanOrEqual(failFirstRefresh ? 3 : 2);
        },
      ),
      { numRuns: 300 },
    );
  });
});
