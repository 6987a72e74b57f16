/** The HTTP suite against the Node server, started in-process on a free port. */
import type { Server } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { loadNodeMipSolver } from '../../src/highs/load-node.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { describeHttpApi } from './suite.js';

let server: Server;
let base: URL;

beforeAll(async () => {
  const api = createApi({ store: new MemorySystemStore(), loadMipSolver: loadNodeMipSolver });
  server = createNodeServer({ api, log: () => undefined });
  base = await listen(server, '127.0.0.1', 0);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

// One system per server: every test reloads it.
describeHttpApi('the Node server', { base: () => base, systemPrefix: () => '' });
