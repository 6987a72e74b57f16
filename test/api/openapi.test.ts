/** /openapi.json: every route with its schemas, generated from the zod schemas. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AcceleratorSpecSchema, OptimizerSpecSchema, parseWith, ServerSpecSchema } from '../../src/core/index.js';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { call, sampleApi } from './client.js';

/** The seed's Commands List, with the reference's /applyAllocation, the explain routes and the three service routes. */
const SEED_VERBS: [string, string][] = [
  ['post', '/setAccelerators'],
  ['get', '/getAccelerators'],
  ['get', '/getAccelerator/{name}'],
  ['post', '/addAccelerator'],
  ['get', '/removeAccelerator/{name}'],
  ['post', '/setCapacities'],
  ['get', '/getCapacities'],
  ['get', '/getCapacity/{type}'],
  ['post', '/setCapacity'],
  ['get', '/removeCapacity/{type}'],
  ['post', '/setModels'],
  ['get', '/getModels'],
  ['get', '/getModel/{name}'],
  ['get', '/addModel/{name}'],
  ['get', '/removeModel/{name}'],
  ['post', '/setServiceClasses'],
  ['get', '/getServiceClasses'],
  ['get', '/getServiceClass/{name}'],
  ['get', '/addServiceClass/{name}'],
  ['get', '/addServiceClass/{name}/{priority}'],
  ['get', '/removeServiceClass/{name}'],
  ['post', '/addServiceClassModelTargets'],
  ['get', '/getServiceClassModelTarget/{name}/{model}'],
  ['get', '/removeServiceClassModelTarget/{name}/{model}'],
  ['post', '/setServers'],
  ['get', '/getServers'],
  ['get', '/getServer/{name}'],
  ['post', '/addServer'],
  ['get', '/removeServer/{name}'],
  ['get', '/getModelAcceleratorPerf/{name}/{acc}'],
  ['post', '/addModelAcceleratorPerf'],
  ['get', '/removeModelAcceleratorPerf/{name}/{acc}'],
  ['post', '/optimize'],
  ['post', '/optimizeOne'],
  ['get', '/applyAllocation'],
  ['post', '/explain'],
  ['get', '/explain/{server}'],
  ['get', '/health'],
  ['get', '/openapi.json'],
  ['get', '/metrics'],
  // a system as a whole, for the admin
  ['get', '/exportSystem'],
  ['post', '/importSystem'],
];

/** What only the Worker has: the lifecycle verbs of a system and the list of systems. */
const WORKER_VERBS: [string, string][] = [
  ['post', '/deleteSystem'],
  ['post', '/issueToken'],
  ['post', '/revokeTokens'],
  ['get', '/systems'],
];

type Operation = {
  operationId: string;
  description: string;
  security?: unknown[];
  requestBody?: unknown;
  parameters?: { name: string }[];
  responses: Record<string, unknown>;
};
type Document = {
  openapi: string;
  info: { version: string };
  servers?: { url: string; variables?: Record<string, { default: string; description: string }> }[];
  paths: Record<string, Record<string, Operation> & { servers?: { url: string }[] }>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
};

async function openApi(mode: 'stateful' | 'stateless'): Promise<Document> {
  const { status, body } = await call(sampleApi(mode).api, 'GET', '/openapi.json');
  expect(status).toBe(200);
  return body;
}

function refs(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(/"\$ref":"([^"]+)"/g)].map(([, ref]) => ref);
}

describe('/openapi.json', () => {
  it('lists every route, with its method, and nothing else', async () => {
    const document = await openApi('stateful');
    expect(document.openapi).toBe('3.1.0');
    const listed = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(listed.sort()).toEqual(SEED_VERBS.map(([method, path]) => `${method} ${path}`).sort());
  });

  it('gives path parameters, request bodies for POST and a response for each; operation ids are unique', async () => {
    const document = await openApi('stateful');
    const ids = new Set<string>();
    for (const [method, path] of SEED_VERBS) {
      const op = document.paths[path][method];
      ids.add(op.operationId);
      expect((op.parameters ?? []).map((p) => p.name)).toEqual([...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name));
      expect(op.requestBody !== undefined, path).toBe(method === 'post');
      expect(new Set(refs(op.responses['200'])).size).toBe(1);
      expect(refs(op.responses.default)).toEqual(['#/components/schemas/ErrorOutput']);
    }
    expect(ids.size).toBe(SEED_VERBS.length);
  });

  it('gives /metrics as text: the Prometheus format and OpenMetrics', async () => {
    const document = await openApi('stateful');
    const content = (document.paths['/metrics'].get.responses['200'] as { content: Record<string, unknown> }).content;
    expect(Object.keys(content)).toEqual([
      'text/plain; version=0.0.4; charset=utf-8',
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    ]);
    expect(document.components.schemas.MetricsTextOutput).toMatchObject({ type: 'string' });
  });

  it("gives package.json's version (src/api/version.ts, written by npm version)", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((await openApi('stateful')).info.version).toBe(version);
  });

  it('resolves every $ref to a component', async () => {
    const document = await openApi('stateful');
    const all = refs(document);
    expect(all.length).toBeGreaterThan(40);
    for (const ref of all) expect(document.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
  });

  it('describes the bodies with the fields the schemas have', async () => {
    const { components } = await openApi('stateful');
    const acceleratorFields = Object.keys(parseWith(AcceleratorSpecSchema, {}));
    expect(Object.keys(components.schemas.AcceleratorSpec.properties ?? {})).toEqual(acceleratorFields);
    expect(components.schemas.AcceleratorSpecOutput.required).toEqual(acceleratorFields);
    expect(components.schemas.ServerSpecOutput.required).toEqual(Object.keys(parseWith(ServerSpecSchema, {})));
    expect(Object.keys(components.schemas.OptimizerSpec.properties ?? {})).toEqual(Object.keys(parseWith(OptimizerSpecSchema, {})));
  });

  it('says which token each verb needs: /health none, the get verbs any, changes write, the whole system admin', async () => {
    const { paths } = await openApi('stateful');
    expect(paths['/health'].get.security).toEqual([]);
    expect(paths['/getServers'].get.description).toMatch(/^Token: any/);
    expect(paths['/explain'].post.description).toMatch(/^Token: any/);
    for (const [method, path] of [['get', '/removeServer/{name}'], ['get', '/applyAllocation'], ['post', '/optimizeOne']]) {
      expect(paths[path][method].description, path).toMatch(/^Token: write or admin; a read token gets 403/);
    }
    expect(paths['/exportSystem'].get.description).toMatch(/^Token: the admin token/);
    expect(paths['/importSystem'].post.description).toMatch(/^Token: the admin token/);
  });

  it('in stateless mode lists only what that mode serves', async () => {
    const document = await openApi('stateless');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/explain',
      '/explain/{server}',
      '/getAccelerator/{name}',
      '/getAccelerators',
      '/getCapacities',
      '/getCapacity/{type}',
      '/getModel/{name}',
      '/getModelAcceleratorPerf/{name}/{acc}',
      '/getModels',
      '/getServer/{name}',
      '/getServers',
      '/getServiceClass/{name}',
      '/getServiceClassModelTarget/{name}/{model}',
      '/getServiceClasses',
      '/health',
      '/metrics',
      '/openapi.json',
      '/optimizeOne',
    ]);
  });
});

describe("/openapi.json of the Worker's many systems", () => {
  const workerDocument = async (): Promise<Document> => {
    const api = createApi({ store: new MemorySystemStore(), manySystems: true });
    const { status, body } = await call(api, 'GET', '/openapi.json');
    expect(status).toBe(200);
    return body;
  };

  it('lists every verb of a system, its lifecycle verbs and /systems, though this part serves none of the latter', async () => {
    const document = await workerDocument();
    const listed = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).filter((key) => key !== 'servers').map((method) => `${method} ${path}`),
    );
    expect(listed.sort()).toEqual([...SEED_VERBS, ...WORKER_VERBS].map(([method, path]) => `${method} ${path}`).sort());
    for (const [method, path] of WORKER_VERBS) expect(document.paths[path][method].description, path).toMatch(/^Token: the admin token/);
    for (const ref of refs(document)) expect(document.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
  });

  it('describes the /systems/{systemId} prefix as a server variable; the service paths are outside it', async () => {
    const document = await workerDocument();
    expect(document.servers?.map((server) => server.url)).toEqual(['/systems/{systemId}', '/']);
    expect(document.servers?.[0].variables?.systemId).toEqual({ default: 'default', description: expect.stringMatching(/^1 to 64 characters/) });
    const outside = Object.entries(document.paths).filter(([, item]) => item.servers !== undefined).map(([path]) => path);
    expect(outside.sort()).toEqual(['/health', '/openapi.json', '/systems']);
    expect(document.paths['/systems'].servers).toEqual([{ url: '/', description: expect.any(String) }]);
  });

  it('a single-system server describes no prefix', async () => {
    const document = await openApi('stateful');
    expect(document.servers).toBeUndefined();
    expect(Object.values(document.paths).filter((item) => item.servers !== undefined)).toEqual([]);
  });
});
