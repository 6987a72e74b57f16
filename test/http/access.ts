/**
 * The bearer token and CORS over real HTTP, for a server started with INFERNO_TOKEN and
 * INFERNO_CORS_ORIGINS set (in-process Node, or `wrangler dev --var`).
 */
import { describe, expect, it } from 'vitest';
import type { HttpTarget } from './suite.js';

export interface GuardedTarget extends HttpTarget {
  token: string;
  /** an origin on the server's CORS allow-list */
  allowedOrigin: string;
}

const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

export function describeAccess(name: string, target: GuardedTarget): void {
  describe(name, { timeout: 30_000 }, () => {
    const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      fetch(new URL(path, target.base()), { method, headers, body });
    const bearer = () => ({ authorization: `Bearer ${target.token}` });

    it('/health needs no token; every other verb answers 401 with a JSON body and WWW-Authenticate: Bearer', async () => {
      expect((await send('GET', '/health')).status).toBe(200);
      const prefix = target.systemPrefix();
      for (const [headers, message] of [
        [{}, 'authentication required: send the header Authorization: Bearer <token>'],
        [{ authorization: `Bearer ${target.token}-not` }, 'invalid token'],
      ] as const) {
        for (const path of [`${prefix}/getServers`, '/openapi.json', `${prefix}/noSuchVerb`]) {
          const response = await send('GET', path, headers);
          expect(response.status, path).toBe(401);
          expect(response.headers.get('www-authenticate'), path).toMatch(/^Bearer /);
          expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
          expect(await response.json(), path).toEqual({ message, issues: [] });
        }
      }
    });

    it('with the token the verbs answer; a refused write changes nothing and the connection goes on serving', async () => {
      const prefix = target.systemPrefix();
      const add = JSON.stringify({ name: 'guarded', cost: 3 });
      expect((await send('POST', `${prefix}/addAccelerator`, {}, add)).status).toBe(401);
      // a large body that is never read, then the next request
      expect((await send('POST', `${prefix}/setServers`, {}, JSON.stringify({ servers: [], padding: ' '.repeat(1 << 20) }))).status).toBe(401);
      expect((await send('GET', `${prefix}/getAccelerator/guarded`, bearer())).status).toBe(404);
      expect((await send('POST', `${prefix}/addAccelerator`, bearer(), add)).status).toBe(200);
      expect(await (await send('GET', `${prefix}/getAccelerator/guarded`, bearer())).json()).toMatchObject({ name: 'guarded', cost: 3 });
    });

    it('CORS: an allowed origin gets itself back with Vary: Origin, and its preflight is answered', async () => {
      const answer = await send('GET', `${target.systemPrefix()}/getServers`, { ...bearer(), origin: target.allowedOrigin });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(target.allowedOrigin);
      expect(answer.headers.get('vary')).toMatch(/\bOrigin\b/);
      const preflight = await send('OPTIONS', `${target.systemPrefix()}/setServers`, {
        origin: target.allowedOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(target.allowedOrigin);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    });

    it('CORS: another origin gets no Access-Control headers at all', async () => {
      const origin = 'https://elsewhere.example.org';
      const answer = await send('GET', `${target.systemPrefix()}/getServers`, { ...bearer(), origin });
      expect(answer.status).toBe(200);
      expect(corsHeaders(answer)).toEqual([]);
      const preflight = await send('OPTIONS', `${target.systemPrefix()}/getServers`, { origin, 'access-control-request-method': 'GET' });
      expect(preflight.status).toBe(401);
      expect(corsHeaders(preflight)).toEqual([]);
    });
  });
}
