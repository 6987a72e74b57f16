/**
 * The playground end to end: the page is built with Vite, served from a local static server
 * and driven in headless Chromium; what it shows must be what the core computes. Needs
 * Debian's chromium at /usr/bin/chromium (never a downloaded browser); skips without it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, mergeConfig } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import playgroundConfig from '../../playground/vite.config.ts';
import { optimize, parseWith, System, SystemDataSchema, type MipSolver, type OptimizerSpec } from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/highs/load-node.js';
import { SAMPLES } from '../../src/samples/index.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`skipping the playground end-to-end tests: ${CHROMIUM} not found (apt-get install chromium)`);

/** git-ignored, so that a person can look at the page as the test saw it */
const SCREENSHOTS = fileURLToPath(new URL('../../dist/screenshots/', import.meta.url));
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

function serveStatic(root: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (!file.startsWith(root + sep) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/** The core's own run of a sample, as the page should show it. */
function coreRun(sample: 'small' | 'large', arrivalScale: number, flags: Partial<OptimizerSpec> = {}, mipSolver?: MipSolver) {
  const data = parseWith(SystemDataSchema, SAMPLES[sample]);
  for (const server of data.system.serverData.servers) server.currentAlloc.load.arrivalRate *= arrivalScale;
  const system = System.fromSpec(data.system);
  return { system, result: optimize(system, { ...data.system.optimizerData.optimizer, ...flags }, { mipSolver }) };
}

interface ShownCell {
  text: string;
  value?: string;
  slo?: string;
}
interface ShownRow {
  server: string;
  status: string;
  cells: Record<string, ShownCell>;
}

function shownRows(page: Page): Promise<ShownRow[]> {
  // Runs in the page; the root tsconfig has no DOM types, so attributes are read by name.
  return page.$$eval('[data-testid="allocation-row"]', (rows) =>
    rows.map((row) => ({
      server: row.getAttribute('data-server') ?? '',
      status: row.getAttribute('data-status') ?? '',
      cells: Object.fromEntries(
        [...row.querySelectorAll('[data-field]')].map((cell) => [
          cell.getAttribute('data-field'),
          { text: cell.textContent ?? '', value: cell.getAttribute('data-value') ?? undefined, slo: cell.getAttribute('data-slo') ?? undefined },
        ]),
      ),
    })),
  );
}

function expectedSlo(value: number, target: number, bestEffort: boolean): string {
  if (target <= 0) return 'none';
  return !bestEffort && value <= target ? 'met' : 'missed';
}

/** Every server has a row that shows what the core decided for it, and the total is theirs. */
async function expectPageShowsCore(
  page: Page,
  sample: 'small' | 'large',
  arrivalScale: number,
  flags: Partial<OptimizerSpec> = {},
  mipSolver?: MipSolver,
): Promise<void> {
  const { system, result } = coreRun(sample, arrivalScale, flags, mipSolver);
  const rows = await shownRows(page);
  const servers = system.listServers();
  expect(rows.map((row) => row.server).sort()).toEqual(servers.map((server) => server.name).sort());
  expect(Object.keys(result.solution.allocations).length).toBeGreaterThan(0);

  for (const row of rows) {
    const server = system.getServer(row.server)!;
    const allocation = result.solution.allocations[row.server];
    if (!allocation) {
      expect(row.status, row.server).toBe('unallocated');
      expect(row.cells.reason.text, row.server).toMatch(/not allocated\s*\S/);
      continue;
    }
    const bestEffort = result.allocations.get(row.server)!.bestEffort;
    const target = system.getServiceClassModelTarget(system.serviceClassOf(server), server.model);
    expect(row.status, row.server).toBe(bestEffort ? 'best-effort' : 'allocated');
    expect(
      {
        accelerator: row.cells.accelerator.text,
        replicas: row.cells.replicas.value,
        batch: row.cells.batch.text,
        cost: row.cells.cost.value,
        itl: row.cells.itl.value,
        ttft: row.cells.ttft.value,
        itlSlo: row.cells.itl.slo,
        ttftSlo: row.cells.ttft.slo,
      },
      row.server,
    ).toEqual({
      accelerator: allocation.accelerator,
      replicas: String(allocation.numReplicas),
      batch: String(allocation.maxBatch),
      cost: String(allocation.cost),
      itl: String(allocation.itlAverage),
      ttft: String(allocation.ttftAverage),
      itlSlo: expectedSlo(allocation.itlAverage, target?.['slo-itl'] ?? 0, bestEffort),
      ttftSlo: expectedSlo(allocation.ttftAverage, target?.['slo-ttft'] ?? 0, bestEffort),
    });
  }

  const total = Object.keys(result.solution.allocations)
    .sort()
    .reduce((sum, name) => sum + result.solution.allocations[name].cost, 0);
  const shownTotal = await page.getByTestId('total-cost').textContent();
  expect(shownTotal).toMatch(/^\d+(\.\d+)?$/);
  expect(Math.abs(Number(shownTotal) - total)).toBeLessThanOrEqual(0.005);
}

async function runAndWait(page: Page, runs: number, arrivalScale = 1): Promise<void> {
  await page.getByTestId('run').click();
  await page.waitForSelector(`[data-testid="results"][data-runs="${runs}"][data-status="done"][data-arrival-scale="${arrivalScale}"]`);
}

describe.skipIf(!HAVE_CHROMIUM)('playground in headless Chromium', { timeout: 60_000 }, () => {
  let temp: string;
  let server: Server;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'inferno-playground-'));
    const outDir = join(temp, 'site');
    await build(mergeConfig(playgroundConfig, { configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } }));
    server = await serveStatic(outDir);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await chromium.launchPersistentContext(join(temp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.protocol !== 'blob:' && !LOCAL_HOSTS.has(url.hostname)) foreignRequests.push(request.url());
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console error: ${message.text()}`);
    });
    await page.goto(`${origin}/`);
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
  }, 60_000);

  afterEach(() => {
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('opens with the small sample and shows what the core computes for it', async () => {
    expect(await page.getByTestId('sample').inputValue()).toBe('small');
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
    // The controls take the document's flags.
    const flags = parseWith(SystemDataSchema, SAMPLES.small).system.optimizerData.optimizer;
    expect(await page.getByTestId('flag-saturationPolicy').inputValue()).toBe(flags.saturationPolicy);
    await runAndWait(page, 1);
    await expectPageShowsCore(page, 'small', 1);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-small.png'), fullPage: true });
  });

  it('re-runs with every arrival rate scaled when the what-if slider moves', async () => {
    await page.getByTestId('arrival-scale').fill('1');
    await page.waitForSelector('[data-testid="results"][data-status="done"][data-arrival-scale="2"]');
    expect(await page.getByTestId('arrival-scale-value').textContent()).toBe('2');
    await expectPageShowsCore(page, 'small', 2);
    await page.getByTestId('arrival-scale').fill('0');
    await page.waitForSelector('[data-testid="results"][data-status="done"][data-arrival-scale="1"]');
  });

  it('marks a bad field at its line and lists the message', async () => {
    const editor = page.getByTestId('editor');
    const original = await editor.inputValue();
    const lines = original.split('\n');
    // The first arrival rate in the document is the first server's.
    const index = lines.findIndex((line) => /"arrivalRate":/.test(line));
    const broken = [...lines];
    broken[index] = lines[index].replace(/"arrivalRate": [^,]+/, '"arrivalRate": -5');
    await editor.fill(broken.join('\n'));
    const problem = page.locator('[data-testid="problem"][data-path="system.serverData.servers.0.currentAlloc.load.arrivalRate"]');
    await problem.waitFor();
    expect(await problem.getAttribute('data-line')).toBe(String(index + 1));
    expect(await problem.textContent()).toContain('must not be negative');
    // Following the listed problem scrolls the editor to the marked line.
    await problem.getByRole('button').click();
    const mark = await page.locator(`.editor-mark[data-line="${index + 1}"]`).boundingBox();
    const view = await editor.boundingBox();
    expect(mark!.y).toBeGreaterThanOrEqual(view!.y);
    expect(mark!.y + mark!.height).toBeLessThanOrEqual(view!.y + view!.height);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-problem.png') });

    // A syntax error is placed at its line, too.
    const garbled = [...lines];
    garbled.splice(3, 0, '  oops');
    await editor.fill(garbled.join('\n'));
    await page.locator('[data-testid="problem"][data-line="4"][data-path=""]').waitFor();

    await editor.fill(original);
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
    expect(await page.getByTestId('problem').count()).toBe(0);
  });

  it('solves with HiGHS in the browser when milpSolver is set, as the core does on Node', async () => {
    const mipSolver = await loadNodeMipSolver();
    const runs = Number(await page.getByTestId('results').getAttribute('data-runs'));
    await page.getByTestId('flag-milpSolver').check();
    await runAndWait(page, runs + 1);
    await expectPageShowsCore(page, 'small', 1, { milpSolver: true }, mipSolver);
    await page.getByTestId('flag-milpSolver').uncheck();
  });

  it('switches to the large sample and shows what the core computes for it', async () => {
    await page.getByTestId('sample').selectOption('large');
    await page.getByTestId('arrival-scale').fill('0');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
    const runs = Number(await page.getByTestId('results').getAttribute('data-runs'));
    await runAndWait(page, runs + 1);
    await expectPageShowsCore(page, 'large', 1);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-large.png'), fullPage: true });
  });
});
