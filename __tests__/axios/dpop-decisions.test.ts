import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { DPoPProofMaker } from '../../lib/core/dpop-proof-maker.js';
import type { RequestAuthState } from '../../lib/axios/augmentation.js';
import { dpopClockDecision, dpopNonceDecision, harvestDPoPNonce, signDPoPRequest } from '../../lib/axios/dpop-requests.js';
import { normalizeToken } from '../../lib/core/token.js';

/*
 * The API side of DPoP (RFC 9449 §7–9) decision by decision, on hand-made requests and responses: which URL a proof
 * is for, which nonce a request carried, which responses teach a nonce, and which 401s earn the one proof replay.
 * Issue 9, "tests that can fail": the mutation run found these decisions unpinned by the interceptor suites.
 */

const API = 'https://api.example.com';
const token = normalizeToken({ accessToken: 'at-1', tokenType: 'DPoP', expiresIn: 3600 }, Date.now());

function recordingMaker(nonces: Record<string, string> = {}, clock?: (serverNowMs: number) => boolean) {
  const proofs: { method: string; url: string; accessToken: string | undefined }[] = [];
  const observed: { url: string; nonce: string | undefined }[] = [];
  const maker: DPoPProofMaker = {
    proof: async (method, url, accessToken) => (proofs.push({ method, url, accessToken }), `proof-${proofs.length}`),
    observeNonce: (url, nonce) => observed.push({ url, nonce }),
    nonceFor: (url) => nonces[new URL(url).origin],
    thumbprint: async () => 'jkt',
    ...(clock === undefined ? {} : { correctClock: clock }),
  };
  return { maker, proofs, observed };
}

function request(fields: Partial<InternalAxiosRequestConfig> = {}, state: Partial<RequestAuthState> = {}): InternalAxiosRequestConfig {
  return {
    baseURL: API,
    url: '/orders',
    method: 'get',
    headers: new AxiosHeaders(),
    oauthLockState: { generation: 1, replayed: false, owner: undefined as never, ...state },
    ...fields,
  } as InternalAxiosRequestConfig;
}

function response(status: number, headers: unknown, config = request(), requestObject: unknown = {}): AxiosResponse {
  return { status, statusText: '', data: {}, headers, config, request: requestObject } as AxiosResponse;
}

const failure = (res: AxiosResponse | undefined, config: InternalAxiosRequestConfig | undefined = res?.config): AxiosError =>
  new AxiosError('Request failed', 'ERR_BAD_REQUEST', config, {}, res);

const NONCE_CHALLENGE = 'DPoP error="use_dpop_nonce", algs="ES256"';

describe('signDPoPRequest', () => {
  it('signs for the joined URL with the method, defaulting to GET, and puts the proof in the DPoP header', async () => {
    const { maker, proofs } = recordingMaker();
    const config = request({ method: undefined });
    await expect(signDPoPRequest(config, token, maker, undefined)).resolves.toBe(config);
    expect(proofs).toEqual([{ method: 'get', url: `${API}/orders`, accessToken: 'at-1' }]);
    expect(config.headers.DPoP).toBe('proof-1');
  });

  it('rejects (never throws) a request whose URL has no origin to sign for, without asking for a proof', async () => {
    const { maker, proofs } = recordingMaker();
    const config = request({ baseURL: undefined, url: '/relative' });
    let signing: Promise<unknown> | undefined;
    expect(() => (signing = signDPoPRequest(config, token, maker, undefined))).not.toThrow();
    await expect(signing).rejects.toThrow(new TypeError('DPoP: the request URL cannot be resolved to an absolute URL for the proof'));
    expect(proofs).toEqual([]);
  });

  it('records the nonce the proof carried only when the origin has one', async () => {
    const withNonce = request();
    await signDPoPRequest(withNonce, token, recordingMaker({ [API]: 'n-7' }).maker, undefined);
    expect(withNonce.oauthLockState!.dpopNonce).toBe('n-7');
    const without = request();
    await signDPoPRequest(without, token, recordingMaker().maker, undefined);
    expect('dpopNonce' in without.oauthLockState!).toBe(false);
  });

  it('carries the nonce-replay mark of the attempt before over to the replay, and only that', async () => {
    const replay = request();
    await signDPoPRequest(replay, token, recordingMaker().maker, {
      generation: 1,
      replayed: false,
      dpopNonceRetried: true,
    } as RequestAuthState);
    expect(replay.oauthLockState!.dpopNonceRetried).toBe(true);
    const first = request();
    await signDPoPRequest(first, token, recordingMaker().maker, { generation: 1, replayed: false } as RequestAuthState);
    expect(first.oauthLockState!.dpopNonceRetried).toBeUndefined();
  });

  it('signs a page-relative URL for the page it is on now, not for the page of the last request (browser)', async () => {
    const { maker, proofs } = recordingMaker();
    const global = globalThis as { location?: { href: string } };
    try {
      global.location = { href: 'https://a.example.com/app/' };
      await signDPoPRequest(request({ baseURL: undefined, url: '/orders' }), token, maker, undefined);
      global.location = { href: 'https://b.example.com/app/' };
      await signDPoPRequest(request({ baseURL: undefined, url: '/orders' }), token, maker, undefined);
    } finally {
      delete global.location;
    }
    expect(proofs.map((proof) => proof.url)).toEqual(['https://a.example.com/orders', 'https://b.example.com/orders']);
  });
});

describe('harvestDPoPNonce', () => {
  it('remembers the nonce of a response, from AxiosHeaders or from a plain headers object', () => {
    const { maker, observed } = recordingMaker();
    harvestDPoPNonce(maker, response(200, AxiosHeaders.from({ 'DPoP-Nonce': 'n-1' })));
    harvestDPoPNonce(maker, response(200, { 'dpop-nonce': 'n-2' }));
    expect(observed).toEqual([
      { url: `${API}/orders`, nonce: 'n-1' },
      { url: `${API}/orders`, nonce: 'n-2' },
    ]);
  });

  it('does nothing for a failure without a response, a response without headers, or one whose URL has no origin', () => {
    const { maker, observed } = recordingMaker();
    expect(() => harvestDPoPNonce(maker, undefined)).not.toThrow();
    expect(() => harvestDPoPNonce(maker, response(200, undefined))).not.toThrow();
    expect(() => harvestDPoPNonce(maker, response(200, { 'dpop-nonce': 'n-3' }, request({ baseURL: undefined, url: '/x' })))).not.toThrow();
    expect(observed).toEqual([]);
  });

  it("ignores the nonce of a redirect's last hop on another origin: it is not that origin's to send us", () => {
    const { maker, observed } = recordingMaker();
    harvestDPoPNonce(maker, response(200, { 'dpop-nonce': 'n-4' }, request(), { res: { responseUrl: 'https://elsewhere.example.com/x' } }));
    expect(observed).toEqual([]);
  });
});

describe('dpopNonceDecision (a 401 use_dpop_nonce challenge)', () => {
  const nonce401 = (nonce: unknown, state: Partial<RequestAuthState> = {}, status = 401) =>
    failure(response(status, { 'www-authenticate': NONCE_CHALLENGE, 'dpop-nonce': nonce }, request({}, state)));

  it('replays once for a new nonce', () => {
    expect(dpopNonceDecision(nonce401('n-2', { dpopNonce: 'n-1' }))).toBe('replay');
    expect(dpopNonceDecision(nonce401('n-2'))).toBe('replay');
  });

  it('fails for the nonce the request already carried, a second challenge, no nonce or one that is no string', () => {
    expect(dpopNonceDecision(nonce401('n-1', { dpopNonce: 'n-1' }))).toBe('fail');
    expect(dpopNonceDecision(nonce401('n-2', { dpopNonceRetried: true }))).toBe('fail');
    expect(dpopNonceDecision(nonce401(undefined))).toBe('fail');
    expect(dpopNonceDecision(nonce401(42))).toBe('fail');
  });

  it('fails for a request no handle authorised, and for an error without its config', () => {
    const res = response(401, { 'www-authenticate': NONCE_CHALLENGE, 'dpop-nonce': 'n-2' }, request({ oauthLockState: undefined }));
    expect(dpopNonceDecision(failure(res))).toBe('fail');
    expect(dpopNonceDecision(failure(res, undefined as never))).toBe('fail');
  });

  it('reads a challenge header that arrives as an array of lines', () => {
    const res = response(401, { 'www-authenticate': ['Bearer realm="api"', NONCE_CHALLENGE], 'dpop-nonce': 'n-2' });
    expect(dpopNonceDecision(failure(res))).toBe('replay');
  });

  it('is no nonce decision for another status, no response, or a DPoP challenge without that error', () => {
    expect(dpopNonceDecision(nonce401('n-2', {}, 400))).toBeUndefined();
    expect(dpopNonceDecision(nonce401('n-2', {}, 403))).toBeUndefined();
    expect(dpopNonceDecision(failure(undefined, request()))).toBeUndefined();
    const noError = response(401, { 'www-authenticate': 'DPoP algs="ES256"', 'dpop-nonce': 'n-2' });
    expect(dpopNonceDecision(failure(noError))).toBeUndefined();
  });
});

describe('dpopClockDecision (a 401 invalid_dpop_proof with a Date far from ours)', () => {
  const farDate = new Date(Date.now() + 60_000).toUTCString();
  const proof401 = (state: Partial<RequestAuthState> = {}, status = 401, date: string | null = farDate) =>
    failure(
      response(status, { 'www-authenticate': 'DPoP error="invalid_dpop_proof"', ...(date === null ? {} : { date }) }, request({}, state)),
    );

  it('replays when the maker corrected its clock from the Date header', () => {
    const seen: number[] = [];
    const { maker } = recordingMaker({}, (serverNowMs) => (seen.push(serverNowMs), true));
    expect(dpopClockDecision(proof401(), maker)).toBe('replay');
    expect(seen).toEqual([Date.parse(farDate)]);
  });

  it('does not replay when the clock was already right, or the maker cannot correct clocks', () => {
    expect(dpopClockDecision(proof401(), recordingMaker({}, () => false).maker)).toBeUndefined();
    expect(dpopClockDecision(proof401(), recordingMaker().maker)).toBeUndefined();
  });

  it('is no decision after a proof replay already, for another status, without a response or without a Date', () => {
    const { maker } = recordingMaker({}, () => true);
    expect(dpopClockDecision(proof401({ dpopNonceRetried: true }), maker)).toBeUndefined();
    expect(dpopClockDecision(proof401({}, 400), maker)).toBeUndefined();
    expect(dpopClockDecision(proof401({}, 401, null), maker)).toBeUndefined();
    expect(dpopClockDecision(failure(undefined, request()), maker)).toBeUndefined();
    const noConfig = failure(response(401, { 'www-authenticate': 'DPoP error="invalid_dpop_proof"', date: farDate }), undefined as never);
    expect(dpopClockDecision(noConfig, maker)).toBe('replay');
  });
});
