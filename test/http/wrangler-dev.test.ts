/**
 * The HTTP suite against the Worker under a real `wrangler dev` (workerd, local and offline),
 * each test in a system of its own; then what only the Worker does: many systems, the default
 * one, and state that survives a restart with the same --persist-to folder. The requests go to
 * the Worker's own workerd, not through wrangler's live-reload proxy (wrangler-dev.ts says why).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAccess } from './access.js';
import { describeLoad } from './load.js';
import { client, smallSample } from '../client.js';
import { describeHttpApi, readState } from './suite.js';
import { describeTenants } from './tenants.js';
import { startWranglerDev, type WranglerDev } from './wrangler-dev.js';
import { havePrometheus, PROMTOOL } from '../prometheus.js';

const TOKEN = 'worker-http-token';
const HAVE_PROMTOOL = havePrometheus();
const ALLOWED_ORIGIN = 'http://localhost:5173';

const persistTo = mkdtempSync(join(tmpdir(), 'inferno-wrangler-'));
const guardedPersistTo = mkdtempSync(join(tmpdir(), 'inferno-wrangler-guarded-'));
let worker: WranglerDev;
/** another wrangler dev, with INFERNO_TOKEN and INFERNO_CORS_ORIGINS */
let guarded: WranglerDev;
let systems = 0;

beforeAll(async () => {
  const started = await Promise.allSettled([
    startWranglerDev(persistTo),
    startWranglerDev(guardedPersistTo, { INFERNO_TOKEN: TOKEN, INFERNO_CORS_ORIGINS: ALLOWED_ORIGIN }),
  ]);
  // kept even when the other failed, so that afterAll stops it
  [worker, guarded] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined)) as WranglerDev[];
  for (const result of started) if (result.status === 'rejected') throw result.reason;
}, 90_000);

afterAll(async () => {
  await Promise.all([worker?.stop(), guarded?.stop()]);
  rmSync(persistTo, { recursive: true, force: true });
  rmSync(guardedPersistTo, { recursive: true, force: true });
}, 30_000);

describeHttpApi('the Worker under wrangler dev', { base: () => worker.url, systemPrefix: () => `/systems/suite-${++systems}` });
describeLoad('the Worker under concurrent requests', { base: () => worker.url, systemPrefix: () => `/systems/load-${++systems}` });
describeAccess('the Worker with INFERNO_TOKEN and INFERNO_CORS_ORIGINS', {
  base: () => guarded.url,
  systemPrefix: () => `/systems/guarded-${++systems}`,
  token: TOKEN,
  allowedOrigin: ALLOWED_ORIGIN,
});

describeTenants('the Worker under wrangler dev, with INFERNO_TOKEN', { call: client(() => guarded.url), admin: TOKEN });

describe('the Worker: many systems', () => {
  const call = (method: string, path: string, body?: unknown) => client(worker.url)(method, path, body);

  it('serves the playground at / as static assets, the same URL as the API', async () => {
    const page = await fetch(new URL('/', worker.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toMatch(/<title>[^<]*playground/i);
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(new URL(`/${script}`, worker.url))).status).toBe(200);
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('wrangler dev\'s printed address, its live-reload proxy, serves the same Worker', async () => {
    expect(worker.proxyUrl.href).not.toBe(worker.url.href);
    expect(await client(worker.proxyUrl)('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await readState(worker.proxyUrl, '/systems/default')).toEqual(await readState(worker.url, '/systems/default'));
  });

  it('bare verbs use the default system, which starts with the small sample', async () => {
    const servers = smallSample().system.serverData.servers.map((server) => server.name).sort();
    const { status, body } = await call('GET', '/getServers');
    expect(status).toBe(200);
    expect(body.servers.map((server: { name: string }) => server.name)).toEqual(servers);
    expect(await readState(worker.url, '/systems/default')).toEqual(await readState(worker.url, ''));
  });

  it('/systems/{id}/ selects a system of its own, which starts empty', async () => {
    expect(await readState(worker.url, '/systems/fresh.1')).toEqual({ accelerators: [], capacities: [], models: [], serviceClasses: [], servers: [] });
    expect((await call('POST', '/systems/iso-a/addAccelerator', { name: 'only-in-a', cost: 1 })).status).toBe(200);
    expect(await call('GET', '/systems/iso-a/getAccelerator/only-in-a')).toMatchObject({ status: 200, body: { cost: 1 } });
    expect((await call('GET', '/systems/iso-b/getAccelerator/only-in-a')).status).toBe(404);
    expect((await call('GET', '/getAccelerator/only-in-a')).status).toBe(404);
  });

  it('refuses an invalid system id with a 400 that names it', async () => {
    for (const id of ['', 'a%20b', 'x'.repeat(65), '%C3%A9']) {
      const { status, body } = await call('GET', `/systems/${id}/getServers`);
      expect(status, id).toBe(400);
      expect(body.issues, id).toEqual([{ path: 'systemId', message: expect.stringContaining(`not "${id}"`) }]);
    }
    expect((await call('GET', `/systems/${'x'.repeat(64)}/getServers`)).status).toBe(200);
  });

  it('keeps every system across a restart with the same --persist-to folder', async () => {
    expect((await call('GET', '/addServiceClass/Restarted/7')).status).toBe(200);
    expect((await call('POST', '/systems/kept/optimizeOne', smallSample())).status).toBe(200);
    const before = { default: await readState(worker.url, ''), kept: await readState(worker.url, '/systems/kept') };
    await worker.stop();
    worker = await startWranglerDev(persistTo);
    expect({ default: await readState(worker.url, ''), kept: await readState(worker.url, '/systems/kept') }).toEqual(before);
    expect(await call('GET', '/getServiceClass/Restarted')).toMatchObject({ status: 200, body: { priority: 7 } });
  }, 90_000);
});

describe('the Worker: GET /metrics', () => {
  const metrics = (base: URL, path: string, token?: string) =>
    fetch(new URL(path, base), { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  it.skipIf(!HAVE_PROMTOOL)("promtool finds the exposition valid, per system and at the bare path (the default system's)", async () => {
    expect((await client(worker.url)('POST', '/systems/metrics-promtool/optimizeOne', smallSample())).status).toBe(200);
    for (const path of ['/systems/metrics-promtool/metrics', '/metrics']) {
      const response = await metrics(worker.url, path);
      expect(response.status, path).toBe(200);
      const checked = spawnSync(PROMTOOL, ['check', 'metrics'], { input: await response.text(), encoding: 'utf8' });
      expect(checked.stdout + checked.stderr, path).toBe('');
      expect(checked.status, path).toBe(0);
    }
  });

  it('needs the token when the Worker has one', async () => {
    for (const path of ['/metrics', '/systems/metrics-guarded/metrics']) {
      expect((await metrics(guarded.url, path)).status, path).toBe(401);
      expect((await metrics(guarded.url, path, 'wrong')).status, path).toBe(401);
      const answer = await metrics(guarded.url, path, TOKEN);
      expect(answer.status, path).toBe(200);
      expect(await answer.text()).toContain('# TYPE inferno_server_desired_replicas gauge\n');
    }
  });
});
