/**
 * Tenants inside workerd, with INFERNO_TOKEN set (vitest.config.ts): the shared suite of
 * test/http/tenants.ts, then what only a look inside the Durable Objects shows.
 */
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { SAMPLES } from '../../../src/samples/index.js';
import { describeTenants } from '../../http/tenants.js';
import { call } from '../client.js';

const ADMIN = env.INFERNO_TOKEN as string;
/** a request with `token` as its bearer token */
const send = (token: string, method: string, path: string, body?: unknown) => call(method, path, body, token);

const stub = (systemId: string) => env.SYSTEMS.get(env.SYSTEMS.idFromName(systemId));

describeTenants('the Worker inside workerd, with INFERNO_TOKEN', { call, admin: ADMIN });

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
