/**
 * Today's Inferno over the REST API: the verbs keep perfParms, maxQueueSize and load.throughput as
 * given, and the real client (llm-inferno/control-loop) drives a stateless Node server.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import type { AllocationSolution, ServerSpec } from '../../src/core/index.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { optimizerLightAnswers, readOptimizerLightJson } from '../optimizer-light-fixtures.js';
import { call, sampleApi } from './client.js';

const TODAY_PERF = {
  name: 'granite_13b',
  acc: 'G2',
  accCount: 1,
  maxBatchSize: 76,
  atTokens: 512,
  perfParms: { alpha: 17.15, beta: 0.034, gamma: 0.0010625 },
};

describe('the verbs keep what they were given', () => {
  it('perfParms through addModelAcceleratorPerf, setModels and the get verbs; an entry without it has none', async () => {
    const { api } = sampleApi();
    const seedEntry = (await call(api, 'GET', '/getModelAcceleratorPerf/granite_13b/A100')).body;
    expect(seedEntry).not.toHaveProperty('perfParms');
    expect(await call(api, 'POST', '/addModelAcceleratorPerf', TODAY_PERF)).toMatchObject({ status: 200 });
    const stored = (await call(api, 'GET', '/getModelAcceleratorPerf/granite_13b/G2')).body;
    // the seed's fields are read as zero when absent, as Go reads them; perfParms is kept as given
    expect(stored).toEqual({ ...TODAY_PERF, decodeParms: { alpha: 0, beta: 0 }, prefillParms: { gamma: 0, delta: 0 } });
    const retuned = { ...TODAY_PERF, perfParms: { alpha: 16.9, beta: 0.035, gamma: 0.001 } };
    expect((await call(api, 'POST', '/setModels', { models: [retuned] })).status).toBe(200);
    const models = (await call(api, 'GET', '/getModel/granite_13b')).body.models;
    expect(models.find((m: { acc: string }) => m.acc === 'G2').perfParms).toEqual(retuned.perfParms);
  });

  it('maxQueueSize on a server and throughput in its load, through setServers, optimize and applyAllocation', async () => {
    const { api } = sampleApi();
    const server = {
      name: 'today',
      class: 'Premium',
      model: 'granite_13b',
      maxQueueSize: 64,
      currentAlloc: { load: { arrivalRate: 120, throughput: 118.5, avgInTokens: 128, avgOutTokens: 1024 } },
    };
    await call(api, 'POST', '/addModelAcceleratorPerf', TODAY_PERF);
    expect((await call(api, 'POST', '/addServer', server)).status).toBe(200);
    const stored = (await call(api, 'GET', '/getServer/today')).body;
    expect(stored).toMatchObject({ maxQueueSize: 64, currentAlloc: { load: { arrivalRate: 120, throughput: 118.5 } } });
    // Go's field order: maxQueueSize after maxBatchSize, throughput after arrivalRate
    expect(Object.keys(stored)).toEqual(['name', 'class', 'model', 'keepAccelerator', 'minNumReplicas', 'maxBatchSize', 'maxQueueSize', 'currentAlloc', 'desiredAlloc']);
    expect(Object.keys(stored.currentAlloc.load)).toEqual(['arrivalRate', 'throughput', 'avgInTokens', 'avgOutTokens']);
    const solution = (await call(api, 'POST', '/optimize', { unlimited: true })).body;
    expect(solution.allocations.today.load).toEqual(server.currentAlloc.load);
    expect((await call(api, 'GET', '/applyAllocation')).status).toBe(200);
    expect((await call(api, 'GET', '/getServer/today')).body.currentAlloc.load).toEqual(server.currentAlloc.load);
  });

  it('refuses a negative maxQueueSize or throughput, naming the field, and changes nothing', async () => {
    const { api } = sampleApi();
    const bad = { name: 'x', maxQueueSize: -1, currentAlloc: { load: { throughput: -2 } } };
    const { status, body } = await call(api, 'POST', '/addServer', bad);
    expect(status).toBe(400);
    expect(body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['currentAlloc.load.throughput', 'maxQueueSize']);
    expect((await call(api, 'GET', '/getServer/x')).status).toBe(404);
  });
});

describe('the real client: the control loop posts SystemData to a stateless Node server', () => {
  let server: Server;
  let base: URL;
  beforeAll(async () => {
    server = createNodeServer({ api: createApi({ store: new MemorySystemStore(), mode: 'stateless' }), log: () => {} });
    base = await listen(server, '127.0.0.1', 0);
  });
  afterAll(() => new Promise((done) => server.close(done)));

  it('POST /optimizeOne (every field present, zero values included), then GET /getServers', async () => {
    // marshalled by Go's encoding/json from optimizer-light's config types (fixture README)
    const body = JSON.stringify(readOptimizerLightJson('control-loop-small.json'));
    const optimized = await fetch(new URL('/optimizeOne', base), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(optimized.status).toBe(200);
    const solution = (await optimized.json()) as AllocationSolution;
    expect(Object.keys(solution)).toEqual(['allocations']);
    const [expected] = optimizerLightAnswers('small');
    expect(Object.keys(solution.allocations).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, theirs] of Object.entries(expected)) {
      const ours = solution.allocations[name];
      expect({ accelerator: ours.accelerator, numReplicas: ours.numReplicas, maxBatch: ours.maxBatch, cost: ours.cost }, name).toEqual({
        accelerator: theirs.accelerator,
        numReplicas: theirs.numReplicas,
        maxBatch: theirs.maxBatch,
        cost: theirs.cost,
      });
      expect(Math.abs(ours.itlAverage / theirs.itlAverage - 1), name).toBeLessThan(1e-6);
      expect(Math.abs(ours.ttftAverage / theirs.ttftAverage - 1), name).toBeLessThan(1e-6);
      // the collector's throughput comes back as it was sent
      expect(ours.load, name).toEqual({ ...theirs.load, throughput: theirs.load.arrivalRate });
    }

    const { servers } = (await (await fetch(new URL('/getServers', base))).json()) as { servers: ServerSpec[] };
    expect(servers).toHaveLength(15);
    for (const stored of servers) {
      // what Go unmarshals into optimizer-light's ServerSpec, every field there
      expect(Object.keys(stored)).toEqual(['name', 'class', 'model', 'keepAccelerator', 'minNumReplicas', 'maxBatchSize', 'maxQueueSize', 'currentAlloc', 'desiredAlloc']);
      expect(stored.maxQueueSize).toBe(0);
      const { accelerator, numReplicas, maxBatch, cost, itlAverage, ttftAverage, load } = solution.allocations[stored.name];
      expect(stored.desiredAlloc).toEqual({ accelerator, numReplicas, maxBatch, cost, itlAverage, ttftAverage, load });
    }
  });
});
