import type { AxiosInstance } from 'axios';
import type { SimEnv } from '../sim/index.js';

/**
 * panva's oauth4webapi as a resource-server client (issue 11: the one JavaScript DPoP client with nonce handling), in
 * its bearer and its DPoP form, against the same simulated API as the axios subjects: `protectedResourceRequest` with
 * a `customFetch` that answers from the in-process server (no sockets, as the axios subjects' adapter), then the JSON
 * body read as axios reads it. It has no axios instance, so each form is wrapped in the `get()` the timing loop calls.
 * It holds the token it is given and never renews it: the scenario's token stays fresh.
 */
export async function oauth4webapiClients(
  sim: SimEnv,
  accessToken: string,
  keyPair: CryptoKeyPair,
): Promise<{ bearer: AxiosInstance; dpop: AxiosInstance }> {
  const oauth = await import('oauth4webapi');
  const base = `${String(sim.axiosDefaults.baseURL)}`;
  const simFetch = async (url: string, init: { method: string; headers: Record<string, string> }): Promise<Response> => {
    const reply = await sim.server.handle({ method: init.method, path: new URL(url).pathname, authorization: init.headers.authorization });
    return new Response(JSON.stringify(reply.data), {
      status: reply.status,
      headers: { 'content-type': 'application/json', ...reply.headers },
    });
  };
  // The simulated API is plain http on loopback; the library refuses that unless told.
  const common = { [oauth.customFetch]: simFetch, [oauth.allowInsecureRequests]: true };
  const DPoP = oauth.DPoP({}, keyPair);
  const client = (options: Parameters<typeof oauth.protectedResourceRequest>[5]): AxiosInstance =>
    ({
      get: async (path: string) => {
        const response = await oauth.protectedResourceRequest(accessToken, 'GET', new URL(path, base), undefined, undefined, options);
        if (response.status !== 200) throw new Error(`oauth4webapi bench: the API answered ${response.status}`);
        return { data: await response.json() };
      },
    }) as unknown as AxiosInstance;
  return { bearer: client(common), dpop: client({ ...common, DPoP }) };
}
