/** What every verb shares: unknown verbs, methods, bodies, limits and error bodies. */
import { describe, expect, it, vi } from 'vitest';
import { createApi, MAX_BODY_BYTES, MemorySystemStore, type SystemStore } from '../../src/api/index.js';
import { System } from '../../src/core/index.js';
import { call, sampleApi, snapshot } from './client.js';

describe('routing', () => {
  const { api } = sampleApi();

  it('answers 404 for an unknown verb', async () => {
    expect(await call(api, 'GET', '/getGpus')).toMatchObject({ status: 404, body: { message: 'unknown verb /getGpus; /openapi.json lists them', issues: [] } });
  });

  it('answers 404 for a verb without its path parameters, showing the form it takes', async () => {
    expect(await call(api, 'GET', '/getServiceClassModelTarget/Premium')).toMatchObject({
      status: 404,
      body: { message: '/getServiceClassModelTarget is used as /getServiceClassModelTarget/:name/:model' },
    });
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const post = await call(api, 'POST', '/getAccelerators', '{}');
    expect(post).toMatchObject({ status: 405, body: { message: '/getAccelerators takes GET, not POST' } });
    expect(post.headers.get('allow')).toBe('GET');
    const get = await call(api, 'GET', '/setAccelerators');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await call(api, 'DELETE', '/getAccelerator/A100')).status).toBe(405);
  });

  it('/health answers ok and the mode', async () => {
    expect(await call(api, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok', mode: 'stateful' } });
  });
});

describe('bodies', () => {
  it.each([
    ['not JSON', '{"accelerators": [', /^not valid JSON/],
    ['empty', '', /^a JSON body is required$/],
    ['not an object', '[1, 2]', /expected object/],
  ])('a body that is %s is a 400 about the body', async (_what, text, problem) => {
    const { api } = sampleApi();
    const { status, body } = await call(api, 'POST', '/setAccelerators', text);
    expect(status).toBe(400);
    expect(body.issues).toHaveLength(1);
    expect(body.issues[0].path).toBe('(body)');
    expect(body.issues[0].message).toMatch(problem);
  });

  it('reports every bad field of a body, by path', async () => {
    const { api } = sampleApi();
    const { status, body } = await call(api, 'POST', '/setAccelerators', { accelerators: [{ name: 'a', cost: 'cheap' }, { name: 'b', multiplicity: 1.5 }] });
    expect(status).toBe(400);
    expect(body.issues.map((issue: { path: string }) => issue.path)).toEqual(['accelerators.0.cost', 'accelerators.1.multiplicity']);
  });

  it('answers 413 for a body over the limit, declared or streamed, and changes nothing', async () => {
    const { api, store } = sampleApi();
    const before = await snapshot(store);
    const padding = ' '.repeat(MAX_BODY_BYTES);
    const declared = await api.fetch(
      new Request('http://inferno.test/setAccelerators', { method: 'POST', headers: { 'content-length': String(MAX_BODY_BYTES + 1) }, body: '{}' }),
    );
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { message: string }).message).toMatch(/too large/);
    const chunks = [new TextEncoder().encode('{"accelerators": []}'), new TextEncoder().encode(padding)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await api.fetch(new Request('http://inferno.test/setAccelerators', { method: 'POST', body: stream, duplex: 'half' } as RequestInit));
    expect(streamed.status).toBe(413);
    expect(await snapshot(store)).toEqual(before);
  });

  it('takes a body of exactly the limit', async () => {
    const { api } = sampleApi();
    const text = JSON.stringify({ type: 'L4', count: 3 });
    const body = text + ' '.repeat(MAX_BODY_BYTES - text.length);
    expect((await call(api, 'POST', '/setCapacity', body)).status).toBe(200);
  });
});

describe('an unexpected exception', () => {
  it('becomes a logged 500 JSON body', async () => {
    const broken: SystemStore = {
      read: () => Promise.reject(new Error('disk on fire')),
      update: () => Promise.reject(new Error('disk on fire')),
      replace: () => Promise.reject(new Error('disk on fire')),
    };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const api = createApi({ store: broken });
    const { status, body } = await call(api, 'GET', '/getServers');
    expect(status).toBe(500);
    expect(body).toEqual({ message: 'internal error; the server log has the details', issues: [] });
    expect(logged).toHaveBeenCalledWith('unexpected error:', expect.objectContaining({ message: 'disk on fire' }));
    logged.mockRestore();
  });
});

describe('a rejected request leaves the state exactly as it was', () => {
  const rejected: [string, string, unknown?][] = [
    ['POST', '/setAccelerators', { accelerators: [{ name: 'ok' }, { name: 'bad', cost: -1 }] }],
    ['POST', '/addAccelerator', '{"name": "x",'],
    ['GET', '/removeAccelerator/A999'],
    ['POST', '/setCapacities', { count: [{ type: 'A100', count: 1 }, { type: 'G2', count: 0.5 }] }],
    ['GET', '/removeCapacity/H100'],
    ['POST', '/setModels', { models: [{ name: 'new', acc: 'A100', accCount: -2 }] }],
    ['GET', '/removeModel/gpt'],
    ['POST', '/setServiceClasses', { serviceClasses: [{ name: 'Gold', priority: 1.5 }] }],
    ['GET', '/addServiceClass/Gold/first'],
    ['GET', '/removeServiceClass/Gold'],
    ['POST', '/addServiceClassModelTargets', { name: 'Gold', modelTargets: [{ model: 'm' }] }],
    ['POST', '/addServiceClassModelTargets', { name: 'Premium', priority: 3, modelTargets: [{ model: 'm' }] }],
    ['GET', '/removeServiceClassModelTarget/Premium/gpt'],
    ['POST', '/addServer', { name: 's', minNumReplicas: -1 }],
    ['GET', '/removeServer/s'],
    ['POST', '/addModelAcceleratorPerf', { name: 'gpt', acc: 'A100' }],
    ['GET', '/removeModelAcceleratorPerf/llama_70b/H100'],
    ['POST', '/optimize', { optimizer: { milpSolver: true } }],
    ['POST', '/optimizeOne', { system: { serverData: { servers: [{ name: 's', currentAlloc: { load: { avgInTokens: 'many' } } }] } } }],
    ['POST', '/optimizeOne', { system: { optimizerData: { optimizer: { milpSolver: true } } } }],
    ['GET', '/optimize'],
    ['POST', '/nothing', {}],
  ];

  it.each(rejected)('%s %s', async (method, path, body) => {
    const { api, store } = sampleApi();
    await call(api, 'POST', '/optimize', {});
    const before = await snapshot(store);
    const { status } = await call(api, method, path, body);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(await snapshot(store)).toEqual(before);
  });

  it('an empty store stays empty', async () => {
    const store = new MemorySystemStore();
    const api = createApi({ store });
    expect((await call(api, 'POST', '/optimize', { optimizer: { milpSolver: true } })).status).toBe(422);
    expect(await snapshot(store)).toEqual(new System().toData());
  });
});
