/**
 * The limits of src/core/limits.ts at the router: per request (the schemas) and per stored
 * system (the routes), each a 4xx naming the limit, leaving the system as it was.
 */
import { describe, expect, it } from 'vitest';
import { createApi, MAX_BODY_BYTES, MemorySystemStore } from '../../src/api/index.js';
import {
  MAX_ACCELERATORS,
  MAX_BATCH_SIZE,
  MAX_CAPACITIES,
  MAX_MODEL_PERF,
  MAX_MODEL_TARGETS,
  MAX_MODELS,
  MAX_SERVERS,
  MAX_SERVICE_CLASSES,
  System,
} from '../../src/core/index.js';
import { call, sampleApi, snapshot } from './client.js';

const range = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i);

describe('per request', () => {
  it.each([
    ['/setServers', { servers: range(MAX_SERVERS + 1).map((i) => ({ name: `s${i}` })) }, 'servers', `at most ${MAX_SERVERS} servers are allowed`],
    ['/setAccelerators', { accelerators: range(MAX_ACCELERATORS + 1).map((i) => ({ name: `a${i}` })) }, 'accelerators', `at most ${MAX_ACCELERATORS} accelerators are allowed`],
    ['/setCapacities', { count: range(MAX_CAPACITIES + 1).map((i) => ({ type: `t${i}` })) }, 'count', `at most ${MAX_CAPACITIES} capacity counts are allowed`],
    ['/setServiceClasses', { serviceClasses: range(MAX_SERVICE_CLASSES + 1).map((i) => ({ name: `c${i}` })) }, 'serviceClasses', `at most ${MAX_SERVICE_CLASSES} service classes are allowed`],
    ['/setModels', { models: range(MAX_MODEL_PERF + 1).map(() => ({})) }, 'models', `at most ${MAX_MODEL_PERF} perf data entries are allowed`],
    ['/addServiceClassModelTargets', { name: 'Premium', modelTargets: range(MAX_MODEL_TARGETS + 1).map(() => ({})) }, 'modelTargets', `at most ${MAX_MODEL_TARGETS} model targets are allowed`],
    ['/optimizeOne', { system: { serverData: { servers: range(MAX_SERVERS + 1).map(() => ({})) } } }, 'system.serverData.servers', `at most ${MAX_SERVERS} servers are allowed`],
    ['/addServer', { name: 's', maxBatchSize: MAX_BATCH_SIZE + 1 }, 'maxBatchSize', `must be at most ${MAX_BATCH_SIZE} (the batch size limit)`],
  ])('POST %s over the limit: 400 naming it, nothing changed', async (path, body, field, message) => {
    const { api, store } = sampleApi();
    const before = await snapshot(store);
    const answer = await call(api, 'POST', path, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ message: `${field}: ${message}`, issues: [{ path: field, message }] });
    expect(await snapshot(store)).toEqual(before);
  });

  it('a body one byte over the limit is a 413 naming the limit', async () => {
    const { api } = sampleApi();
    const text = '{"servers": []}';
    const answer = await call(api, 'POST', '/setServers', text + ' '.repeat(MAX_BODY_BYTES + 1 - text.length));
    expect(answer).toMatchObject({ status: 413, body: { message: `request body too large: the limit is ${MAX_BODY_BYTES} bytes` } });
  });
});

describe('per stored system', () => {
  it('servers: requests within the per-request limit that together would exceed it are refused, naming the limit', async () => {
    const store = new MemorySystemStore();
    const api = createApi({ store });
    const batch = (from: number, count: number) => ({ servers: range(count, from).map((i) => ({ name: `s${i}` })) });
    expect((await call(api, 'POST', '/setServers', batch(0, MAX_SERVERS - 1))).status).toBe(200);
    const before = await snapshot(store);
    const over = await call(api, 'POST', '/setServers', batch(MAX_SERVERS - 1, 2));
    const message = `the system would hold ${MAX_SERVERS + 1} servers; at most ${MAX_SERVERS} are allowed`;
    expect(over).toMatchObject({ status: 400, body: { message: `servers: ${message}`, issues: [{ path: 'servers', message }] } });
    expect((await call(api, 'POST', '/addServer', { name: 'one-more' })).status).toBe(200);
    expect((await call(api, 'POST', '/addServer', { name: 'two-more' })).status).toBe(400);
    // replacing an existing server adds none
    expect((await call(api, 'POST', '/addServer', { name: 's0', minNumReplicas: 2 })).status).toBe(200);
    expect((await store.read()).servers.size).toBe(MAX_SERVERS);
    expect(before.system.serverData.servers).toHaveLength(MAX_SERVERS - 1);
  });

  type Adding = (i: number) => [method: string, path: string, body?: unknown];
  it.each<[string, number, Adding, string]>([
    ['accelerators', MAX_ACCELERATORS, (i) => ['POST', '/addAccelerator', { name: `a${i}` }], 'accelerators'],
    ['capacities', MAX_CAPACITIES, (i) => ['POST', '/setCapacity', { type: `t${i}`, count: 1 }], 'capacity counts'],
    ['serviceClasses', MAX_SERVICE_CLASSES, (i) => ['GET', `/addServiceClass/c${i}`], 'service classes'],
  ])('%s: one by one up to %i, then 400 naming the limit', async (path, limit, adding, what) => {
    const store = new MemorySystemStore();
    const api = createApi({ store });
    for (const i of range(limit)) expect((await call(api, ...adding(i))).status).toBe(200);
    const before = await snapshot(store);
    const answer = await call(api, ...adding(limit));
    expect(answer.status).toBe(400);
    expect(answer.body.issues).toEqual([{ path, message: `the system would hold ${limit + 1} ${what}; at most ${limit} are allowed` }]);
    expect(await snapshot(store)).toEqual(before);
  });

  it('models, perf data and model targets: counted over the whole system', async () => {
    const store = new MemorySystemStore();
    const api = createApi({ store });
    // models: names without perf data count too
    const models = range(MAX_MODELS).map((i) => ({ name: `m${i}`, acc: 'A' }));
    expect((await call(api, 'POST', '/setModels', { models })).status).toBe(200);
    expect((await call(api, 'GET', '/addModel/m0')).status).toBe(200);
    expect(await call(api, 'GET', '/addModel/extra')).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'models', message: `the system would hold ${MAX_MODELS + 1} models; at most ${MAX_MODELS} are allowed` }] },
    });
    // perf data: MAX_MODEL_PERF entries over the existing models, then one more
    const perPerf = MAX_MODEL_PERF / MAX_MODELS;
    const perf = range(MAX_MODELS).flatMap((i) => range(perPerf - 1, 1).map((j) => ({ name: `m${i}`, acc: `A${j}` })));
    expect((await call(api, 'POST', '/setModels', { models: perf })).status).toBe(200);
    expect(await call(api, 'POST', '/addModelAcceleratorPerf', { name: 'm0', acc: 'B' })).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'modelAcceleratorPerf', message: `the system would hold ${MAX_MODEL_PERF + 1} perf data entries; at most ${MAX_MODEL_PERF} are allowed` }] },
    });
    // model targets: two classes of half the limit each, then one more
    const targets = (from: number) => range(MAX_MODEL_TARGETS / 2, from).map((i) => ({ model: `m${i}` }));
    const classes = { serviceClasses: [{ name: 'c1', modelTargets: targets(0) }, { name: 'c2', modelTargets: targets(0) }] };
    expect((await call(api, 'POST', '/setServiceClasses', classes)).status).toBe(200);
    const before = await snapshot(store);
    expect(await call(api, 'POST', '/addServiceClassModelTargets', { name: 'c1', modelTargets: [{ model: 'new' }] })).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'modelTargets', message: `the system would hold ${MAX_MODEL_TARGETS + 1} model targets; at most ${MAX_MODEL_TARGETS} are allowed` }] },
    });
    expect(await snapshot(store)).toEqual(before);
  }, 30_000);

  it('/optimizeOne refuses a system over a per-system limit, and stores nothing', async () => {
    const { api, store } = sampleApi();
    const before = await snapshot(store);
    const models = range(MAX_MODELS + 1).map((i) => ({ name: `m${i}`, acc: 'A' }));
    const answer = await call(api, 'POST', '/optimizeOne', { system: { modelData: { models } } });
    expect(answer.status).toBe(400);
    expect(answer.body.issues).toEqual([{ path: 'models', message: `the system would hold ${MAX_MODELS + 1} models; at most ${MAX_MODELS} are allowed` }]);
    expect(await snapshot(store)).toEqual(before);
  });

  it('a system already over a limit may shrink, and may change without growing', async () => {
    const crowded = new System();
    for (const i of range(MAX_ACCELERATORS + 2)) crowded.addAccelerator({ name: `a${i}`, type: 't', multiplicity: 1, memSize: 0, memBW: 0, power: { idle: 0, full: 0, midPower: 0, midUtil: 0 }, cost: 1 });
    const store = new MemorySystemStore(crowded);
    const api = createApi({ store });
    expect((await call(api, 'GET', '/removeAccelerator/a0')).status).toBe(200);
    expect((await call(api, 'POST', '/addAccelerator', { name: 'a1', cost: 2 })).status).toBe(200);
    expect((await call(api, 'POST', '/addAccelerator', { name: 'new', cost: 2 })).status).toBe(400);
    expect((await store.read()).accelerators.size).toBe(MAX_ACCELERATORS + 1);
  });
});

describe('batch size', () => {
  it("a server's maxBatchSize at the limit is taken; a derived batch size beyond it leaves a candidate refused with its reason", async () => {
    const { api } = sampleApi();
    expect((await call(api, 'POST', '/addServer', { name: 'big', class: 'Premium', model: 'granite_13b', maxBatchSize: MAX_BATCH_SIZE })).status).toBe(200);
    const answer = await call(api, 'POST', '/optimizeOne', {
      system: {
        acceleratorData: { accelerators: [{ name: 'A100', type: 'A100', multiplicity: 1, cost: 40 }] },
        modelData: { models: [{ name: 'm', acc: 'A100', accCount: 1, maxBatchSize: 4096, atTokens: 512, decodeParms: { alpha: 20, beta: 0.4 }, prefillParms: { gamma: 200, delta: 0.02 } }] },
        serviceClassData: { serviceClasses: [{ name: 'c', priority: 1, modelTargets: [{ model: 'm', 'slo-itl': 40, 'slo-ttft': 1000 }] }] },
        serverData: { servers: [{ name: 's', class: 'c', model: 'm', currentAlloc: { load: { arrivalRate: 60, avgInTokens: 1, avgOutTokens: 1 } } }] },
        capacityData: { count: [{ type: 'A100', count: 10 }] },
        optimizerData: { optimizer: { unlimited: true } },
      },
    });
    // 4096 × 512 / 1 = 2^21: no candidate, so no allocation, and no error
    expect(answer).toMatchObject({ status: 200, body: { allocations: {} } });
  });
});
