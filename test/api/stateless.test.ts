/** Stateless mode: /optimizeOne, the /get verbs, /health and /openapi.json; nothing else. */
import { describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { optimize, System } from '../../src/core/index.js';
import { call, sampleApi, smallSample, snapshot } from './client.js';

const GETS = [
  '/getAccelerators',
  '/getAccelerator/A100',
  '/getCapacities',
  '/getCapacity/G2',
  '/getModels',
  '/getModel/granite_13b',
  '/getServiceClasses',
  '/getServiceClass/Premium',
  '/getServiceClassModelTarget/Premium/granite_13b',
  '/getServers',
  '/getServer/Premium-granite_13b',
  '/getModelAcceleratorPerf/granite_13b/A100',
];

const STATEFUL_ONLY: [string, string][] = [
  ['POST', '/setAccelerators'],
  ['POST', '/addAccelerator'],
  ['GET', '/removeAccelerator/A100'],
  ['POST', '/setCapacities'],
  ['POST', '/setCapacity'],
  ['GET', '/removeCapacity/G2'],
  ['POST', '/setModels'],
  ['GET', '/addModel/m'],
  ['GET', '/removeModel/granite_13b'],
  ['POST', '/setServiceClasses'],
  ['GET', '/addServiceClass/Gold'],
  ['GET', '/addServiceClass/Gold/5'],
  ['GET', '/removeServiceClass/Premium'],
  ['POST', '/addServiceClassModelTargets'],
  ['GET', '/removeServiceClassModelTarget/Premium/granite_13b'],
  ['POST', '/setServers'],
  ['POST', '/addServer'],
  ['GET', '/removeServer/Premium-granite_13b'],
  ['POST', '/addModelAcceleratorPerf'],
  ['GET', '/removeModelAcceleratorPerf/granite_13b/A100'],
  ['POST', '/optimize'],
  ['GET', '/applyAllocation'],
];

describe('stateless mode', () => {
  it('starts empty; /optimizeOne optimizes the system given, which every /get verb then reads', async () => {
    const store = new MemorySystemStore();
    const api = createApi({ store, mode: 'stateless' });
    expect((await call(api, 'GET', '/getServers')).body).toEqual({ servers: [] });
    const data = smallSample();
    const system = System.fromSpec(data.system);
    const expected = optimize(system, data.system.optimizerData.optimizer).solution;
    system.recordOptimization(data.system.optimizerData.optimizer, expected);
    expect(await call(api, 'POST', '/optimizeOne', data)).toMatchObject({ status: 200, body: expected });
    for (const path of GETS) expect((await call(api, 'GET', path)).status, path).toBe(200);
    expect((await call(api, 'GET', '/getServers')).body.servers).toEqual(system.listServers());
  });

  it.each(STATEFUL_ONLY)('%s %s is 404: not available in stateless mode, and changes nothing', async (method, path) => {
    const { api, store } = sampleApi('stateless');
    const before = await snapshot(store);
    const { status, body } = await call(api, method, path, method === 'POST' ? {} : undefined);
    expect(status).toBe(404);
    expect(body.message).toBe(`/${path.split('/')[1]} is not available in stateless mode`);
    expect(await snapshot(store)).toEqual(before);
  });

  it('answers 405 for a wrong method on the verbs it serves, 404 for unknown ones and names as in stateful mode', async () => {
    const { api } = sampleApi('stateless');
    expect((await call(api, 'GET', '/optimizeOne')).status).toBe(405);
    expect((await call(api, 'POST', '/getServers', '{}')).status).toBe(405);
    expect((await call(api, 'GET', '/getGpus')).status).toBe(404);
    expect(await call(api, 'GET', '/getAccelerator/A999')).toMatchObject({ status: 404, body: { message: 'accelerator A999 not found' } });
  });

  it('/health says stateless', async () => {
    const { api } = sampleApi('stateless');
    expect((await call(api, 'GET', '/health')).body).toEqual({ status: 'ok', mode: 'stateless' });
  });
});
