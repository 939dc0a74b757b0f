import { discover, type ServerMetadata } from './discovery.js';
import type { DiscoveryMode } from './grant-options.js';
import type { ResolvedEndpointOptions } from './validate-options.js';

/**
 * The (cached) metadata of a grant's issuer, fetched with the grant's own HTTP client, retries and transport rule.
 * @param signal the caller's: a refresh or sign-in that gave up stops waiting for discovery too (issue 9).
 */
export function issuerMetadata(
  options: ResolvedEndpointOptions,
  source: { issuer: string; discovery: DiscoveryMode },
  signal?: AbortSignal,
): Promise<ServerMetadata> {
  const { http, retry, allowInsecureHttp } = options;
  return discover({ issuer: source.issuer, mode: source.discovery, http, retry, allowInsecureHttp }, signal);
}
