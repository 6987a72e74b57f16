/**
 * The Node adapter, started in-process on a free port, spoken to over HTTP: what only it does
 * (port 0, log lines, static files). The API over HTTP is test/http's suite, run against this
 * server and the Worker alike.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { parseWith, System, SystemDataSchema } from '../../src/core/index.js';
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
