/**
 * Every route of the route table, called once with a request it answers 200, and its answer
 * parsed with the route's own response schema: the shapes the API writes are the shapes its
 * schemas (and so its types and /openapi.json) say. Shared by the Node and the workerd tests.
 */
import { expect } from 'vitest';
import type { Route } from '../../src/api/index.js';
import { SAMPLES } from '../../src/samples/index.js';

export type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

const perf = { name: 'llama_13b', acc: 'A100', accCount: 1, maxBatchSize: 32, atTokens: 512, decodeParms: { alpha: 20, beta: 0.4 }, prefillParms: { gamma: 10, delta: 0.01 } };
const server = { name: 'walk', class: 'Premium', model: 'llama_13b', currentAlloc: { load: { arrivalRate: 30, avgInTokens: 128, avgOutTokens: 256 } } };
const sample = SAMPLES.small as { system: object };

/** A request each route answers 200 when the system holds the small sample, by "METHOD path". */
const EXAMPLES: Readonly<Record<string, { path: string; body?: unknown }>> = {
  'POST /setAccelerators': { path: '/setAccelerators', body: { accelerators: [{ name: 'walk', type: 'walk', multiplicity: 1, cost: 1 }] } },
  'GET /getAccelerators': { path: '/getAccelerators' },
  'GET /getAccelerator/:name': { path: '/getAccelerator/A100' },
  'POST /addAccelerator': { path: '/addAccelerator', body: { name: 'walk', type: 'walk', cost: 2 } },
  'GET /removeAccelerator/:name': { path: '/removeAccelerator/A100' },
  'POST /setCapacities': { path: '/setCapacities', body: { count: [{ type: 'A100', count: 3 }] } },
  'GET /getCapacities': { path: '/getCapacities' },
  'GET /getCapacity/:type': { path: '/getCapacity/A100' },
  'POST /setCapacity': { path: '/setCapacity', body: { type: 'walk', count: 4 } },
  'GET /removeCapacity/:type': { path: '/removeCapacity/A100' },
  'POST /setModels': { path: '/setModels', body: { models: [perf] } },
  'GET /getModels': { path: '/getModels' },
  'GET /getModel/:name': { path: '/getModel/llama_13b' },
  'GET /addModel/:name': { path: '/addModel/walk' },
  'GET /removeModel/:name': { path: '/removeModel/llama_13b' },
  'POST /setServiceClasses': { path: '/setServiceClasses', body: { serviceClasses: [{ name: 'walk', priority: 4, modelTargets: [{ model: 'llama_13b', 'slo-itl': 50 }] }] } },
  'GET /getServiceClasses': { path: '/getServiceClasses' },
  'GET /getServiceClass/:name': { path: '/getServiceClass/Premium' },
  'GET /addServiceClass/:name': { path: '/addServiceClass/walk' },
  'GET /addServiceClass/:name/:priority': { path: '/addServiceClass/walk/5' },
  'GET /removeServiceClass/:name': { path: '/removeServiceClass/Premium' },
  'POST /addServiceClassModelTargets': { path: '/addServiceClassModelTargets', body: { name: 'Premium', modelTargets: [{ model: 'walk', 'slo-tps': 100 }] } },
  'GET /getServiceClassModelTarget/:name/:model': { path: '/getServiceClassModelTarget/Premium/llama_13b' },
  'GET /removeServiceClassModelTarget/:name/:model': { path: '/removeServiceClassModelTarget/Premium/llama_13b' },
  'POST /setServers': { path: '/setServers', body: { servers: [server] } },
  'GET /getServers': { path: '/getServers' },
  'GET /getServer/:name': { path: '/getServer/Premium-llama_13b' },
  'POST /addServer': { path: '/addServer', body: server },
  'GET /removeServer/:name': { path: '/removeServer/Premium-llama_13b' },
  'GET /getModelAcceleratorPerf/:name/:acc': { path: '/getModelAcceleratorPerf/llama_13b/A100' },
  'POST /addModelAcceleratorPerf': { path: '/addModelAcceleratorPerf', body: perf },
  'GET /removeModelAcceleratorPerf/:name/:acc': { path: '/removeModelAcceleratorPerf/llama_13b/A100' },
  // with the MILP's summary in the answer
  'POST /optimize': { path: '/optimize', body: { optimizer: { milpSolver: true, milpTimeLimit: 60 } } },
  'POST /optimizeOne': { path: '/optimizeOne', body: sample },
  'GET /applyAllocation': { path: '/applyAllocation' },
  'POST /explain': { path: '/explain', body: { ...sample, scaleLoad: 2, extraCapacity: { A100: 8 } } },
  'GET /explain/:server': { path: '/explain/Premium-llama_13b' },
  'GET /health': { path: '/health' },
  'GET /openapi.json': { path: '/openapi.json' },
  'GET /exportSystem': { path: '/exportSystem' },
  'POST /importSystem': { path: '/importSystem', body: sample },
};

/** The routes that answer JSON; /metrics answers Prometheus text, which test/api/metrics.test.ts checks. */
export function jsonRoutes(routes: readonly Route[]): readonly Route[] {
  return routes.filter((route) => route.contentTypes === undefined);
}

/**
 * Calls every route of `routes` with its example, each on the small sample (loaded afresh with
 * /optimizeOne), and checks its 200 answer against the route's response schema: the schema
 * parses it and, parsing, neither drops nor adds a field.
 */
export async function expectRoutesAnswerTheirSchemas(allRoutes: readonly Route[], call: Call): Promise<void> {
  const routes = jsonRoutes(allRoutes);
  const keys = routes.map((route) => `${route.method} ${route.path}`);
  expect(keys.filter((key) => !(key in EXAMPLES)), 'routes without an example').toEqual([]);
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const example = EXAMPLES[key];
    expect((await call('POST', '/optimizeOne', sample)).status, 'loading the sample').toBe(200);
    const { status, body } = await call(route.method, example.path, example.body);
    expect(status, `${key}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
    const parsed = route.response.safeParse(body);
    expect(parsed.error, key).toBeUndefined();
    expect(parsed.data, key).toEqual(body);
  }
}

/** Every example names a route (a route that is gone leaves none behind). */
export function exampleKeys(): string[] {
  return Object.keys(EXAMPLES);
}
