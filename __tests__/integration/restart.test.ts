import axios from 'axios';
import { ErrorCode } from '../../lib/core/errors';
import { attachOAuth } from '../../lib/index';
import { clientCredentials } from '../../lib/grants';
import { useAuthStack } from './use-auth-stack';

const stack = useAuthStack({ accessTokenTtlSeconds: 60 });

describe('the authorization server goes down and comes back', () => {
  it('fails requests cleanly while it is down and recovers once it is back', async () => {
    const client = axios.create({ baseURL: stack.api.baseURL });
    const grant = clientCredentials({ tokenUrl: stack.auth.tokenUrl, ...stack.auth.clients.basic, maxRetries: 1, retryDelayMs: 20 });
    const handle = attachOAuth(client, { fetchToken: grant });
    await expect(client.get('/orders')).resolves.toMatchObject({ status: 200 });

    await stack.auth.stop();
    await stack.api.revokeSeenTokens(); // the API now answers 401, so the client must go back to the stopped server
    const whileDown = await Promise.all([client.get('/a'), client.get('/b')].map((p) => p.catch((e: unknown) => e)));

    await stack.auth.restart();
    const afterRestart = await client.get('/orders');
    handle.detach();

    for (const error of whileDown) {
      expect(error).toMatchObject({ name: 'TokenRefreshError', code: ErrorCode.REFRESH_FAILED });
      expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    }
    expect(whileDown[0]).toBe(whileDown[1]); // one refresh attempt for both waiters
    expect(afterRestart.status).toBe(200);
  });
});
