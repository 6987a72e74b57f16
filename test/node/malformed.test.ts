/**
 * The malformed and extreme requests of test/api/malformed-requests.ts against the real Node
 * server over HTTP (fewer runs than at the router): sound JSON answers, never a 5xx, in bounded
 * time, and what the /get verbs read is unchanged after every refusal.
 */
import fc from 'fast-check';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { SAMPLES } from '../../src/samples/index.js';
import { expectSoundAnswer, extremeRequests, malformedRequest, withinBound, type MalformedRequest } from '../api/malformed-requests.js';
import { readState } from '../http/system-state.js';

let server: Server;
let base: URL;

beforeAll(async () => {
  const store = new MemorySystemStore(System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system));
  const api = createApi({ store, optimizeOptions: { mipSolver: await loadNodeMipSolver() } });
  server = createNodeServer({ api, log: () => undefined });
  base = await listen(server, '127.0.0.1', 0);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function send({ method, path, headers, body }: MalformedRequest) {
  return withinBound(`${method} ${path.slice(0, 200)}`, (async () => {
    const response = await fetch(new URL(path, base), { method, headers, body });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  })());
}

const state = () =>
  readState(async (path) => {
    const response = await fetch(new URL(path, base));
    return { status: response.status, body: await response.json() };
  }, '');

/** Sends `request`; a refusal must leave the system as it was. */
async function expectSound(request: MalformedRequest): Promise<void> {
  const before = await state();
  const { status, type, text } = await send(request);
  expectSoundAnswer(request, status, type, text);
  if (status >= 400) expect(await state(), `${request.method} ${request.path}`).toEqual(before);
}

describe('malformed requests to the Node server over HTTP', () => {
  it('sound answers in bounded time; refusals change nothing', async () => {
    await fc.assert(fc.asyncProperty(malformedRequest, expectSound), { numRuns: 200 });
  }, 60_000);

  it('extreme bodies: refused or answered soundly, in bounded time, and the server goes on serving', async () => {
    for (const request of extremeRequests) await expectSound(request);
    expect((await fetch(new URL('/health', base))).status).toBe(200);
  }, 60_000);
});
