import axios, { AxiosHeaders, isAxiosError, type AxiosAdapter } from 'axios';

/** What the progress line and the summary show. Everything is counted on the client; the API's own view is separate. */
export interface DemoCounters {
  /** Requests the traffic driver made (a replay is not a new request). */
  started: number;
  succeeded: number;
  failed: number;
  /** Calls to the token endpoint. */
  tokenFetches: number;
  /** Responses with status 401. */
  seen401: number;
  /** Of those, the ones that came before the API revoked every token: expiry, not revocation, caused them. */
  seen401BeforeRevocation: number;
  /** Set when the API has revoked every token it had seen. */
  revoked: boolean;
  /** Requests that went on the wire a second time (after a 401). */
  replays: number;
  /** What the failed requests got, by kind. */
  failures: Record<string, number>;
}

export function newCounters(): DemoCounters {
  return {
    started: 0,
    succeeded: 0,
    failed: 0,
    tokenFetches: 0,
    seen401: 0,
    seen401BeforeRevocation: 0,
    revoked: false,
    replays: 0,
    failures: {},
  };
}

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Node's http adapter, wrapped to count what really goes on the wire: a request id seen twice is a replay, and a
 * 401 is counted whatever happens to it next. Counting at the adapter does not depend on interceptor order.
 */
export function countingAdapter(counters: DemoCounters): AxiosAdapter {
  const http = axios.getAdapter('http');
  const sent = new Set<string>();
  return async (config) => {
    const id = String(AxiosHeaders.from(config.headers).get(REQUEST_ID_HEADER));
    if (sent.has(id)) counters.replays += 1;
    else sent.add(id);
    try {
      return await http(config);
    } catch (error) {
      if (isAxiosError(error) && error.response?.status === 401) {
        counters.seen401 += 1;
        if (!counters.revoked) counters.seen401BeforeRevocation += 1;
      }
      throw error;
    }
  };
}
