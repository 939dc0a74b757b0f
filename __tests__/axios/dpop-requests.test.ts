import axios, { type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createHash } from 'node:crypto';
import { TokenManager, attachOAuth } from '../../lib';
import { createDPoPProofMaker } from '../../lib/dpop/proof-maker';
import { createRedirectGuard } from '../../lib/axios/redirect-guard';
import { generateDPoPKeyPair } from '../../lib/dpop/key-pair';
import { base64urlDecode } from '../../lib/jose/base64url';
import { publicJwk } from '../../lib/jose/thumbprint';
import { browserStorage, redisStorage } from '../../lib/storage';
import type { TokenSourceContext } from '../../lib/core/options';

const API = 'https://api.example.com';
const claimsOf = (proof: unknown): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(base64urlDecode(String(proof).split('.')[1]!))) as Record<string, unknown>;
const headerOf = (config: AxiosRequestConfig, name: string): unknown => (config.headers as Record<string, unknown>)[name];

function setup(tokenType = 'DPoP') {
  const api = axios.create({ baseURL: API });
  const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
  let n = 0;
  const fetchToken = jest.fn(async (_ctx: TokenSourceContext) => ({ accessToken: `at-${++n}`, tokenType, expiresIn: 3600 }));
  const handle = attachOAuth(api, { fetchToken, dpop: true });
  return { api, mock, fetchToken, handle };
}

const nonceChallenge = (nonce: string) => [
  401,
  {},
  { 'www-authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"', 'dpop-nonce': nonce },
];

describe('DPoP at the resource server (RFC 9449 §7)', () => {
  it('sends Authorization: DPoP and a proof for the URL the request really goes to, with ath of the token', async () => {
    const { api, mock } = setup();
    mock.onGet(`${API}/orders`).reply(200, { ok: true });
    await api.get('/orders', { params: { page: 2 } });

    const sent = mock.history.get[0]!;
    expect(headerOf(sent, 'Authorization')).toBe('DPoP at-1');
    expect(claimsOf(headerOf(sent, 'DPoP'))).toMatchObject({
      htm: 'GET',
      htu: `${API}/orders`,
      ath: createHash('sha256').update('at-1').digest('base64url'),
    });
  });

  it('gives the token source a proof maker (ctx.dpop) bound to the same key', async () => {
    const { api, mock, fetchToken } = setup();
    mock.onGet(`${API}/a`).reply(200);
    await api.get('/a');
    const ctx = fetchToken.mock.calls[0]![0];
    const proof = await ctx.dpop!.proof('POST', 'https://as.example/token');
    const header = JSON.parse(new TextDecoder().decode(base64urlDecode(proof.split('.')[0]!))) as { jwk: unknown };
    const apiHeader = JSON.parse(
      new TextDecoder().decode(base64urlDecode(String(headerOf(mock.history.get[0]!, 'DPoP')).split('.')[0]!)),
    ) as {
      jwk: unknown;
    };
    expect(header.jwk).toEqual(apiHeader.jwk);
  });

  it('sends a bearer token the server issued despite DPoP as a plain bearer token, with no proof', async () => {
    const { api, mock } = setup('bearer');
    mock.onGet(`${API}/a`).reply(200);
    await api.get('/a');
    expect(headerOf(mock.history.get[0]!, 'Authorization')).toBe('Bearer at-1');
    expect(headerOf(mock.history.get[0]!, 'DPoP')).toBeUndefined();
  });

  it('answers a use_dpop_nonce challenge with one replay carrying the new nonce and a fresh proof, and no refresh', async () => {
    const { api, mock, fetchToken } = setup();
    mock
      .onGet(`${API}/a`)
      .replyOnce(...(nonceChallenge('n-1') as [number]))
      .onGet(`${API}/a`)
      .reply(200, 'ok');
    await expect(api.get('/a')).resolves.toMatchObject({ data: 'ok' });

    expect(fetchToken).toHaveBeenCalledTimes(1);
    const [first, second] = mock.history.get.map((c) => claimsOf(headerOf(c, 'DPoP')));
    expect(first!.nonce).toBeUndefined();
    expect(second!.nonce).toBe('n-1');
    expect(second!.jti).not.toBe(first!.jti);
  });

  it('does not loop when the server repeats the nonce it was just sent', async () => {
    const { api, mock, fetchToken } = setup();
    mock.onGet(`${API}/a`).reply(...(nonceChallenge('n-1') as [number]));
    await expect(api.get('/a')).rejects.toMatchObject({ response: { status: 401 } });
    expect(mock.history.get).toHaveLength(2);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('does not count the nonce replay as the refresh replay: a 401 invalid_token after it still refreshes once', async () => {
    const { api, mock, fetchToken } = setup();
    mock
      .onGet(`${API}/a`)
      .replyOnce(...(nonceChallenge('n-1') as [number]))
      .onGet(`${API}/a`)
      .replyOnce(401, {}, { 'www-authenticate': 'DPoP error="invalid_token"' })
      .onGet(`${API}/a`)
      .reply(200, 'ok');
    await expect(api.get('/a')).resolves.toMatchObject({ data: 'ok' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
    const proofs = mock.history.get.map((c) => claimsOf(headerOf(c, 'DPoP')));
    expect(new Set(proofs.map((p) => p.jti)).size).toBe(3);
    expect(proofs.map((p) => p.ath)).toEqual([...['at-1', 'at-1', 'at-2'].map((t) => createHash('sha256').update(t).digest('base64url'))]);
    expect(proofs[2]!.nonce).toBe('n-1');
  });

  it('regression: a stream body is not replayed for a DPoP nonce challenge, and no refresh either', async () => {
    const { api, mock, fetchToken } = setup();
    mock.onPost(`${API}/upload`).reply(...(nonceChallenge('n-1') as [number]));
    const stream = { pipe: () => undefined, on: () => undefined };
    await expect(api.post('/upload', stream)).rejects.toMatchObject({ response: { status: 401 } });
    expect(mock.history.post).toHaveLength(1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('corrects the clock once from the Date of an invalid_dpop_proof 401 and replays once, with no refresh', async () => {
    const { api, mock, fetchToken } = setup();
    const serverNow = Date.now() + 600_000;
    const refused = [401, {}, { 'www-authenticate': 'DPoP error="invalid_dpop_proof"', date: new Date(serverNow).toUTCString() }];
    mock
      .onGet(`${API}/a`)
      .replyOnce(...(refused as [number]))
      .onGet(`${API}/b`)
      .reply(...(refused as [number]));
    mock.onGet(`${API}/a`).reply(200, 'ok');
    await expect(api.get('/a')).resolves.toMatchObject({ data: 'ok' });
    const [first, second] = mock.history.get.map((c) => claimsOf(headerOf(c, 'DPoP')).iat as number);
    expect(second! - first!).toBeGreaterThanOrEqual(595);
    // The same Date again corrects nothing: no replay, and no refresh either: the challenge (invalid_dpop_proof, not
    // invalid_token) says the token is fine, so a new one would not help (issue 10, challenges).
    await expect(api.get('/b')).rejects.toMatchObject({ response: { status: 401 } });
    expect(mock.history.get.filter((c) => c.url === '/b')).toHaveLength(1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('signs each request for its own URL when consecutive requests differ only in baseURL or allowAbsoluteUrls', async () => {
    const { api, mock } = setup();
    const v2 = `${API}/v2`;
    mock.onGet(`${API}/a`).reply(200).onGet(`${v2}/a`).reply(200).onGet(`${API}/${v2}/a`).reply(200);
    await api.get('/a');
    await api.get('/a', { baseURL: v2 });
    await api.get('/a');
    await api.get(`${v2}/a`);
    await api.get(`${v2}/a`, { allowAbsoluteUrls: false });
    expect(mock.history.get.map((c) => claimsOf(headerOf(c, 'DPoP')).htu)).toEqual([
      `${API}/a`,
      `${v2}/a`,
      `${API}/a`,
      `${v2}/a`,
      `${API}/${v2}/a`,
    ]);
  });

  it('takes the nonce of any response, a success too, for the next proof to that origin', async () => {
    const { api, mock } = setup();
    mock.onGet(`${API}/a`).replyOnce(200, 'ok', { 'dpop-nonce': 'n-fresh' }).onGet(`${API}/b`).reply(200);
    await api.get('/a');
    await api.get('/b');
    expect(claimsOf(headerOf(mock.history.get[1]!, 'DPoP')).nonce).toBe('n-fresh');
  });

  it('keeps the proof out of a redacted API error', async () => {
    const { api, mock } = setup();
    mock.onGet(`${API}/a`).reply(500);
    const error = (await api.get('/a').catch((e: unknown) => e)) as { config: AxiosRequestConfig };
    expect(String(headerOf(error.config, 'DPoP'))).not.toMatch(/^ey/);
  });
});

/*
 * The nonce and clock decisions read the parsed challenges (lib/axios/www-authenticate.ts), as every other decision
 * does: a DPoP error counts only as the `error` parameter of a `DPoP` challenge. The shapes below are those the
 * regexes over the raw header once got wrong, plus the ones they got right and must stay right.
 */
describe('which challenge a DPoP decision reads (one parser for every challenge)', () => {
  type Outcome = 'nonce replay' | 'refresh' | 'returned';
  const shapes: [string, string, Outcome][] = [
    [
      'regression: a Bearer challenge naming use_dpop_nonce beside a DPoP invalid_token',
      'Bearer error="use_dpop_nonce", DPoP error="invalid_token"',
      'refresh',
    ],
    ['a DPoP use_dpop_nonce after a Bearer invalid_token', 'Bearer error="invalid_token", DPoP error="use_dpop_nonce"', 'nonce replay'],
    [
      'regression: a DPoP invalid_token whose error_description mentions error=use_dpop_nonce',
      'DPoP error="invalid_token", error_description="not error=use_dpop_nonce: the token expired"',
      'refresh',
    ],
    [
      'regression: a quoted string with escaped quotes that contains a DPoP nonce challenge as text',
      'Bearer realm="say \\"hi\\", DPoP error=use_dpop_nonce"',
      'returned',
    ],
    ['regression: use_dpop_nonce written with quoted-pairs', 'DPoP error="use\\_dpop\\_nonce"', 'nonce replay'],
    ['a lower-case dpop scheme', 'dpop error="use_dpop_nonce"', 'nonce replay'],
    ['regression: a Foo challenge whose realm contains ",DPoP"', 'Foo realm="a,DPoP", error="use_dpop_nonce"', 'returned'],
    ['a Foo challenge whose realm is "DPoP"', 'Foo realm="DPoP"', 'returned'],
    ['regression: a Foo challenge with a parameter named dpop', 'Foo a=1, dpop=2, error="use_dpop_nonce"', 'returned'],
    ['regression: another scheme that starts with DPoP-', 'DPoP-Legacy error="use_dpop_nonce"', 'returned'],
  ];

  it.each(shapes)('%s', async (_name, challenge, outcome) => {
    const { api, mock, fetchToken } = setup();
    mock.onGet(`${API}/a`).replyOnce(401, {}, { 'www-authenticate': challenge, 'dpop-nonce': 'n-1' }).onGet(`${API}/a`).reply(200, 'ok');
    const result = await api.get('/a').then(
      () => 'ok',
      (error: { response?: { status?: number } }) => error.response?.status,
    );
    if (outcome === 'returned') {
      expect(result).toBe(401);
      expect(mock.history.get).toHaveLength(1);
      expect(fetchToken).toHaveBeenCalledTimes(1);
    } else {
      expect(result).toBe('ok');
      const sent = mock.history.get.map((c) => claimsOf(headerOf(c, 'DPoP')));
      expect(sent).toHaveLength(2);
      // A nonce replay keeps the token; a refresh gets a new one (and the nonce harvested from the 401 either way).
      expect(fetchToken).toHaveBeenCalledTimes(outcome === 'nonce replay' ? 1 : 2);
      expect(sent[1]!.nonce).toBe('n-1');
    }
  });

  it('regression: corrects the clock for a DPoP invalid_dpop_proof only, not for a Bearer challenge naming it', async () => {
    const { api, mock, fetchToken } = setup();
    const date = new Date(Date.now() + 600_000).toUTCString();
    mock
      .onGet(`${API}/a`)
      .replyOnce(401, {}, { 'www-authenticate': 'Bearer error="invalid_dpop_proof", DPoP error="invalid_token"', date })
      .onGet(`${API}/a`)
      .reply(200, 'ok');
    await expect(api.get('/a')).resolves.toMatchObject({ data: 'ok' });
    const [first, second] = mock.history.get.map((c) => claimsOf(headerOf(c, 'DPoP')).iat as number);
    // invalid_token: a refresh and one replay, with the clock as it was.
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(Math.abs(second! - first!)).toBeLessThan(5);
  });

  it('corrects the clock for a lower-case dpop invalid_dpop_proof among other challenges', async () => {
    const { api, mock, fetchToken } = setup();
    const date = new Date(Date.now() + 600_000).toUTCString();
    // Two header lines, as Node's http client gives a repeated WWW-Authenticate.
    const challenges = ['Bearer realm="api"', 'dpop algs="ES256", error="invalid_dpop_proof"'] as unknown as string;
    mock.onGet(`${API}/a`).replyOnce(401, {}, { 'www-authenticate': challenges, date }).onGet(`${API}/a`).reply(200, 'ok');
    await expect(api.get('/a')).resolves.toMatchObject({ data: 'ok' });
    const [first, second] = mock.history.get.map((c) => claimsOf(headerOf(c, 'DPoP')).iat as number);
    expect(second! - first!).toBeGreaterThanOrEqual(595);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });
});

describe('the DPoP header and redirects', () => {
  it('is removed on every redirect hop, within the origin too (its htu is the first URL)', () => {
    const guard = createRedirectGuard(['Authorization'], ['DPoP']);
    const headers: Record<string, unknown> = { Authorization: 'DPoP at', DPoP: 'proof' };
    guard({ href: `${API}/moved`, headers }, {}, { url: `${API}/a` });
    expect(headers).toEqual({ Authorization: 'DPoP at' });
    guard({ href: 'https://elsewhere.example/', headers }, {}, { url: `${API}/moved` });
    expect(headers).toEqual({});
  });
});

describe('the dpop option', () => {
  const fetchToken = async () => 'at';
  it('refuses a per-process key with a storage shared by processes', () => {
    const storage = redisStorage({ client: { sendCommand: async () => null }, key: 'k' });
    expect(() => attachOAuth(axios.create({ baseURL: API }), { fetchToken, storage, dpop: true })).toThrow(
      /"options.dpop" true makes a key per process.*Pass one key pair to every process/,
    );
  });

  it('uses the key pair a shared browserStorage keeps instead of refusing it (issue 11)', () => {
    const scope = globalThis as Record<string, unknown>;
    const saved = { navigator: scope.navigator, indexedDB: scope.indexedDB, BroadcastChannel: scope.BroadcastChannel };
    const requested: string[] = [];
    const locks = {
      request: (name: string, _options: unknown, fn: () => Promise<unknown>) => {
        requested.push(name);
        return fn();
      },
    };
    Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true, writable: true });
    scope.indexedDB = { open: () => ({}) };
    scope.BroadcastChannel = class {
      postMessage(): void {}
      addEventListener(): void {}
      close(): void {}
    };
    try {
      const storage = browserStorage({ key: 'dpop-tabs' });
      expect(storage.shared).toBe(true);
      expect(() => attachOAuth(axios.create({ baseURL: API }), { fetchToken, storage, dpop: true })).not.toThrow();
      // The key pair is loaded (or made) under a lock of its own, not the token's: a refresh signs under that one.
      expect(requested).toEqual(['axios-oauth-lock:axios-oauth-lock:dpop-tabs:dpop-key-pair']);
    } finally {
      Object.defineProperty(globalThis, 'navigator', { value: saved.navigator, configurable: true, writable: true });
      if (saved.indexedDB === undefined) delete scope.indexedDB;
      else scope.indexedDB = saved.indexedDB;
      scope.BroadcastChannel = saved.BroadcastChannel;
    }
  });

  it('signs with the key pair the storage hands out for `dpop: true`, not a new one', async () => {
    const keyPair = await generateDPoPKeyPair();
    const generate = jest.fn();
    const storage = {
      get: () => null,
      set: () => undefined,
      delete: () => undefined,
      [Symbol.for('axios-oauth-lock.dpopKeyPairStore')]: async (make: () => Promise<CryptoKeyPair>) => {
        generate(make);
        return keyPair;
      },
    };
    const api = axios.create({ baseURL: API });
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    mock.onGet(`${API}/orders`).reply(200);
    const dpopFetchToken = async () => ({ accessToken: 'at-k', tokenType: 'DPoP' });
    attachOAuth(api, { fetchToken: dpopFetchToken, storage, dpop: true });
    await api.get('/orders');
    expect(generate).toHaveBeenCalledTimes(1);
    const [header] = String(headerOf(mock.history.get[0]!, 'DPoP')).split('.');
    const jwk = (JSON.parse(new TextDecoder().decode(base64urlDecode(header!))) as { jwk: unknown }).jwk;
    expect(jwk).toEqual(await publicJwk(keyPair.publicKey));
  });

  it('regression: a failed first key generation of `dpop: true` does not fail every later request', async () => {
    const real = crypto.subtle.generateKey.bind(crypto.subtle);
    const generateKey = jest
      .spyOn(crypto.subtle, 'generateKey')
      .mockImplementationOnce(async () => {
        throw Object.assign(new Error('key generation failed'), { name: 'OperationError' });
      })
      .mockImplementation(real);
    try {
      const { api, mock } = setup();
      mock.onGet(`${API}/a`).reply(200, 'ok');
      await expect(api.get('/a')).rejects.toMatchObject({ name: 'DPoPKeyError', code: 'ERR_DPOP_KEY_UNAVAILABLE' });
      await expect(api.get('/a')).resolves.toMatchObject({ data: 'ok' });
      expect(generateKey).toHaveBeenCalledTimes(2);
      expect(mock.history.get).toHaveLength(1); // nothing is sent without its proof
    } finally {
      generateKey.mockRestore();
    }
  });

  it('regression: a failed first load of the key pair a storage keeps is tried again by the next request', async () => {
    const keyPair = await generateDPoPKeyPair();
    const refused = Object.assign(new Error('IndexedDB refused'), { name: 'QuotaExceededError' });
    const loads = jest.fn(async (_make: () => Promise<CryptoKeyPair>): Promise<CryptoKeyPair> => keyPair).mockRejectedValueOnce(refused);
    const storage = {
      get: () => null,
      set: () => undefined,
      delete: () => undefined,
      [Symbol.for('axios-oauth-lock.dpopKeyPairStore')]: loads,
    };
    const api = axios.create({ baseURL: API });
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    mock.onGet(`${API}/a`).reply(200, 'ok');
    attachOAuth(api, { fetchToken: async () => ({ accessToken: 'at-k', tokenType: 'DPoP' }), storage, dpop: true });

    const error = (await api.get('/a').catch((e: unknown) => e)) as { code?: string; cause?: unknown };
    expect(error).toMatchObject({ code: 'ERR_DPOP_KEY_UNAVAILABLE', cause: refused });
    await expect(api.get('/a')).resolves.toMatchObject({ data: 'ok' });
    expect(loads).toHaveBeenCalledTimes(2);
    const [header] = String(headerOf(mock.history.get[0]!, 'DPoP')).split('.');
    expect((JSON.parse(new TextDecoder().decode(base64urlDecode(header!))) as { jwk: unknown }).jwk).toEqual(
      await publicJwk(keyPair.publicKey),
    );
  });

  it('accepts one key pair for every process, and refuses anything else', async () => {
    const keyPair = await generateDPoPKeyPair();
    expect(() => attachOAuth(axios.create({ baseURL: API }), { fetchToken, dpop: keyPair })).not.toThrow();
    expect(() => attachOAuth(axios.create({ baseURL: API }), { fetchToken, dpop: {} as CryptoKeyPair })).toThrow(
      '"options.dpop" must be true or a CryptoKeyPair',
    );
    const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const fake = {
      privateKey: hmac,
      publicKey: await crypto.subtle.importKey('jwk', await publicJwk(keyPair.publicKey), { name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'verify',
      ]),
    };
    expect(() => attachOAuth(axios.create({ baseURL: API }), { fetchToken, dpop: fake })).toThrow(TypeError);
  });
});

describe('DPoP with a shared TokenManager', () => {
  it('signs with the manager’s proof maker on every instance, and refuses dpop beside tokenManager', async () => {
    const keyPair = await generateDPoPKeyPair();
    const tokens = new TokenManager({
      fetchToken: async () => ({ accessToken: 'at-s', tokenType: 'DPoP' }),
      dpop: createDPoPProofMaker(keyPair),
    });
    const a = axios.create({ baseURL: API });
    const b = axios.create({ baseURL: API });
    const mockA = new MockAdapter(a, { onNoMatch: 'throwException' });
    const mockB = new MockAdapter(b, { onNoMatch: 'throwException' });
    mockA.onGet(`${API}/a`).reply(200);
    mockB.onGet(`${API}/b`).reply(200);
    attachOAuth(a, { tokenManager: tokens });
    attachOAuth(b, { tokenManager: tokens });
    await Promise.all([a.get('/a'), b.get('/b')]);
    for (const sent of [mockA.history.get[0]!, mockB.history.get[0]!]) {
      expect(headerOf(sent, 'Authorization')).toBe('DPoP at-s');
      expect(claimsOf(headerOf(sent, 'DPoP')).ath).toBe(createHash('sha256').update('at-s').digest('base64url'));
    }
    expect(() => attachOAuth(axios.create({ baseURL: API }), { tokenManager: tokens, dpop: true })).toThrow(
      '"options.dpop" cannot be combined with "options.tokenManager"',
    );
  });
});
