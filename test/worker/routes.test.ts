/** The Worker inside workerd: which requests go to which system's Durable Object. */
import { listDurableObjectIds } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, readState, smallSample } from './client.js';

const hasObject = async (name: string) => {
  const id = env.SYSTEMS.idFromName(name);
  return (await listDurableObjectIds(env.SYSTEMS)).some((other) => other.equals(id));
};

describe('the Worker', () => {
  it('answers /health and /openapi.json itself, without a Durable Object', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok', mode: 'stateful' } });
    const { status, body } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toContain('/optimizeOne');
    expect(await call('POST', '/health', '{}')).toMatchObject({ status: 405 });
    expect(await listDurableObjectIds(env.SYSTEMS)).toEqual([]);
  });

  it('sends bare verbs to the Durable Object named default, which starts with the small sample', async () => {
    const { status, body } = await call('GET', '/getServers');
    expect(status).toBe(200);
    const names = smallSample().system.serverData.servers.map((server) => server.name).sort();
    expect(body.servers.map((server: { name: string }) => server.name)).toEqual(names);
    expect(await hasObject('default')).toBe(true);
    expect(await readState('/systems/default')).toEqual(await readState(''));
  });

  it('sends /systems/{id}/VERB to the Durable Object named id, which starts empty', async () => {
    expect(await readState('/systems/routes.new')).toEqual({ accelerators: [], capacities: [], models: [], serviceClasses: [], servers: [] });
    expect(await hasObject('routes.new')).toBe(true);
    expect(await call('GET', '/systems/routes.new/addServiceClass/Gold/5')).toMatchObject({ status: 200, body: { name: 'Gold', priority: 5 } });
    expect(await call('GET', '/systems/routes.new/getServiceClass/Gold')).toMatchObject({ status: 200, body: { priority: 5 } });
  });

  it('keeps systems apart: what one is told, no other sees', async () => {
    expect((await call('POST', '/systems/apart-a/addAccelerator', { name: 'only-a', cost: 1 })).status).toBe(200);
    expect((await call('POST', '/systems/apart-b/addAccelerator', { name: 'only-b', cost: 2 })).status).toBe(200);
    const names = async (prefix: string) =>
      (await call('GET', `${prefix}/getAccelerators`)).body.accelerators.map((a: { name: string }) => a.name);
    expect(await names('/systems/apart-a')).toEqual(['only-a']);
    expect(await names('/systems/apart-b')).toEqual(['only-b']);
    expect(await names('')).not.toContain('only-a');
    expect(await names('')).not.toContain('only-b');
  });

  it('refuses an invalid system id with a 400 that names it, and creates no Durable Object', async () => {
    const before = (await listDurableObjectIds(env.SYSTEMS)).length;
    for (const id of ['', 'a%20b', 'x'.repeat(65), '%C3%A9', 'a:b']) {
      const { status, body } = await call('GET', `/systems/${id}/getServers`);
      expect(status, id).toBe(400);
      expect(body.message, id).toBe(`systemId: must be 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" and "-", not "${id}"`);
      expect(body.issues, id).toHaveLength(1);
    }
    expect(await listDurableObjectIds(env.SYSTEMS)).toHaveLength(before);
    expect((await call('GET', `/systems/${'A-z_0.9'.repeat(9).slice(0, 64)}/getServers`)).status).toBe(200);
  });

  it('answers unknown verbs and wrong methods of a system as the API does', async () => {
    expect(await call('GET', '/systems/routes.verbs')).toMatchObject({ status: 404, body: { message: 'unknown verb /; /openapi.json lists them' } });
    expect(await call('GET', '/systems/routes.verbs/nope')).toMatchObject({ status: 404, body: { message: 'unknown verb /nope; /openapi.json lists them' } });
    const wrong = await call('GET', '/systems/routes.verbs/setServers');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('applies concurrent updates of one system one after the other, losing none', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `acc-${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(names.map((name) => call('POST', '/systems/routes.busy/addAccelerator', { name, cost: 1 })));
    expect(answers.map((answer) => answer.status)).toEqual(names.map(() => 200));
    const { body } = await call('GET', '/systems/routes.busy/getAccelerators');
    expect(body.accelerators.map((a: { name: string }) => a.name)).toEqual(names);
  });
});
