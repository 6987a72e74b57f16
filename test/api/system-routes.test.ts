/** /exportSystem and /importSystem: a whole system, as SystemData, out and back in, losing nothing. */
import { describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { MAX_SERVERS, System } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { call, sampleApi, smallSample } from './client.js';

describe('/exportSystem and /importSystem', () => {
  it('export answers the system as SystemData, its optimizer spec and the models without perf data included', async () => {
    const { api, store } = sampleApi();
    expect((await call(api, 'GET', '/addModel/no_perf_yet')).status).toBe(200);
    expect((await call(api, 'POST', '/optimize', { optimizer: { saturationPolicy: 'RoundRobin', milpSolver: false } })).status).toBe(200);
    const { status, body } = await call(api, 'GET', '/exportSystem');
    expect(status).toBe(200);
    const system = await store.read();
    expect(body).toEqual(JSON.parse(JSON.stringify(system.toSnapshot())));
    expect(body.system.optimizerData.optimizer.saturationPolicy).toBe('RoundRobin');
    expect(body.models).toContain('no_perf_yet');
    expect(body.system.serverData.servers.every((server: { desiredAlloc: { accelerator: string } }) => server.desiredAlloc.accelerator !== '')).toBe(true);
  });

  it('import then export gives the same bytes: allocations, optimizer spec and models kept, nothing optimized', async () => {
    const source = sampleApi();
    await call(source.api, 'GET', '/addModel/no_perf_yet');
    await call(source.api, 'POST', '/optimize', { optimizer: { saturationPolicy: 'PriorityExhaustive' } });
    const exported = await call(source.api, 'GET', '/exportSystem');
    const target = createApi({ store: new MemorySystemStore() });
    expect(await call(target, 'POST', '/importSystem', exported.body)).toMatchObject({ status: 200, body: { servers: 15 } });
    const again = await call(target, 'GET', '/exportSystem');
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(exported.body));
    expect((await call(target, 'GET', '/explain/Premium-llama_13b')).body.allocation).toEqual(
      (await call(source.api, 'GET', '/explain/Premium-llama_13b')).body.allocation,
    );
  });

  it('takes any SystemData (keys in any case, models left out) in place of the whole system', async () => {
    const { api } = sampleApi();
    expect((await call(api, 'POST', '/addAccelerator', { name: 'gone-after-import', cost: 1 })).status).toBe(200);
    const sample = SAMPLES.small as { system: object };
    expect(await call(api, 'POST', '/importSystem', { System: { ...sample.system, optimizerData: { optimizer: { milpSolver: true } } } })).toMatchObject({
      status: 200,
      body: { servers: 15 },
    });
    expect((await call(api, 'GET', '/getAccelerator/gone-after-import')).status).toBe(404);
    const { body } = await call(api, 'GET', '/exportSystem');
    const expected = System.fromSpec(smallSample().system).toSnapshot();
    expect(body.models).toEqual(expected.models);
    expect(body.system.optimizerData.optimizer.milpSolver).toBe(true);
    expect(body.system.serverData).toEqual(JSON.parse(JSON.stringify(expected.system.serverData)));
  });

  it('refuses an invalid system or one over the limits with a 400 naming the field, and keeps the stored one', async () => {
    const { api, store } = sampleApi();
    const before = (await store.read()).toSnapshot();
    const server = { name: 's', class: 'Free', model: 'm' };
    for (const [body, path] of [
      [{ system: { serverData: { servers: [{ name: 1 }] } } }, 'system.serverData.servers.0.name'],
      [{ system: {}, models: ['a', 7] }, 'models.1'],
      [{ system: { serverData: { servers: Array.from({ length: MAX_SERVERS + 1 }, (_, i) => ({ ...server, name: `s${i}` })) } } }, 'system.serverData.servers'],
      ['[1, 2]', '(body)'],
    ] as const) {
      const answer = await call(api, 'POST', '/importSystem', body);
      expect(answer.status, path).toBe(400);
      expect(answer.body.issues.map((issue: { path: string }) => issue.path), path).toContain(path);
    }
    expect((await store.read()).toSnapshot()).toEqual(before);
  });

  it('are not served in stateless mode, which keeps no system of its own', async () => {
    const { api } = sampleApi('stateless');
    expect((await call(api, 'GET', '/exportSystem')).status).toBe(404);
    expect((await call(api, 'POST', '/importSystem', {})).status).toBe(404);
  });
});
