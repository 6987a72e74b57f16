/**
 * Tokens, scopes and the lifecycle of systems, whatever serves them: the Worker inside workerd
 * (test/worker/tenants) and under `wrangler dev`, and the Node server in its single-system
 * form (INFERNO_READ_TOKEN). Every verb of the server's /openapi.json is tried with each kind
 * of token, and the systems are compared before and after through the admin's /exportSystem.
 * Only web APIs and vitest: workerd runs this file too.
 */
import { describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore, signSystemToken } from '../../src/api/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { accessOf, alteredTokens, callsFor, documentedVerbs, type VerbCall } from '../api/access-cases.js';
import type { Call } from '../client.js';

export interface TenantTarget {
  /** the client of the server under test (test/client.ts) */
  call: Call;
  /** the admin token (INFERNO_TOKEN) */
  admin: string;
  /** Node's single-system form: its read-only token; unset, the Worker's many systems and their tokens */
  readToken?: string;
}

/** the paths the Worker answers itself, outside any system */
const SERVICE = new Set(['/health', '/openapi.json', '/systems']);
/** generous: these send every verb, several times, on a loaded 2-core machine */
const SLOW = { timeout: 120_000 };

export function describeTenants(name: string, target: TenantTarget): void {
  const { admin: ADMIN } = target;
  const single = target.readToken !== undefined;
  /** a request with `token` as its bearer token (none if undefined) */
  const send = (token: string | undefined, method: string, path: string, body?: unknown) => target.call(method, path, body, token);
  const admin = (method: string, path: string, body?: unknown) => send(ADMIN, method, path, body);
  /** a system's path prefix: the Node server has only one */
  const prefix = (systemId: string) => (single ? '' : `/systems/${systemId}`);
  const within = (systemId: string, call: VerbCall) => (SERVICE.has(call.path) ? call.path : `${prefix(systemId)}${call.path}`);
  const sendCall = (token: string, systemId: string, call: VerbCall) => send(token, call.method, within(systemId, call), call.body);

  async function seed(systemId: string): Promise<void> {
    expect((await admin('POST', `${prefix(systemId)}/importSystem`, SAMPLES.small)).status).toBe(200);
  }

  /** The whole system, as the admin exports it. */
  async function exported(systemId: string): Promise<unknown> {
    const { status, body } = await admin('GET', `${prefix(systemId)}/exportSystem`);
    expect(status).toBe(200);
    return body;
  }

  async function issue(systemId: string, scope: 'read' | 'write'): Promise<string> {
    if (target.readToken !== undefined && scope === 'read') return target.readToken;
    const { status, body } = await admin('POST', `/systems/${systemId}/issueToken`, { scope });
    expect(status).toBe(200);
    return body.token;
  }

  async function verbCalls(): Promise<VerbCall[]> {
    return callsFor(documentedVerbs((await admin('GET', '/openapi.json')).body));
  }

  async function listed(): Promise<Map<string, { servers: number; lastChange: string }>> {
    const { status, body } = await admin('GET', '/systems');
    expect(status).toBe(200);
    return new Map(body.systems.map(({ id, ...rest }: { id: string; servers: number; lastChange: string }) => [id, rest]));
  }

  describe(name, SLOW, () => {
    it('the admin token opens every verb; each write verb changes its system', async () => {
      const calls = await verbCalls();
      expect(calls.length).toBe(single ? 42 : 46);
      for (const call of calls) {
        // the system as the sample before each, so that each verb finds what it names
        await seed('admin-all');
        const before = await exported('admin-all');
        expect((await sendCall(ADMIN, 'admin-all', call)).status, call.verb).toBe(200);
        if (accessOf(call.verb) === 'write') expect(await exported('admin-all'), call.verb).not.toEqual(before);
      }
    });

    it('a read token opens the read verbs and gets a JSON 403 on every write and admin verb, the system unchanged', async () => {
      await seed('reader');
      const token = await issue('reader', 'read');
      const before = await exported('reader');
      const refused: string[] = [];
      for (const call of await verbCalls()) {
        const { status, body } = await sendCall(token, 'reader', call);
        if (accessOf(call.verb) === 'read') {
          expect(status, call.verb).toBe(200);
          continue;
        }
        refused.push(call.verb);
        expect(status, call.verb).toBe(403);
        const verb = `/${call.path.split('/')[1]}`;
        expect(body, call.verb).toEqual({
          message:
            accessOf(call.verb) === 'admin'
              ? `${verb} is for the admin: it needs the admin token (INFERNO_TOKEN)`
              : `${verb} changes the system: this token may only read`,
          issues: [],
        });
      }
      expect(await exported('reader')).toEqual(before);
      // GET remove…, add… by path and /applyAllocation are writes
      expect(refused).toEqual(
        expect.arrayContaining(['get /removeServer/{name}', 'get /addModel/{name}', 'get /addServiceClass/{name}/{priority}', 'get /applyAllocation', 'post /optimizeOne']),
      );
    });

    it('a token in a different case, with extra characters, or cut short gets 401, and changes nothing', async () => {
      await seed('altered');
      const tokens = [ADMIN, await issue('altered', 'read'), ...(single ? [] : [await issue('altered', 'write')])];
      const before = await exported('altered');
      for (const token of tokens.flatMap(alteredTokens)) {
        for (const path of ['/getServers', '/removeServer/Free-llama_13b']) {
          const { status, headers, body } = await send(token, 'GET', `${prefix('altered')}${path}`);
          expect(status, `${token} ${path}`).toBe(401);
          expect(headers.get('www-authenticate')).toBe('Bearer realm="inferno-edge", error="invalid_token"');
          expect(body).toEqual({ message: 'invalid token', issues: [] });
        }
      }
      expect((await send(undefined, 'GET', `${prefix('altered')}/getServers`)).status).toBe(401);
      expect(await exported('altered')).toEqual(before);
    });

    it('a system moves between servers through /exportSystem and /importSystem, to the same bytes', async () => {
      await seed('moved');
      expect((await admin('GET', `${prefix('moved')}/addModel/no_perf_yet`)).status).toBe(200);
      expect((await admin('POST', `${prefix('moved')}/optimize`, { optimizer: { saturationPolicy: 'RoundRobin' } })).status).toBe(200);
      const backup = await exported('moved');
      // into the API of a Node server, in this process, and back
      const elsewhere = createApi({ store: new MemorySystemStore() });
      const viaElsewhere = async (method: string, path: string, body?: unknown) =>
        (await elsewhere.fetch(new Request(`http://elsewhere.test${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) }))).json();
      await viaElsewhere('POST', '/importSystem', backup);
      const there = await viaElsewhere('GET', '/exportSystem');
      expect(JSON.stringify(there)).toBe(JSON.stringify(backup));
      expect((await admin('POST', `${prefix('moved')}/importSystem`, {})).status).toBe(200);
      expect((await admin('POST', `${prefix('moved')}/importSystem`, there)).status).toBe(200);
      expect(JSON.stringify(await exported('moved'))).toBe(JSON.stringify(backup));
    });

    if (single) return;

    it("a system's token, read or write, gets 403 on every verb of another system and of the default one, which stay unchanged", async () => {
      await seed('team-a');
      await seed('team-b');
      const tokens = [await issue('team-a', 'read'), await issue('team-a', 'write')];
      const before = { b: await exported('team-b'), default: await exported('default') };
      for (const call of await verbCalls()) {
        if (SERVICE.has(call.path)) continue;
        for (const token of tokens) {
          for (const [path, other] of [[`/systems/team-b${call.path}`, 'team-b'], [call.path, 'default']]) {
            const { status, body } = await send(token, call.method, path, call.body);
            expect(status, `${call.verb} on ${other}`).toBe(403);
            expect(body).toEqual({ message: `this token opens system team-a only, not ${other}`, issues: [] });
          }
        }
      }
      expect({ b: await exported('team-b'), default: await exported('default') }).toEqual(before);
      // outside any system: /health and /openapi.json are reads, the list of systems is the admin's
      for (const token of tokens) {
        expect((await send(token, 'GET', '/health')).status).toBe(200);
        expect((await send(token, 'GET', '/openapi.json')).status).toBe(200);
        expect(await send(token, 'GET', '/systems')).toMatchObject({
          status: 403,
          body: { message: '/systems is for the admin: it needs the admin token (INFERNO_TOKEN)' },
        });
      }
    });

    it('a write token opens every read and write verb of its system (each write changes it), but no admin verb', async () => {
      const token = await issue('writer', 'write');
      for (const call of await verbCalls()) {
        await seed('writer');
        const before = await exported('writer');
        const { status } = await sendCall(token, 'writer', call);
        const access = accessOf(call.verb);
        expect(status, call.verb).toBe(access === 'admin' ? 403 : 200);
        if (access === 'write') expect(await exported('writer'), call.verb).not.toEqual(before);
        else expect(await exported('writer'), call.verb).toEqual(before);
      }
    });

    it('tokens issued over HTTP are those the CLI signs offline, of the version the system accepts', async () => {
      const { body } = await admin('POST', '/systems/issued/issueToken', { scope: 'read' });
      const offline = await signSystemToken(ADMIN, { systemId: 'issued', scope: 'read', version: 1 });
      expect(body).toEqual({ systemId: 'issued', scope: 'read', version: 1, token: offline });
      expect((await admin('POST', '/systems/issued/issueToken', {})).body.scope).toBe('write');
      expect(await admin('POST', '/systems/issued/issueToken', { scope: 'admin' })).toMatchObject({ status: 400, body: { issues: [{ path: 'scope' }] } });
    });

    it('after revokeTokens the old tokens get 401 on every verb of the system; tokens of the new version work', async () => {
      await seed('revoked');
      const old = [await issue('revoked', 'read'), await issue('revoked', 'write')];
      expect((await send(old[1], 'GET', '/systems/revoked/getServers')).status).toBe(200);
      expect(await admin('POST', '/systems/revoked/revokeTokens')).toMatchObject({ status: 200, body: { systemId: 'revoked', version: 2 } });
      const before = await exported('revoked');
      for (const call of await verbCalls()) {
        if (SERVICE.has(call.path)) continue;
        for (const token of old) {
          const { status, headers, body } = await sendCall(token, 'revoked', call);
          expect(status, call.verb).toBe(401);
          expect(headers.get('www-authenticate')).toBe('Bearer realm="inferno-edge", error="invalid_token"');
          expect(body.message).toBe('revoked token: system revoked accepts tokens of version 2 and later');
        }
      }
      expect(await exported('revoked')).toEqual(before);
      const renewed = await issue('revoked', 'write');
      expect(renewed).toBe(await signSystemToken(ADMIN, { systemId: 'revoked', scope: 'write', version: 2 }));
      expect((await send(renewed, 'GET', '/systems/revoked/removeServer/Free-llama_13b')).status).toBe(200);
      // a token of a later version, issued offline ahead of time, is accepted too
      const ahead = await signSystemToken(ADMIN, { systemId: 'revoked', scope: 'read', version: 5 });
      expect((await send(ahead, 'GET', '/systems/revoked/getServers')).status).toBe(200);
    });

    it('the registry lists a system once something is written to it, with its number of servers and last change', async () => {
      expect((await admin('GET', '/systems/listed/getServers')).status).toBe(200);
      expect((await listed()).has('listed')).toBe(false);
      await seed('listed');
      const first = (await listed()).get('listed');
      expect(first?.servers).toBe(15);
      expect(first?.lastChange).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect((await admin('GET', '/systems/listed/removeServer/Free-llama_13b')).status).toBe(200);
      const second = (await listed()).get('listed');
      expect(second?.servers).toBe(14);
      expect(Date.parse(second?.lastChange ?? '')).toBeGreaterThanOrEqual(Date.parse(first?.lastChange ?? ''));
      // a refused change is no change
      expect((await admin('GET', '/systems/never/removeServer/nobody')).status).toBe(404);
      expect((await listed()).has('never')).toBe(false);
      const ids = [...(await listed()).keys()];
      expect(ids).toEqual([...ids].sort());
    });

    it('the registry stays what the systems hold while creates, changes and deletes of the same systems interleave', async () => {
      const ids = Array.from({ length: 8 }, (_, i) => `race-${i}`);
      for (let round = 0; round < 3; round++) {
        const requests = ids.flatMap((id, i) => {
          const create = () => admin('POST', `/systems/${id}/importSystem`, SAMPLES.small);
          const change = () => admin('GET', `/systems/${id}/removeServer/Free-llama_13b`);
          const remove = () => admin('POST', `/systems/${id}/deleteSystem`);
          // a different sequence per system and round, all sent at once
          const steps = [create, change, remove, create, remove, change];
          return steps.slice((i + round) % 3, ((i + round) % 3) + 3 + (i % 2));
        });
        const answers = await Promise.all(requests.map((request) => request()));
        for (const { status } of answers) expect([200, 404]).toContain(status);
        const registry = await listed();
        for (const id of ids) {
          // every write leaves 14 or 15 servers, a delete none: a system exists exactly when it has servers
          const servers = (await admin('GET', `/systems/${id}/getServers`)).body.servers.length;
          expect(registry.has(id), `${id}, round ${round}`).toBe(servers > 0);
          if (servers > 0) expect(registry.get(id)?.servers, `${id}, round ${round}`).toBe(servers);
        }
      }
    });

    it('delete: the system starts empty, is no longer listed and refuses its tokens; the default one gets the sample back', async () => {
      await seed('doomed');
      const token = await issue('doomed', 'write');
      expect(await admin('POST', '/systems/doomed/deleteSystem')).toMatchObject({ status: 200, body: { systemId: 'doomed', version: 2 } });
      expect((await listed()).has('doomed')).toBe(false);
      expect((await admin('GET', '/systems/doomed/getServers')).body).toEqual({ servers: [] });
      expect((await send(token, 'GET', '/systems/doomed/getServers')).status).toBe(401);
      expect(await admin('POST', '/systems/doomed/deleteSystem')).toMatchObject({ status: 404, body: { message: 'system doomed not found' } });

      expect((await admin('POST', '/addAccelerator', { name: 'before-delete', cost: 1 })).status).toBe(200);
      expect((await admin('POST', '/deleteSystem')).status).toBe(200);
      expect((await admin('GET', '/getAccelerator/before-delete')).status).toBe(404);
      expect((await admin('GET', '/getServers')).body.servers).toHaveLength(15);
      expect((await listed()).has('default')).toBe(false);
    });
  });
}
