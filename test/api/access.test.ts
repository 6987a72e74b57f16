/** The bearer token and CORS, as createApi's options set them, at the router. */
import { describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore, parseCorsOrigins, type Api } from '../../src/api/index.js';
import { System } from '../../src/core/index.js';
import { call, smallSample, snapshot } from './client.js';

const TOKEN = 's3cret-tøken';
const APP = 'https://app.example.com';

function guardedApi(options: { token?: string; corsOrigins?: string[] }) {
  const store = new MemorySystemStore(System.fromSpec(smallSample().system));
  return { api: createApi({ store, ...options }), store };
}

function send(api: Api, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
  return api.fetch(new Request(`http://inferno.test${path}`, { method, headers, body }));
}

const CORS_HEADERS = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('without a token', () => {
  it('every verb answers without Authorization, and a stray one is ignored', async () => {
    const { api } = guardedApi({});
    expect((await send(api, 'GET', '/getServers')).status).toBe(200);
    expect((await send(api, 'GET', '/getServers', { authorization: 'Bearer whatever' })).status).toBe(200);
  });
});

describe('with a token', () => {
  const { api, store } = guardedApi({ token: TOKEN });

  it.each([
    ['no Authorization', {}, 'authentication required: send the header Authorization: Bearer <token>', 'Bearer realm="inferno-edge"'],
    ['another scheme', { authorization: `Basic ${TOKEN}` }, 'authentication required: send the header Authorization: Bearer <token>', 'Bearer realm="inferno-edge"'],
    ['a wrong token', { authorization: 'Bearer s3cret-tøke' }, 'invalid token', 'Bearer realm="inferno-edge", error="invalid_token"'],
    ['a longer token', { authorization: `Bearer ${TOKEN}x` }, 'invalid token', 'Bearer realm="inferno-edge", error="invalid_token"'],
    ['an empty token', { authorization: 'Bearer ' }, 'authentication required: send the header Authorization: Bearer <token>', 'Bearer realm="inferno-edge"'],
  ])('%s: 401 with a JSON body and WWW-Authenticate: Bearer', async (_what, headers, message, challenge) => {
    const response = await send(api, 'GET', '/getServers', headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    expect(await response.json()).toEqual({ message, issues: [] });
  });

  it('a refused write changes nothing; the same write with the token is done', async () => {
    const before = await snapshot(store);
    const body = JSON.stringify({ name: 'H100', cost: 80 });
    expect((await send(api, 'POST', '/addAccelerator', { authorization: 'Bearer nope' }, body)).status).toBe(401);
    expect((await send(api, 'GET', '/removeServer/Premium-llama_70b')).status).toBe(401);
    expect(await snapshot(store)).toEqual(before);
    expect((await send(api, 'POST', '/addAccelerator', { authorization: `Bearer ${TOKEN}` }, body)).status).toBe(200);
    expect((await store.read()).getAccelerator('H100')).toMatchObject({ cost: 80 });
  });

  it('the scheme is read in any case; every verb but /health needs the token, /openapi.json and unknown verbs too', async () => {
    expect((await send(api, 'GET', '/getServers', { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    expect((await send(api, 'GET', '/health')).status).toBe(200);
    for (const path of ['/openapi.json', '/getAccelerators', '/noSuchVerb', '/health/extra']) {
      expect((await send(api, 'GET', path)).status, path).toBe(401);
    }
    expect((await send(api, 'POST', '/optimize', {}, '{}')).status).toBe(401);
  });

  it('adds no CORS headers while CORS is off, whatever the Origin', async () => {
    for (const response of [
      await send(api, 'GET', '/getServers', { authorization: `Bearer ${TOKEN}`, origin: APP }),
      await send(api, 'OPTIONS', '/getServers', { origin: APP, 'access-control-request-method': 'GET' }),
    ]) {
      expect(CORS_HEADERS(response)).toEqual([]);
      expect(response.headers.get('vary')).toBeNull();
    }
  });
});

describe('CORS for an allow-list of origins', () => {
  const { api } = guardedApi({ token: TOKEN, corsOrigins: [APP, 'http://localhost:5173'] });

  it('an allowed origin gets its own origin back and Vary: Origin, on answers and refusals alike', async () => {
    const ok = await send(api, 'GET', '/getServers', { authorization: `Bearer ${TOKEN}`, origin: APP });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('vary')).toBe('Origin');
    const refused = await send(api, 'GET', '/getServers', { origin: 'http://localhost:5173' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('answers the preflight of an allowed origin without the token: methods, and headers Authorization and Content-Type', async () => {
    const preflight = await send(api, 'OPTIONS', '/setServers', {
      origin: APP,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'Authorization, Content-Type',
      vary: 'Origin',
    });
    expect(await preflight.text()).toBe('');
  });

  it('a disallowed origin, or a near miss of an allowed one, gets no CORS headers at all', async () => {
    for (const origin of ['https://evil.example.com', `${APP}/`, 'https://APP.example.com', 'http://app.example.com', 'null']) {
      const get = await send(api, 'GET', '/getServers', { authorization: `Bearer ${TOKEN}`, origin });
      expect(get.status, origin).toBe(200);
      expect(CORS_HEADERS(get), origin).toEqual([]);
      const preflight = await send(api, 'OPTIONS', '/getServers', { origin, 'access-control-request-method': 'GET' });
      expect(preflight.status, origin).toBe(401);
      expect(CORS_HEADERS(preflight), origin).toEqual([]);
    }
  });

  it('a request without Origin gets no CORS headers', async () => {
    const response = await send(api, 'GET', '/getServers', { authorization: `Bearer ${TOKEN}` });
    expect(CORS_HEADERS(response)).toEqual([]);
  });

  it('the errors of the API keep their status and body, with the CORS headers added', async () => {
    const { status, headers, body } = await call(
      createApi({ store: new MemorySystemStore(), corsOrigins: [APP] }),
      'GET',
      '/getServer/nobody',
    );
    expect({ status, body }).toEqual({ status: 404, body: { message: 'server nobody not found', issues: [] } });
    expect(headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await send(createApi({ store: new MemorySystemStore(), corsOrigins: [APP] }), 'GET', '/getServer/nobody', { origin: APP });
    expect(allowed.status).toBe(404);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
  });
});

describe('parseCorsOrigins', () => {
  it('reads a comma-separated list of exact origins, blanks ignored', () => {
    expect(parseCorsOrigins('')).toEqual([]);
    expect(parseCorsOrigins(' https://a.example.com , http://localhost:5173,,')).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });

  it.each(['*', 'https://a.example.com/', 'https://a.example.com/app', 'a.example.com', 'https://A.example.com'])(
    'refuses %s, naming it',
    (entry) => {
      expect(() => parseCorsOrigins(`https://ok.example.com,${entry}`)).toThrow(`INFERNO_CORS_ORIGINS: "${entry}" is not an origin`);
    },
  );
});
