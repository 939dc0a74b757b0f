import { browserStorage } from '../../../lib/index.js';
import { createApi, finishSignIn, startSignIn, type AppConfig } from '../../../examples/browser-sign-in.js';

/*
 * The in-page redirect sign-in of examples/browser-sign-in.ts, as the browser test drives it (issue 12): the test
 * calls these through `window.harness`, and they call the example's own functions, so the example is what runs.
 */

export interface ApiCall {
  status: number | null;
  /** What the API saw in the token it verified. */
  sub?: string;
  clientId?: string;
  /** Error name, code, the cause's code or OAuth error, when the call failed. */
  error?: string;
}

export interface SignInOutcome {
  /** `null` when the sign-in succeeded, else its error, described. */
  error: string | null;
  /** The error (and its causes) as a logger could render it, for the secrets sweep. */
  renderings: string[];
  /** The calls made while the sign-in ran, in order. */
  calls: ApiCall[];
  /** The address bar after the sign-in (code and state taken out). */
  location: string;
  /** Whether browserStorage holds a token under the config's key. */
  stored: boolean;
}

let startError: string | null = null;

function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; error?: string } };
  return [e.name, e.code, e.cause?.code, e.cause?.error].filter((part) => part !== undefined).join(' ');
}

/** How a logger could render the error (and its cause): the test sweeps these for the sign-in's secrets. */
function renderingsOf(error: unknown): string[] {
  const out: string[] = [];
  for (let e = error as Error | undefined; e != null; e = e.cause as Error | undefined) {
    out.push(e.toString(), e.message, String(e.stack), JSON.stringify(e), JSON.stringify(Object.entries(e)));
  }
  return out;
}

async function callApi(request: Promise<{ status: number; data: { sub?: string; clientId?: string } }>): Promise<ApiCall> {
  try {
    const { status, data } = await request;
    return {
      status,
      ...(data.sub === undefined ? {} : { sub: data.sub }),
      ...(data.clientId === undefined ? {} : { clientId: data.clientId }),
    };
  } catch (error) {
    return { status: (error as { response?: { status?: number } }).response?.status ?? null, error: describe(error) };
  }
}

export const signInApp = {
  /** Page 1: the example's startSignIn(); not awaited, since the page navigates away. */
  beginSignIn(config: AppConfig): void {
    startError = null;
    startSignIn(config).catch((error: unknown) => void (startError = describe(error)));
  },
  startError: () => startError,
  /** The callback page: the example's createApi() and finishSignIn(), with `requests` API calls sent meanwhile. */
  async completeSignIn(config: AppConfig, requests: number): Promise<SignInOutcome> {
    const { api, auth } = createApi(config);
    const signedIn = finishSignIn(auth, config);
    // Sent before the sign-in settles: they must wait for it, not call fetchToken.
    const calls = Array.from({ length: requests }, () => callApi(api.get('/orders')));
    let error: unknown = null;
    await signedIn.catch((failure: unknown) => void (error = failure));
    const outcome: SignInOutcome = {
      error: error === null ? null : describe(error),
      renderings: error === null ? [] : renderingsOf(error),
      calls: await Promise.all(calls),
      location: location.href,
      stored: (await browserStorage({ key: config.storageKey }).get()) !== null,
    };
    auth.detach();
    return outcome;
  },
  /** Another tab: the example's createApi(), one call, with whatever token browserStorage has. */
  async callFromAnotherTab(config: AppConfig): Promise<ApiCall> {
    const { api, auth } = createApi(config);
    const call = await callApi(api.get('/orders'));
    auth.detach();
    return call;
  },
};
