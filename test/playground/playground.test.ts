/**
 * The playground end to end: the page is built with Vite, served from a local static server
 * and driven in headless Chromium; what it shows must be what the core computes. Needs
 * Debian's chromium at /usr/bin/chromium (never a downloaded browser); skips without it, fails in CI.
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
import {
  explain,
  optimize,
  parseWith,
  System,
  SystemDataSchema,
  type MipSolver,
  type OptimizerSpec,
  type ServerExplanation,
  type SolverSummary,
} from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/highs/load-node.js';
import { SAMPLES, type SampleName } from '../../src/samples/index.js';
import { prerequisite } from '../prerequisites.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = prerequisite(existsSync(CHROMIUM), `the playground end-to-end tests need ${CHROMIUM} (apt-get install chromium)`);

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

/** The core's own run of a sample, and its explanation, as the page should show them. */
function coreRun(sample: SampleName, arrivalScale: number, flags: Partial<OptimizerSpec> = {}, mipSolver?: MipSolver) {
  const data = parseWith(SystemDataSchema, SAMPLES[sample]);
  for (const server of data.system.serverData.servers) server.currentAlloc.load.arrivalRate *= arrivalScale;
  const system = System.fromSpec(data.system);
  const spec = { ...data.system.optimizerData.optimizer, ...flags };
  // explain() works on a copy of the system, so that optimize() below starts from the same one.
  const explanation = explain(system, spec, { mipSolver });
  return { system, explanation, result: optimize(system, spec, { mipSolver }) };
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
  sample: SampleName,
  arrivalScale: number,
  flags: Partial<OptimizerSpec> = {},
  mipSolver?: MipSolver,
): Promise<void> {
  const { system, explanation, result } = coreRun(sample, arrivalScale, flags, mipSolver);
  const rows = await shownRows(page);
  const servers = system.listServers();
  expect(rows.map((row) => row.server).sort()).toEqual(servers.map((server) => server.name).sort());
  expect(Object.keys(result.solution.allocations).length).toBeGreaterThan(0);

  for (const row of rows) {
    const server = system.getServer(row.server)!;
    const allocation = result.solution.allocations[row.server];
    if (!allocation) {
      expect(row.status, row.server).toBe('unallocated');
      const { decision } = explanation.servers.find((s) => s.server === row.server)!;
      expect(row.cells.reason.text, row.server).toBe(`not allocated ${decision}`);
      continue;
    }
    const bestEffort = result.allocations.get(row.server)!.bestEffort;
    const target = system.getServiceClassModelTarget(system.serviceClassOf(server), server.model);
    expect(row.status, row.server).toBe(bestEffort ? 'best-effort' : 'allocated');
    expect(
      {
        accelerator: row.cells.accelerator.value,
        where: row.cells.accelerator.text,
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
      where: allocation.placements ? allocation.placements.map((p) => `${p.numReplicas} × ${p.accelerator}`).join(' + ') : allocation.accelerator || 'none (no load)',
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

interface ShownExplanation {
  server: string | null;
  status: string | null;
  decision: string | null;
  facts: Record<string, string>;
  candidates: Record<string, string | null>[];
}

function shownExplanation(page: Page): Promise<ShownExplanation> {
  return page.getByTestId('explanation').evaluate((panel) => ({
    server: panel.getAttribute('data-server'),
    status: panel.getAttribute('data-status'),
    decision: panel.querySelector('[data-field="decision"]')?.textContent ?? null,
    facts: Object.fromEntries([...panel.querySelectorAll('dd[data-field]')].map((dd) => [dd.getAttribute('data-field'), dd.textContent ?? ''])),
    candidates: [...panel.querySelectorAll('[data-testid="candidate"]')].map((row) => {
      const value = (field: string) => row.querySelector(`[data-field="${field}"]`)?.getAttribute('data-value') ?? null;
      return {
        accelerator: row.getAttribute('data-accelerator'),
        feasible: row.getAttribute('data-feasible'),
        chosen: row.getAttribute('data-chosen'),
        replicas: value('replicas'),
        batch: value('batch'),
        cost: value('cost'),
        reason: row.querySelector('[data-field="reason"]')?.textContent ?? null,
        note: row.querySelector('[data-field="note"]')?.textContent ?? null,
      };
    }),
  }));
}

/** The open explanation panel shows exactly the core's explanation of `server`. */
async function expectPanelShowsCore(page: Page, server: ServerExplanation): Promise<void> {
  const shown = await shownExplanation(page);
  const optional = (value: number | undefined) => (value === undefined ? null : String(value));
  expect({ server: shown.server, status: shown.status, decision: shown.decision }).toEqual({ server: server.server, status: server.status, decision: server.decision });
  expect(shown.candidates).toEqual(
    server.candidates.map((candidate) => ({
      accelerator: candidate.accelerator,
      feasible: String(candidate.feasible),
      chosen: String(candidate.chosen),
      replicas: optional(candidate.numReplicas),
      batch: optional(candidate.batchSize),
      cost: optional(candidate.cost),
      reason: candidate.reason ?? null,
      // A feasible candidate always shows its note cell, empty for the chosen one.
      note: candidate.feasible ? (candidate.note ?? '') : null,
    })),
  );
  expect(shown.facts.load).toContain(`${server.load.avgInTokens} tokens in · ${server.load.avgOutTokens} tokens out`);
  if (server.targets && server.targets.itl > 0) expect(shown.facts['slo-targets']).toContain(`ITL ${server.targets.itl} ms`);
}

function allocationRow(page: Page, server: string) {
  return page.locator(`[data-testid="allocation-row"][data-server="${server}"]`);
}

/** The summary box shows the core's MILP summary: status and servers within SLO by priority. */
async function expectSummaryShowsCore(page: Page, summary: SolverSummary | undefined): Promise<void> {
  expect(summary).toBeDefined();
  const box = page.getByTestId('solver-summary');
  expect(await box.isVisible()).toBe(true);
  const shown = await box.evaluate((element) => ({
    status: element.getAttribute('data-status'),
    statusText: element.querySelector('[data-field="status"]')?.textContent,
    served: [...element.querySelectorAll('[data-testid="served-within-slo"]')].map((item) => [item.getAttribute('data-priority'), Number(item.getAttribute('data-count'))]),
    objective: Number(element.querySelector('[data-field="objective"]')?.getAttribute('data-value')),
  }));
  expect(shown.status).toBe(summary!.status);
  expect(shown.statusText).toBe(summary!.status);
  expect(shown.served).toEqual(Object.entries(summary!.servedWithinSLO).sort(([a], [b]) => Number(a) - Number(b)));
  expect(shown.objective).toBeCloseTo(summary!.objective, 2);
}

async function runAndWait(page: Page, runs: number, arrivalScale = 1): Promise<void> {
  await page.getByTestId('run').click();
  await page.waitForSelector(`[data-testid="results"][data-runs="${runs}"][data-status="done"][data-arrival-scale="${arrivalScale}"]`);
}

describe.skipIf(!HAVE_CHROMIUM)('playground in headless Chromium', { timeout: 60_000 }, () => {
  let temp: string;
  let pageServer: Server;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'inferno-playground-'));
    const outDir = join(temp, 'site');
    await build(mergeConfig(playgroundConfig, { configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } }));
    pageServer = await serveStatic(outDir);
    origin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
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
    await new Promise((done) => (pageServer ? pageServer.close(done) : done(undefined)));
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

  // MILP runs to the end in the page and (four times) in Node: CPU-bound, on 2 cores shared with every test file
  it('solves with HiGHS in the browser when milpSolver is set, as the core does on Node, and shows its summary', { timeout: 180_000 }, async () => {
    const mipSolver = await loadNodeMipSolver();
    // HiGHS stops at milpTimeLimit by the wall clock (5 s by default): on a machine that runs every
    // test file at once the page and Node could stop at different points. Both get time to finish.
    const unhurried = { milpTimeLimit: 600 };
    const editor = page.getByTestId('editor');
    const original = await editor.inputValue();
    const systemData = JSON.parse(original) as { system: { optimizerData: { optimizer: Record<string, unknown> } } };
    systemData.system.optimizerData.optimizer.milpTimeLimit = unhurried.milpTimeLimit;
    await editor.fill(JSON.stringify(systemData, null, 2));
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
    const runs = Number(await page.getByTestId('results').getAttribute('data-runs'));
    await page.getByTestId('flag-milpSolver').check();
    await runAndWait(page, runs + 1);
    await expectPageShowsCore(page, 'small', 1, { milpSolver: true, ...unhurried }, mipSolver);
    await expectSummaryShowsCore(page, coreRun('small', 1, { milpSolver: true, ...unhurried }, mipSolver).result.solution.summary);

    // Heterogeneous: some servers' replicas are split, and the row says where they went.
    await page.getByTestId('flag-heterogeneous').check();
    await runAndWait(page, runs + 2);
    const flags = { milpSolver: true, heterogeneous: true, ...unhurried };
    await expectPageShowsCore(page, 'small', 1, flags, mipSolver);
    const { result, explanation } = coreRun('small', 1, flags, mipSolver);
    await expectSummaryShowsCore(page, result.solution.summary);
    const split = explanation.servers.find((server) => server.allocation?.placements);
    expect(split).toBeDefined();
    await allocationRow(page, split!.server).click();
    await page.waitForSelector(`[data-testid="explanation"][data-server="${split!.server}"]`);
    await expectPanelShowsCore(page, split!);
    expect(split!.candidates.filter((candidate) => candidate.chosen).length).toBe(split!.allocation!.placements!.length);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-milp.png'), fullPage: true });
    await page.getByTestId('flag-heterogeneous').uncheck();
    await page.getByTestId('flag-milpSolver').uncheck();
    await editor.fill(original);
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
  });

  it('switches to the large sample and shows what the core computes for it', async () => {
    await page.getByTestId('sample').selectOption('large');
    await page.getByTestId('arrival-scale').fill('0');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
    const runs = Number(await page.getByTestId('results').getAttribute('data-runs'));
    await runAndWait(page, runs + 1);
    await expectPageShowsCore(page, 'large', 1);
    // The greedy solver adds no summary; the new document closed the last explanation.
    expect(await page.getByTestId('solver-summary').isHidden()).toBe(true);
    expect(await page.getByTestId('explanation').isHidden()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-large.png'), fullPage: true });
  });

  it("shows the core's explanation of a server when its row is clicked", async () => {
    const { explanation } = coreRun('large', 1);
    // One with every kind of candidate: chosen, refused for lack of room, infeasible.
    const server = explanation.servers.find(
      (s) => s.status === 'allocated' && s.candidates.some((c) => !c.feasible) && s.candidates.some((c) => c.note?.startsWith('no room')),
    );
    expect(server).toBeDefined();
    await allocationRow(page, server!.server).click();
    await page.waitForSelector(`[data-testid="explanation"][data-server="${server!.server}"]`);
    await expectPanelShowsCore(page, server!);
    expect(await allocationRow(page, server!.server).getAttribute('aria-expanded')).toBe('true');
    await page.getByTestId('explanation').screenshot({ path: join(SCREENSHOTS, 'playground-explanation.png') });
  });

  it('explains a best-effort server, opened and closed from the keyboard', async () => {
    const { explanation } = coreRun('large', 1);
    const server = explanation.servers.find((s) => s.status === 'best-effort');
    expect(server).toBeDefined();
    const row = allocationRow(page, server!.server);
    expect(await row.getAttribute('tabindex')).toBe('0');
    await row.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-testid="explanation"][data-server="${server!.server}"]`);
    await expectPanelShowsCore(page, server!);
    expect(server!.candidates.filter((c) => c.chosen).map((c) => c.accelerator)).toEqual([server!.allocation!.accelerator]);
    await page.getByTestId('explanation').screenshot({ path: join(SCREENSHOTS, 'playground-explanation-best-effort.png') });

    // Escape closes the panel and gives the focus back to the row.
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="explanation"]', { state: 'hidden' });
    expect(await row.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
  });

  it("offers today's sample (perfParms) beside the seed's, and shows what the core computes for it", async () => {
    await page.getByTestId('sample').selectOption('today-small');
    await page.getByTestId('arrival-scale').fill('0');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
    const runs = Number(await page.getByTestId('results').getAttribute('data-runs'));
    await runAndWait(page, runs + 1);
    await expectPageShowsCore(page, 'today-small', 1);
  });
});
