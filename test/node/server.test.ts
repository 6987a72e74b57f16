/** The Node adapter, started in-process on a free port, spoken to over HTTP. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, MAX_BODY_BYTES, MemorySystemStore } from '../../src/api/index.js';
import { optimize, parseWith, System, SystemDataSchema } from '../../src/core/index.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { SAMPLES } from '../../src/samples/index.js';

const sample = parseWith(SystemDataSchema, SAMPLES.small).system;
const playground = mkdtempSync(join(tmpdir(), 'inferno-playground-'));
writeFileSync(join(playground, 'index.html'), '<!doctype html><title>playground</title>');
mkdirSync(join(playground, 'assets'));
writeFileSync(join(playground, 'assets', 'app.js'), 'console.log("hi");');
writeFileSync(join(playground, 'assets', 'app.css'), 'body {}');

let server: Server;
let base: URL;
const logLines: string[] = [];

beforeAll(async () => {
  const api = createApi({ store: new MemorySystemStore(System.fromSpec(sample)) });
  server = createNodeServer({ api, staticDir: playground, log: (line) => logLines.push(line) });
  base = await listen(server, '127.0.0.1', 0);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const url = (path: string) => new URL(path, base);

describe('the Node server', () => {
  it('listens on the port it was given (0: a free one) and answers /health', async () => {
    expect(base.port).not.toBe('0');
    const response = await fetch(url('/health'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', mode: 'stateful' });
  });

  it('/optimize on the loaded sample equals core optimize on the same data', async () => {
    const expected = optimize(System.fromSpec(sample), sample.optimizerData.optimizer).solution;
    const response = await fetch(url('/optimize'), { method: 'POST', body: JSON.stringify(sample.optimizerData) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expected);
  });

  it('passes bodies, path parameters and statuses through', async () => {
    const added = await fetch(url('/addAccelerator'), { method: 'POST', body: JSON.stringify({ name: 'H 100', cost: 80 }) });
    expect(added.status).toBe(200);
    const got = await fetch(url('/getAccelerator/H%20100'));
    expect(await got.json()).toMatchObject({ name: 'H 100', cost: 80 });
    const bad = await fetch(url('/addAccelerator'), { method: 'POST', body: '{"cost": -1}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: 'cost: must not be negative', issues: [{ path: 'cost', message: 'must not be negative' }] });
    const wrong = await fetch(url('/getServers'), { method: 'PUT', body: '{}' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('answers 413 to a streamed body over 5 MB and then serves the next request', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES + chunk.length) controller.close();
        else controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const response = await fetch(url('/setServers'), { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toMatch(/too large/);
    expect((await fetch(url('/getServers'))).status).toBe(200);
  });

  it('logs one line per request: method, path, status, ms', async () => {
    await fetch(url('/getServer/nobody'));
    expect(logLines.at(-1)).toMatch(/^GET \/getServer\/nobody 404 \d+\.\dms$/);
  });

  it('serves the playground files at / and below, with their content types', async () => {
    const index = await fetch(url('/'));
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>playground</title>');
    const script = await fetch(url('/assets/app.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log("hi");');
    expect((await fetch(url('/assets/app.css'))).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serves nothing outside the playground folder; the API answers instead', async () => {
    for (const path of ['/..%2Fpackage.json', '/assets/..%2F..%2Fpackage.json', '/assets']) {
      const response = await fetch(url(path));
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });
});

describe('without a playground folder', () => {
  it('/ is an unknown verb', async () => {
    const api = createApi({ store: new MemorySystemStore() });
    const bare = createNodeServer({ api, staticDir: join(playground, 'absent'), log: () => undefined });
    const at = await listen(bare, '127.0.0.1', 0);
    try {
      const response = await fetch(new URL('/', at));
      expect(response.status).toBe(404);
      expect(((await response.json()) as { message: string }).message).toMatch(/unknown verb/);
    } finally {
      await new Promise((resolve) => bare.close(resolve));
    }
  });
});
