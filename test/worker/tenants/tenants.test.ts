/**
 * Tenants inside workerd, with INFERNO_TOKEN set (vitest.config.ts): the shared suite of
 * test/http/tenants.ts, then what only a look inside the Durable Objects shows.
 */
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { SAMPLES } from '../../../src/samples/index.js';
import { answerBody } from '../../api/access-cases.js';
import { describeTenants, type Answer } from '../../http/tenants.js';

const ADMIN = env.INFERNO_TOKEN as string;

async function send(token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit = { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await exports.default.fetch(new Request(`http://inferno.test${path}`, init));
  return { status: response.status, headers: response.headers, body: await answerBody(response, `${method} ${path}`) };
}

const stub = (systemId: string) => env.SYSTEMS.get(env.SYSTEMS.idFromName(systemId));

describeTenants('the Worker inside workerd, with INFERNO_TOKEN', { send, admin: ADMIN });

// requests with writes, each reported to the registry: slow on a loaded 2-core machine
describe('inside the Durable Objects', { timeout: 60_000 }, () => {
  it('a delete drops the tables of the system and keeps only its token floor, raised, in one transaction', async () => {
    expect((await send(ADMIN, 'POST', '/systems/dropped/importSystem', SAMPLES.small)).status).toBe(200);
    expect((await send(ADMIN, 'POST', '/systems/dropped/deleteSystem')).status).toBe(200);
    const { tables, rows, floor } = await runInDurableObject(stub('dropped'), (_, state) => ({
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name")
        .toArray()
        .map((table) => table.name),
      rows: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM system_snapshot').one().n,
      floor: state.storage.sql.exec<{ version: number }>('SELECT version FROM token_floor').one().version,
    }));
    // system_snapshot is the empty table of a system not stored again yet
    expect({ tables, rows, floor }).toEqual({ tables: ['system_snapshot', 'token_floor'], rows: 0, floor: 2 });
  });

  it('the token floor outlives a restart of the object', async () => {
    const issue = async () => (await send(ADMIN, 'POST', '/systems/restarted/issueToken', { scope: 'read' })).body.token as string;
    const old = await issue();
    expect((await send(ADMIN, 'POST', '/systems/restarted/revokeTokens')).body.version).toBe(2);
    await abortAllDurableObjects();
    expect((await send(old, 'GET', '/systems/restarted/getServers')).status).toBe(401);
    expect((await send(await issue(), 'GET', '/systems/restarted/getServers')).status).toBe(200);
  });

  it('a system object refuses a request that did not come through the Worker', async () => {
    const response = await stub('direct').fetch(new Request('http://inferno.test/getServers'));
    expect(response.status).toBe(403);
  });
});
