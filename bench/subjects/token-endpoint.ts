import type { AxiosInstance } from 'axios';
import { TOKEN_PATH, type TokenJson } from '../sim/index.js';

/**
 * The one token-endpoint call every subject makes (an RFC 6749 form POST), so they differ only in how they use
 * the token, never in how they get it.
 */
export async function requestToken(client: AxiosInstance, params: Record<string, string>, signal?: AbortSignal): Promise<TokenJson> {
  const response = await client.post<TokenJson>(TOKEN_PATH, new URLSearchParams(params), signal ? { signal } : {});
  return response.data;
}
