import type { Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore, type ApiMode } from '../../src/api/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { client } from '../client.js';
import { exampleKeys, expectRoutesAnswerTheirSchemas, jsonRoutes } from './route-shapes.js';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((done) => server.close(done)))));

describe('every route answers the shape of its response schema, over HTTP through the Node server', { timeout: 60_000 }, () => {
  it.each<ApiMode>(['stateful', 'stateless'])('%s', async (mode) => {
    const api = createApi({ store: new MemorySystemStore(), mode, optimizeOptions: { mipSolver: await loadNodeMipSolver() } });
    const server = createNodeServer({ api, log: () => {} });
    servers.push(server);
    const base = await listen(server, '127.0.0.1', 0);
    await expectRoutesAnswerTheirSchemas(api.routes, client(base));
  });

  it('has an example for exactly the routes of the table', () => {
    const routes = jsonRoutes(createApi({ store: new MemorySystemStore() }).routes).map((route) => `${route.method} ${route.path}`);
    expect(exampleKeys().sort()).toEqual(routes.sort());
  });
});
