/**
 * The single-system form of the scopes (Node): INFERNO_TOKEN may do everything,
 * INFERNO_READ_TOKEN only read. Every verb of /openapi.json is sent with each, on a fresh
 * system each time, and the system is compared before and after.
 */
import { describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore, type Api } from '../../src/api/index.js';
import { System } from '../../src/core/index.js';
import { client, smallSample, type Answer } from '../client.js';
import { accessOf, alteredTokens, callsFor, documentedVerbs, type VerbCall } from './access-cases.js';

const ADMIN = 'admin-t0ken';
const READER = 'reader-t0ken';

function guardedApi(): { api: Api; store: MemorySystemStore } {
  const store = new MemorySystemStore(System.fromSpec(smallSample().system));
  return { api: createApi({ store, token: ADMIN, readToken: READER }), store };
}

function send(api: Api, call: VerbCall, token: string): Promise<Answer> {
  return client('http://inferno.test', (request) => api.fetch(request))(call.method, call.path, call.body, token);
}

const stored = async (store: MemorySystemStore) => (await store.read()).toSnapshot();

async function verbCalls(): Promise<VerbCall[]> {
  const { api } = guardedApi();
  return callsFor(documentedVerbs((await send(api, { verb: '', method: 'GET', path: '/openapi.json' }, READER)).body));
}

describe('INFERNO_TOKEN and INFERNO_READ_TOKEN', () => {
  it('the admin token opens every verb; each write verb really changes the system', async () => {
    const calls = await verbCalls();
    expect(calls.length).toBe(42);
    for (const call of calls) {
      const { api, store } = guardedApi();
      const before = await stored(store);
      expect((await send(api, call, ADMIN)).status, call.verb).toBe(200);
      if (accessOf(call.verb) === 'write') expect(await stored(store), call.verb).not.toEqual(before);
    }
  });

  it('the read token opens the read verbs, and gets a JSON 403 on every other verb with the system unchanged', async () => {
    const calls = await verbCalls();
    const refused: string[] = [];
    for (const call of calls) {
      const { api, store } = guardedApi();
      const before = await stored(store);
      const { status, body } = await send(api, call, READER);
      if (accessOf(call.verb) === 'read') {
        expect(status, call.verb).toBe(200);
      } else {
        refused.push(call.verb);
        expect(status, call.verb).toBe(403);
        const verb = `/${call.path.split('/')[1]}`;
        const why = accessOf(call.verb) === 'admin' ? `${verb} is for the admin: it needs the admin token (INFERNO_TOKEN)` : `${verb} changes the system: this token may only read`;
        expect(body, call.verb).toEqual({ message: why, issues: [] });
      }
      expect(await stored(store), call.verb).toEqual(before);
    }
    // GET remove…, add… by path and /applyAllocation are writes
    expect(refused).toEqual(expect.arrayContaining(['get /removeServer/{name}', 'get /addModel/{name}', 'get /addServiceClass/{name}/{priority}', 'get /applyAllocation']));
    expect(refused).toHaveLength(calls.filter((call) => accessOf(call.verb) !== 'read').length);
  });

  it('a read token is refused before its body is read: a bad body still gets the 403', async () => {
    const { api, store } = guardedApi();
    const before = await stored(store);
    const call: VerbCall = { verb: 'post /setServers', method: 'POST', path: '/setServers', body: '{"servers": [' };
    expect((await send(api, call, READER)).status).toBe(403);
    expect(await stored(store)).toEqual(before);
  });

  it('either token in a different case, with extra characters, or cut short gets a 401, on reads and writes alike', async () => {
    const { api, store } = guardedApi();
    const before = await stored(store);
    for (const token of [...alteredTokens(ADMIN), ...alteredTokens(READER)]) {
      for (const call of callsFor(['get /getServers', 'get /removeServer/{name}'])) {
        const { status, body } = await send(api, call, token);
        expect(status, `${token} ${call.verb}`).toBe(401);
        expect(body.message).toBe('invalid token');
      }
    }
    expect(await stored(store)).toEqual(before);
  });

  it('a read token needs the admin token: alone it would guard nothing', () => {
    expect(() => createApi({ store: new MemorySystemStore(), readToken: READER })).toThrow('a read token needs the admin token too');
  });
});
