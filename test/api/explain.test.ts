/** POST /explain and GET /explain/:server. */
import { describe, expect, it } from 'vitest';
import { explain, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { call, sampleApi, snapshot } from './client.js';

const large = parseWith(SystemDataSchema, SAMPLES.large);

describe('POST /explain', () => {
  it('explains every server of the given system and leaves the stored one alone', async () => {
    const { api, store } = sampleApi();
    const before = await snapshot(store);
    const { status, body } = await call(api, 'POST', '/explain', SAMPLES.large);
    expect(status).toBe(200);
    // Nothing to warn of: no warnings list.
    expect(body).toEqual(JSON.parse(JSON.stringify(explain(System.fromSpec(large.system), large.system.optimizerData.optimizer))));
    expect(body.servers.map((s: { server: string }) => s.server)).toEqual(large.system.serverData.servers.map((s) => s.name).sort());
    expect(await snapshot(store)).toEqual(before);
  });

  it('with scaleLoad and extraCapacity reports the servers that change', async () => {
    const { api } = sampleApi();
    const { status, body } = await call(api, 'POST', '/explain', { ...(SAMPLES.large as object), scaleLoad: 0.5, extraCapacity: { MI300X: 100 } });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['baseline', 'changes', 'scenario']);
    expect(body.changes.length).toBeGreaterThan(0);
    const mixtral = body.changes.find((c: { server: string }) => c.server === 'Free-mixtral_8_7b');
    expect(mixtral).toMatchObject({ before: { status: 'best-effort' }, after: { status: 'allocated' } });
  });

  it('warns of unknown keys and of references to what the system does not have, and still explains', async () => {
    const { api } = sampleApi();
    const data = structuredClone(SAMPLES.small) as { system: Record<string, any> };
    data.system.serverData.servers[0].model = 'llama_13bX';
    data.system.acceleratorData.accelerators[0].multiplicty = 2;
    const { status, body } = await call(api, 'POST', '/explain', { ...data, scaleLoad: 2 });
    expect(status).toBe(200);
    const server = data.system.serverData.servers[0].name;
    expect(body.warnings).toEqual([
      'system.acceleratorData.accelerators.0.multiplicty: unknown key, ignored: did you mean multiplicity?',
      `system.serverData.servers.0.model: model llama_13bX has no perf data: server ${server} cannot be allocated`,
    ]);
    // The server's explanation names the missing model, not the class's lack of a target for it.
    expect(body.scenario.servers.find((s: { server: string }) => s.server === server)).toMatchObject({ status: 'unallocated', decision: 'model llama_13bX not found' });
  });

  it('names a bad what-if field', async () => {
    const { api } = sampleApi();
    const { status, body } = await call(api, 'POST', '/explain', { ...(SAMPLES.small as object), scaleLoad: -1 });
    expect(status).toBe(400);
    expect(body.issues).toEqual([{ path: 'scaleLoad', message: 'must be above 0' }]);
    const capacity = await call(api, 'POST', '/explain', { ...(SAMPLES.small as object), extraCapacity: { G2: 1.5 } });
    expect(capacity.status).toBe(400);
    expect(capacity.body.issues[0].path).toBe('extraCapacity.G2');
  });
});

describe('GET /explain/:server', () => {
  it('explains one server of the stored system under the spec it was last optimized with', async () => {
    const { api } = sampleApi();
    const spec = { unlimited: true };
    expect((await call(api, 'POST', '/optimize', spec)).status).toBe(200);
    const { status, body } = await call(api, 'GET', '/explain/Premium-granite_13b');
    expect(status).toBe(200);
    const data = parseWith(SystemDataSchema, SAMPLES.small);
    const expected = explain(System.fromSpec(data.system), { ...data.system.optimizerData.optimizer, unlimited: true, saturationPolicy: 'None' });
    expect(body).toEqual(JSON.parse(JSON.stringify(expected.servers.find((s) => s.server === 'Premium-granite_13b'))));
  });

  it('answers 404 naming an unknown server', async () => {
    const { api } = sampleApi();
    expect(await call(api, 'GET', '/explain/nobody')).toMatchObject({ status: 404, body: { message: 'server nobody not found' } });
  });

  it('is served in stateless mode, on the system of the last /optimizeOne', async () => {
    const { api } = sampleApi('stateless');
    expect((await call(api, 'POST', '/optimizeOne', SAMPLES.large)).status).toBe(200);
    const { status, body } = await call(api, 'GET', '/explain/Free-mixtral_8_7b');
    expect(status).toBe(200);
    expect(body).toMatchObject({ server: 'Free-mixtral_8_7b', status: 'best-effort' });
  });
});
