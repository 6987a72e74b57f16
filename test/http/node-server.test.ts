/** The HTTP suite against the Node server, started in-process on a free port. */
import type { Server } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { client } from '../client.js';
import { describeAccess } from './access.js';
import { describeLoad } from './load.js';
import { describeHttpApi } from './suite.js';
import { describeTenants } from './tenants.js';

const TOKEN = 'node-http-token';
const READ_TOKEN = 'node-http-read-token';
const ALLOWED_ORIGIN = 'http://localhost:5173';

let server: Server;
let base: URL;
/** another server, with a token and CORS */
let guarded: Server;
let guardedBase: URL;
/** another, with INFERNO_TOKEN and INFERNO_READ_TOKEN */
let scoped: Server;
let scopedBase: URL;

beforeAll(async () => {
  const api = createApi({ store: new MemorySystemStore(), loadMipSolver: loadNodeMipSolver });
  server = createNodeServer({ api, log: () => undefined });
  base = await listen(server, '127.0.0.1', 0);
  const guardedApi = createApi({ store: new MemorySystemStore(), token: TOKEN, corsOrigins: [ALLOWED_ORIGIN] });
  guarded = createNodeServer({ api: guardedApi, log: () => undefined });
  guardedBase = await listen(guarded, '127.0.0.1', 0);
  scoped = createNodeServer({ api: createApi({ store: new MemorySystemStore(), token: TOKEN, readToken: READ_TOKEN }), log: () => undefined });
  scopedBase = await listen(scoped, '127.0.0.1', 0);
});

afterAll(async () => {
  await Promise.all([server, guarded, scoped].map((s) => new Promise((resolve) => s.close(resolve))));
});

// One system per server: every test reloads it.
describeHttpApi('the Node server', { base: () => base, systemPrefix: () => '' });
describeLoad('the Node server under concurrent requests', { base: () => base, systemPrefix: () => '' });
describeAccess('the Node server with a token and CORS', { base: () => guardedBase, systemPrefix: () => '', token: TOKEN, allowedOrigin: ALLOWED_ORIGIN });
describeTenants('the Node server with INFERNO_TOKEN and INFERNO_READ_TOKEN', { call: client(() => scopedBase), admin: TOKEN, readToken: READ_TOKEN });
