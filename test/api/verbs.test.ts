/** Every verb of the stateful API, success and failure, on the small sample in memory. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Api, MemorySystemStore } from '../../src/api/index.js';
import { optimize, System, type SystemData } from '../../src/core/index.js';
import { call, sampleApi, smallSample, snapshot } from './client.js';

let api: Api;
let store: MemorySystemStore;
let sample: SystemData['system'];

beforeEach(() => {
  ({ api, store } = sampleApi());
  sample = smallSample().system;
});

const byName = <T extends { name: string }>(items: T[]) => [...items].sort((a, b) => (a.name < b.name ? -1 : 1));

describe('accelerators', () => {
  it('getAccelerators answers AcceleratorData sorted by name', async () => {
    const { status, body } = await call(api, 'GET', '/getAccelerators');
    expect(status).toBe(200);
    expect(body).toEqual({ accelerators: byName(sample.acceleratorData.accelerators) });
  });

  it('getAccelerator answers the spec, 404 naming an unknown one', async () => {
    const a100 = sample.acceleratorData.accelerators.find((a) => a.name === 'A100');
    expect(await call(api, 'GET', '/getAccelerator/A100')).toMatchObject({ status: 200, body: a100 });
    expect(await call(api, 'GET', '/getAccelerator/A999')).toMatchObject({
      status: 404,
      body: { message: 'accelerator A999 not found', issues: [] },
    });
  });

  it('setAccelerators inserts or replaces by name and keeps the others; answers the data', async () => {
    const data = { accelerators: [{ name: 'A100', type: 'A100', multiplicity: 1, cost: 99 }, { name: 'H100', type: 'H100', cost: 80 }] };
    const { status, body } = await call(api, 'POST', '/setAccelerators', data);
    expect(status).toBe(200);
    expect(body.accelerators.map((a: { name: string; cost: number }) => [a.name, a.cost])).toEqual([['A100', 99], ['H100', 80]]);
    const names = (await call(api, 'GET', '/getAccelerators')).body.accelerators.map((a: { name: string }) => a.name);
    expect(names).toEqual(['2xAIU2', '4xA100', 'A100', 'AIU2', 'G2', 'H100', 'L4']);
    expect((await call(api, 'GET', '/getAccelerator/A100')).body.cost).toBe(99);
  });

  it('addAccelerator reads keys in any case and fills zero values; 400 names a bad field', async () => {
    const { status, body } = await call(api, 'POST', '/addAccelerator', { NAME: 'X1', Type: 'X', cost: 3 });
    expect(status).toBe(200);
    expect(body).toEqual({ name: 'X1', type: 'X', multiplicity: 0, memSize: 0, memBW: 0, power: { idle: 0, full: 0, midPower: 0, midUtil: 0 }, cost: 3 });
    expect((await call(api, 'GET', '/getAccelerator/X1')).body).toEqual(body);
    const bad = await call(api, 'POST', '/addAccelerator', { name: 'X2', power: { idle: 1.5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ path: 'power.idle', message: 'must be a whole number' }]);
    expect(bad.body.message).toContain('power.idle');
  });

  it('removeAccelerator answers the removed spec; 404 for an unknown one', async () => {
    const removed = await call(api, 'GET', '/removeAccelerator/L4');
    expect(removed).toMatchObject({ status: 200, body: { name: 'L4', type: 'L4' } });
    expect((await call(api, 'GET', '/getAccelerator/L4')).status).toBe(404);
    expect(await call(api, 'GET', '/removeAccelerator/L4')).toMatchObject({ status: 404, body: { message: 'accelerator L4 not found' } });
  });
});

describe('capacities', () => {
  it('getCapacities answers CapacityData sorted by type', async () => {
    const { body } = await call(api, 'GET', '/getCapacities');
    expect(body).toEqual({ count: [...sample.capacityData.count].sort((a, b) => (a.type < b.type ? -1 : 1)) });
  });

  it('getCapacity answers the count of a type; 404 otherwise', async () => {
    expect(await call(api, 'GET', '/getCapacity/G2')).toMatchObject({ status: 200, body: { type: 'G2', count: 1048 } });
    expect(await call(api, 'GET', '/getCapacity/H100')).toMatchObject({ status: 404, body: { message: 'capacity of accelerator type H100 not found' } });
  });

  it('setCapacities and setCapacity insert or replace by type', async () => {
    expect(await call(api, 'POST', '/setCapacities', { count: [{ type: 'G2', count: 1 }, { type: 'H100', count: 8 }] })).toMatchObject({
      status: 200,
      body: { count: [{ type: 'G2', count: 1 }, { type: 'H100', count: 8 }] },
    });
    expect(await call(api, 'POST', '/setCapacity', { type: 'L4', count: 2 })).toMatchObject({ status: 200, body: { type: 'L4', count: 2 } });
    const { body } = await call(api, 'GET', '/getCapacities');
    expect(body.count).toEqual([
      { type: 'A100', count: 512 },
      { type: 'AIU2', count: 2048 },
      { type: 'G2', count: 1 },
      { type: 'H100', count: 8 },
      { type: 'L4', count: 2 },
    ]);
  });

  it('setCapacity refuses a negative count, naming the field', async () => {
    const { status, body } = await call(api, 'POST', '/setCapacity', { type: 'L4', count: -1 });
    expect(status).toBe(400);
    expect(body.issues).toEqual([{ path: 'count', message: 'must not be negative' }]);
  });

  it('removeCapacity answers the removed count; 404 for an unknown type', async () => {
    expect(await call(api, 'GET', '/removeCapacity/L4')).toMatchObject({ status: 200, body: { type: 'L4', count: 1024 } });
    expect((await call(api, 'GET', '/getCapacity/L4')).status).toBe(404);
    expect((await call(api, 'GET', '/removeCapacity/L4')).status).toBe(404);
  });
});

describe('models', () => {
  it('getModels answers the model names, sorted', async () => {
    expect(await call(api, 'GET', '/getModels')).toMatchObject({
      status: 200,
      body: ['granite_13b', 'granite_34b', 'llama_13b', 'llama_70b', 'mixtral_8_7b'],
    });
  });

  it('getModel answers ModelData of the model; 404 otherwise', async () => {
    const { status, body } = await call(api, 'GET', '/getModel/llama_70b');
    expect(status).toBe(200);
    const expected = sample.modelData.models.filter((m) => m.name === 'llama_70b').sort((a, b) => (a.acc < b.acc ? -1 : 1));
    expect(body).toEqual({ models: expected });
    expect(await call(api, 'GET', '/getModel/gpt')).toMatchObject({ status: 404, body: { message: 'model gpt not found' } });
  });

  it('setModels adds perf data, adding models as needed', async () => {
    const perf = { name: 'new_model', acc: 'A100', accCount: 1, maxBatchSize: 8, atTokens: 512, decodeParms: { alpha: 10, beta: 1 }, prefillParms: { gamma: 100, delta: 0.01 } };
    expect(await call(api, 'POST', '/setModels', { models: [perf] })).toMatchObject({ status: 200, body: { models: [perf] } });
    expect((await call(api, 'GET', '/getModel/new_model')).body).toEqual({ models: [perf] });
  });

  it('addModel adds a model without data and answers its name; an existing model keeps its data', async () => {
    expect(await call(api, 'GET', '/addModel/tiny')).toEqual(expect.objectContaining({ status: 200, body: 'tiny' }));
    expect((await call(api, 'GET', '/getModel/tiny')).body).toEqual({ models: [] });
    await call(api, 'GET', '/addModel/llama_70b');
    expect((await call(api, 'GET', '/getModel/llama_70b')).body.models).toHaveLength(6);
  });

  it('removeModel answers the name; 404 for an unknown model', async () => {
    expect(await call(api, 'GET', '/removeModel/llama_70b')).toMatchObject({ status: 200, body: 'llama_70b' });
    expect((await call(api, 'GET', '/getModels')).body).not.toContain('llama_70b');
    expect(await call(api, 'GET', '/removeModel/llama_70b')).toMatchObject({ status: 404, body: { message: 'model llama_70b not found' } });
  });
});

describe('service classes', () => {
  it('getServiceClasses answers ServiceClassData; getServiceClass one class, 404 otherwise', async () => {
    const all = await call(api, 'GET', '/getServiceClasses');
    expect(all.body.serviceClasses.map((c: { name: string; priority: number }) => [c.name, c.priority])).toEqual([
      ['Bronze', 2],
      ['Free', 3],
      ['Premium', 1],
    ]);
    const premium = await call(api, 'GET', '/getServiceClass/Premium');
    expect(premium.body).toEqual(all.body.serviceClasses[2]);
    expect(premium.body.modelTargets.map((t: { model: string }) => t.model)).toEqual([
      'granite_13b',
      'granite_34b',
      'llama_13b',
      'llama_70b',
      'mixtral_8_7b',
    ]);
    expect(await call(api, 'GET', '/getServiceClass/Gold')).toMatchObject({ status: 404, body: { message: 'service class Gold not found' } });
  });

  it('setServiceClasses inserts or replaces classes by name', async () => {
    const data = { serviceClasses: [{ name: 'Gold', priority: 5, modelTargets: [{ model: 'llama_13b', 'slo-itl': 50, 'slo-ttft': 500 }] }] };
    expect((await call(api, 'POST', '/setServiceClasses', data)).status).toBe(200);
    expect((await call(api, 'GET', '/getServiceClass/Gold')).body).toEqual({
      name: 'Gold',
      priority: 5,
      modelTargets: [{ model: 'llama_13b', 'slo-itl': 50, 'slo-ttft': 500, 'slo-tps': 0 }],
    });
    expect((await call(api, 'GET', '/getServiceClasses')).body.serviceClasses).toHaveLength(4);
  });

  it('addServiceClass takes a name and an optional priority (default and out of range: 100)', async () => {
    expect(await call(api, 'GET', '/addServiceClass/Gold/5')).toMatchObject({ status: 200, body: { name: 'Gold', priority: 5, modelTargets: [] } });
    expect(await call(api, 'GET', '/addServiceClass/Silver')).toMatchObject({ status: 200, body: { name: 'Silver', priority: 100 } });
    expect(await call(api, 'GET', '/addServiceClass/Tin/0')).toMatchObject({ status: 200, body: { name: 'Tin', priority: 100 } });
    expect((await call(api, 'GET', '/getServiceClass/Gold')).body.priority).toBe(5);
  });

  it('addServiceClass refuses a priority that is not a whole number', async () => {
    for (const priority of ['high', '1.5']) {
      const { status, body } = await call(api, 'GET', `/addServiceClass/Gold/${priority}`);
      expect(status).toBe(400);
      expect(body.issues[0].path).toBe('priority');
    }
    expect((await call(api, 'GET', '/getServiceClass/Gold')).status).toBe(404);
  });

  it('path parameters are URL-decoded', async () => {
    expect(await call(api, 'GET', '/addServiceClass/Gold%20Class/7')).toMatchObject({ status: 200, body: { name: 'Gold Class' } });
    expect(await call(api, 'GET', '/getServiceClass/Gold%20Class')).toMatchObject({ status: 200, body: { name: 'Gold Class', priority: 7 } });
    expect((await call(api, 'GET', '/getServiceClass/%E0%A4%A')).status).toBe(400);
  });

  it('removeServiceClass answers the removed class; 404 for an unknown one', async () => {
    expect(await call(api, 'GET', '/removeServiceClass/Free')).toMatchObject({ status: 200, body: { name: 'Free', priority: 3 } });
    expect((await call(api, 'GET', '/removeServiceClass/Free')).status).toBe(404);
  });
});

describe('service class targets', () => {
  const targets = { name: 'Premium', priority: 1, modelTargets: [{ model: 'tiny', 'slo-tps': 100 }, { model: 'llama_13b', 'slo-itl': 60, 'slo-ttft': 900 }] };

  it('addServiceClassModelTargets adds or replaces targets and answers the class', async () => {
    const { status, body } = await call(api, 'POST', '/addServiceClassModelTargets', targets);
    expect(status).toBe(200);
    expect(body.name).toBe('Premium');
    expect(body.modelTargets).toHaveLength(6);
    expect((await call(api, 'GET', '/getServiceClassModelTarget/Premium/llama_13b')).body).toEqual({
      model: 'llama_13b',
      'slo-itl': 60,
      'slo-ttft': 900,
      'slo-tps': 0,
    });
  });

  it('addServiceClassModelTargets needs the class to exist (404) and, if given, its priority (400)', async () => {
    expect(await call(api, 'POST', '/addServiceClassModelTargets', { ...targets, name: 'Gold' })).toMatchObject({
      status: 404,
      body: { message: 'service class Gold not found' },
    });
    const wrongPriority = await call(api, 'POST', '/addServiceClassModelTargets', { ...targets, priority: 2 });
    expect(wrongPriority.status).toBe(400);
    expect(wrongPriority.body.issues[0].path).toBe('priority');
    expect((await call(api, 'POST', '/addServiceClassModelTargets', { ...targets, priority: undefined })).status).toBe(200);
  });

  it('getServiceClassModelTarget answers the target; 404 for an unknown class or model', async () => {
    expect((await call(api, 'GET', '/getServiceClassModelTarget/Premium/granite_13b')).body).toEqual({
      model: 'granite_13b',
      'slo-itl': 40,
      'slo-ttft': 1000,
      'slo-tps': 0,
    });
    expect(await call(api, 'GET', '/getServiceClassModelTarget/Gold/granite_13b')).toMatchObject({ status: 404, body: { message: 'service class Gold not found' } });
    expect(await call(api, 'GET', '/getServiceClassModelTarget/Premium/gpt')).toMatchObject({
      status: 404,
      body: { message: 'target for model gpt in service class Premium not found' },
    });
  });

  it('removeServiceClassModelTarget answers the removed target; 404 after', async () => {
    expect(await call(api, 'GET', '/removeServiceClassModelTarget/Premium/granite_13b')).toMatchObject({
      status: 200,
      body: { model: 'granite_13b', 'slo-itl': 40 },
    });
    expect((await call(api, 'GET', '/getServiceClassModelTarget/Premium/granite_13b')).status).toBe(404);
    expect((await call(api, 'GET', '/removeServiceClassModelTarget/Premium/granite_13b')).status).toBe(404);
    expect((await call(api, 'GET', '/removeServiceClassModelTarget/Gold/granite_13b')).status).toBe(404);
  });
});

describe('servers', () => {
  const server = { name: 'Gold-tiny', class: 'Gold', model: 'tiny', minNumReplicas: 2, currentAlloc: { load: { arrivalRate: 30, avgInTokens: 10, avgOutTokens: 20 } } };

  it('getServers answers ServerData sorted by name; getServer one server, 404 otherwise', async () => {
    const { body } = await call(api, 'GET', '/getServers');
    expect(body).toEqual({ servers: byName(sample.serverData.servers) });
    expect((await call(api, 'GET', '/getServer/Free-llama_13b')).body).toEqual(body.servers.find((s: { name: string }) => s.name === 'Free-llama_13b'));
    expect(await call(api, 'GET', '/getServer/nope')).toMatchObject({ status: 404, body: { message: 'server nope not found' } });
  });

  it('addServer and setServers insert or replace by name, answering what they were sent', async () => {
    const added = await call(api, 'POST', '/addServer', server);
    expect(added).toMatchObject({ status: 200, body: { name: 'Gold-tiny', minNumReplicas: 2, desiredAlloc: { accelerator: '', numReplicas: 0 } } });
    expect((await call(api, 'GET', '/getServer/Gold-tiny')).body).toEqual(added.body);
    const set = await call(api, 'POST', '/setServers', { servers: [{ ...server, minNumReplicas: 3 }, { ...server, name: 'Gold-tiny-2' }] });
    expect(set.status).toBe(200);
    expect((await call(api, 'GET', '/getServer/Gold-tiny')).body.minNumReplicas).toBe(3);
    expect((await call(api, 'GET', '/getServers')).body.servers).toHaveLength(17);
  });

  it('setServers refuses the whole body when one server is invalid, naming it', async () => {
    const before = await snapshot(store);
    const bad = { servers: [server, { ...server, name: 'x', currentAlloc: { load: { arrivalRate: -5 } } }] };
    const { status, body } = await call(api, 'POST', '/setServers', bad);
    expect(status).toBe(400);
    expect(body.issues).toEqual([{ path: 'servers.1.currentAlloc.load.arrivalRate', message: 'must not be negative' }]);
    expect(await snapshot(store)).toEqual(before);
  });

  it('removeServer answers the removed server; 404 for an unknown one', async () => {
    expect(await call(api, 'GET', '/removeServer/Free-llama_13b')).toMatchObject({ status: 200, body: { name: 'Free-llama_13b' } });
    expect((await call(api, 'GET', '/removeServer/Free-llama_13b')).status).toBe(404);
  });
});

describe('model accelerator perf data', () => {
  const perf = { name: 'llama_70b', acc: 'H100', accCount: 2, maxBatchSize: 16, atTokens: 512, decodeParms: { alpha: 11, beta: 1.5 }, prefillParms: { gamma: 90, delta: 0.1 } };

  it('getModelAcceleratorPerf answers the perf data; 404 names the unknown model or accelerator', async () => {
    const expected = sample.modelData.models.find((m) => m.name === 'llama_70b' && m.acc === 'A100');
    expect(await call(api, 'GET', '/getModelAcceleratorPerf/llama_70b/A100')).toMatchObject({ status: 200, body: expected });
    expect(await call(api, 'GET', '/getModelAcceleratorPerf/gpt/A100')).toMatchObject({ status: 404, body: { message: 'model gpt not found' } });
    expect(await call(api, 'GET', '/getModelAcceleratorPerf/llama_70b/H100')).toMatchObject({
      status: 404,
      body: { message: 'perf data of model llama_70b on accelerator H100 not found' },
    });
  });

  it('addModelAcceleratorPerf adds perf data to an existing model; 404 for an unknown model, as the reference', async () => {
    expect(await call(api, 'POST', '/addModelAcceleratorPerf', perf)).toMatchObject({ status: 200, body: perf });
    expect((await call(api, 'GET', '/getModelAcceleratorPerf/llama_70b/H100')).body).toEqual(perf);
    expect(await call(api, 'POST', '/addModelAcceleratorPerf', { ...perf, name: 'gpt' })).toMatchObject({ status: 404, body: { message: 'model gpt not found' } });
    expect((await call(api, 'GET', '/getModels')).body).not.toContain('gpt');
  });

  it('removeModelAcceleratorPerf answers the removed data; 404 after', async () => {
    expect(await call(api, 'GET', '/removeModelAcceleratorPerf/llama_70b/A100')).toMatchObject({ status: 200, body: { name: 'llama_70b', acc: 'A100' } });
    expect((await call(api, 'GET', '/getModelAcceleratorPerf/llama_70b/A100')).status).toBe(404);
    expect((await call(api, 'GET', '/removeModelAcceleratorPerf/llama_70b/A100')).status).toBe(404);
    expect((await call(api, 'GET', '/removeModelAcceleratorPerf/gpt/A100')).status).toBe(404);
  });
});

describe('optimization', () => {
  function coreSolution(optimizer = sample.optimizerData.optimizer) {
    const system = System.fromSpec(sample);
    const { solution } = optimize(system, optimizer);
    system.recordOptimization(optimizer, solution);
    return { solution, system };
  }

  it('/optimize on the stored sample equals core optimize on the same data, and sets desired allocations', async () => {
    const expected = coreSolution();
    const { status, body } = await call(api, 'POST', '/optimize', sample.optimizerData);
    expect(status).toBe(200);
    expect(body).toEqual(expected.solution);
    expect(Object.keys(body.allocations).length).toBeGreaterThan(0);
    expect((await call(api, 'GET', '/getServers')).body.servers).toEqual(expected.system.listServers());
  });

  it('/optimize takes the bare OptimizerSpec too, keys in any case', async () => {
    const spec = { SaturationPolicy: 'priorityExhaustive' };
    const expected = coreSolution({ ...sample.optimizerData.optimizer, saturationPolicy: 'PriorityExhaustive' }).solution;
    expect((await call(api, 'POST', '/optimize', spec)).body).toEqual(expected);
    expect((await call(api, 'POST', '/optimize', { OPTIMIZER: spec })).body).toEqual(expected);
  });

  it('/optimize refuses an unknown saturation policy (400) and an optimization it cannot do (422), changing nothing', async () => {
    const before = await snapshot(store);
    const bad = await call(api, 'POST', '/optimize', { optimizer: { saturationPolicy: 'Lottery' } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('optimizer.saturationPolicy');
    const impossible = await call(api, 'POST', '/optimize', { optimizer: { milpSolver: true } });
    expect(impossible.status).toBe(422);
    expect(impossible.body.message).toMatch(/milpSolver/);
    expect(await snapshot(store)).toEqual(before);
  });

  it('/optimizeOne replaces the stored system with the one given and optimizes it', async () => {
    const other = { system: { ...sample, acceleratorData: { accelerators: sample.acceleratorData.accelerators.filter((a) => a.name !== 'G2') } } };
    const system = System.fromSpec(other.system);
    const expected = optimize(system, other.system.optimizerData.optimizer).solution;
    system.recordOptimization(other.system.optimizerData.optimizer, expected);
    expect(await call(api, 'POST', '/optimizeOne', other)).toMatchObject({ status: 200, body: expected });
    expect((await call(api, 'GET', '/getAccelerator/G2')).status).toBe(404);
    expect((await call(api, 'GET', '/getServers')).body.servers).toEqual(system.listServers());
  });

  it('/applyAllocation makes every desired allocation current and answers "Done"', async () => {
    await call(api, 'POST', '/optimize', sample.optimizerData);
    expect(await call(api, 'GET', '/applyAllocation')).toMatchObject({ status: 200, body: 'Done' });
    const { servers } = (await call(api, 'GET', '/getServers')).body;
    for (const server of servers) expect(server.currentAlloc).toEqual(server.desiredAlloc);
    expect(servers.some((server: { currentAlloc: { numReplicas: number } }) => server.currentAlloc.numReplicas > 0)).toBe(true);
  });
});
