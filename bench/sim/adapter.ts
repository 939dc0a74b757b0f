import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { SimServer } from './server.js';

/**
 * An axios adapter that answers from the in-process {@link SimServer}: no sockets, so the figures measure the
 * client libraries and not the kernel. It settles like axios' own adapters (validateStatus, AxiosError codes).
 */
export function simAdapter(server: SimServer): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const authorization = AxiosHeaders.from(config.headers).get('Authorization');
    const reply = await server.handle({
      method: (config.method ?? 'get').toUpperCase(),
      path: pathOf(config),
      authorization: typeof authorization === 'string' ? authorization : undefined,
    });
    const response: AxiosResponse = {
      data: reply.data,
      status: reply.status,
      statusText: reply.status === 200 ? 'OK' : 'Error',
      headers: new AxiosHeaders(reply.headers),
      config,
      request: {},
    };
    const validate = config.validateStatus;
    if (!validate || validate(reply.status)) return response;
    const code = reply.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
    throw new AxiosError(`Request failed with status code ${reply.status}`, code, config, response.request, response);
  };
}

function pathOf(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '/';
  // Relative URLs are the common case; only absolute ones pay for URL parsing.
  return url.startsWith('/') ? url : new URL(url, config.baseURL).pathname;
}
