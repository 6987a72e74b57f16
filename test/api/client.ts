/** Calls an Api the way an HTTP client would, for the router tests. */
import type { Server } from 'node:http';
import { afterAll } from 'vitest';
import { createApi, MemorySystemStore, type Api, type ApiMode } from '../../src/api/index.js';
import { System, type SystemData } from '../../src/core/index.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { client, smallSample, type Answer } from '../client.js';

export { smallSample };

/**
 * How call() reaches an Api: straight to its fetch handler, or over HTTP through the Node
 * server (test/node/verbs-over-http.test.ts runs the verb tests that way too).
 */
let transport: 'router' | 'http' = 'router';
const servers = new WeakMap<Api, Promise<URL>>();
const running: Server[] = [];

export function callOverHttp(): void {
  transport = 'http';
}

/** How many Node servers call() started: every Api it reached over HTTP has one. */
export function httpServersStarted(): number {
  return running.length;
}

afterAll(() => Promise.all(running.map((server) => new Promise((done) => server.close(done)))));

function serverFor(api: Api): Promise<URL> {
  let base = servers.get(api);
  if (!base) {
    const server = createNodeServer({ api, log: () => {} });
    running.push(server);
    base = listen(server, '127.0.0.1', 0);
    servers.set(api, base);
  }
  return base;
}

/** `body` is sent as is when a string, as JSON otherwise; every answer must be JSON. */
export async function call(api: Api, method: string, path: string, body?: unknown): Promise<Answer> {
  const send = transport === 'http' ? client(await serverFor(api)) : client('http://inferno.test', (request) => api.fetch(request));
  return send(method, path, body);
}

/** An API over a memory store holding the small sample, and that store. */
export function sampleApi(mode: ApiMode = 'stateful') {
  const store = new MemorySystemStore(System.fromSpec(smallSample().system));
  return { api: createApi({ store, mode }), store };
}

/** The stored system as plain data, to compare before and after. */
export async function snapshot(store: MemorySystemStore): Promise<SystemData> {
  return (await store.read()).toData();
}
