/**
 * The playground end to end: the page is built with Vite, served by the Node server (as
 * `npm start` serves it, src/node/static-files.ts) and driven in headless Chromium; what it shows must be what the core computes. Needs
 * Debian's chromium at /usr/bin/chromium (never a downloaded browser); skips without it, fails in CI.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { build, mergeConfig } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import playgroundConfig from '../../playground/vite.config.ts';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import {
  explainResult,
  optimize,
  parseWith,
  serviceClassOf,
  System,
  SystemDataSchema,
  type MipSolver,
  type OptimizerSpec,
  type ServerExplanation,
  type SolverSummary,
} from '../../src/core/index.js';
import { generateSystem } from '../../bench/generator.js';
import { createNodeServer, listen } from '../../src/node/http-server.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { SAMPLES, type SampleName } from '../../src/samples/index.js';
import { prerequisite } from '../prerequisites.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = prerequisite(existsSync(CHROMIUM), `the playground end-to-end tests need ${CHROMIUM} (apt-get install chromium)`);

/** axe-core, injected into the page to check it for accessibility */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** git-ignored, so that a person can look at the page as the test saw it */
const SCREENSHOTS = fileURLToPath(new URL('../../dist/screenshots/', import.meta.url));
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The core's own run of a sample (or of SystemData), and its explanation, as the page should show them. */
function coreRun(sample: SampleName | object, arrivalScale: number, flags: Partial<OptimizerSpec> = {}, mipSolver?: MipSolver) {
  const data = parseWith(SystemDataSchema, typeof sample === 'string' ? SAMPLES[sample] : sample);
  for (const server of data.system.serverData.servers) server.currentAlloc.load.arrivalRate *= arrivalScale;
  const system = System.fromSpec(data.system);
  const spec = { ...data.system.optimizerData.optimizer, ...flags };
  const result = optimize(system, spec, { mipSolver });
  return { system, explanation: explainResult(system, spec, result), result };
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
  sample: SampleName | object,
  arrivalScale: number,
  flags: Partial<OptimizerSpec> = {},
  mipSolver?: MipSolver,
  core = coreRun(sample, arrivalScale, flags, mipSolver),
): Promise<void> {
  const { system, explanation, result } = core;
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
      expect(row.cells.reason.text, row.server).toBe(decision);
      expect(row.cells.status.text, row.server).toBe('not allocated');
      continue;
    }
    const bestEffort = result.allocations.get(row.server)!.bestEffort;
    const target = system.getServiceClassModelTarget(serviceClassOf(server), server.model);
    expect(row.status, row.server).toBe(bestEffort ? 'best-effort' : 'allocated');
    const within = !bestEffort && [expectedSlo(allocation.itlAverage, target?.['slo-itl'] ?? 0, false), expectedSlo(allocation.ttftAverage, target?.['slo-ttft'] ?? 0, false)].every((slo) => slo !== 'missed');
    expect(row.cells.status.text, row.server).toBe(within ? 'within SLO' : bestEffort ? 'best effort' : 'SLO missed');
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

async function runAndWait(page: Page, run: number, arrivalScale = 1): Promise<void> {
  await page.getByTestId('run').click();
  await page.waitForSelector(`[data-testid="results"][data-runs="${run}"][data-status="done"][data-arrival-scale="${arrivalScale}"]`);
}

/** The large sample as it comes, whatever the tests before did to the document; MILP on, not heterogeneous, a 600 s limit. */
async function largeSampleWithMilp(page: Page): Promise<void> {
  await page.getByTestId('sample').selectOption('small');
  await page.getByTestId('sample').selectOption('large');
  await page.waitForSelector('[data-testid="run"]:not([disabled])');
  await page.getByTestId('flag-heterogeneous').uncheck();
  await page.getByTestId('flag-milpSolver').check();
  await page.getByTestId('flag-milpTimeLimit').fill('600');
}

/** Runs shown so far. */
function runs(page: Page): Promise<number> {
  return page.getByTestId('results').getAttribute('data-runs').then(Number);
}

/** Loads `text` as a file, as "Load files…" does, and waits until the page has checked it and taken its flags. */
async function loadText(page: Page, name: string, text: string): Promise<void> {
  const before = Number((await page.getByTestId('doc-status').getAttribute('data-loaded')) ?? 0);
  await page.getByTestId('files').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  await page.waitForSelector(`[data-testid="doc-status"][data-loaded="${before + 1}"]`);
}

function sampleText(sample: SampleName): string {
  return `${JSON.stringify(SAMPLES[sample], null, 2)}\n`;
}

/** Replaces the editor's text as a user would (select all, type), and waits for the check of this text, not of an earlier one (whose status may read the same). */
async function editText(page: Page, text: string, status: RegExp): Promise<void> {
  const checked = () => page.getByTestId('doc-status').getAttribute('data-checked').then(Number);
  const before = await checked();
  // Select all with the editor's own key, then type: fill() selects through the DOM, which the
  // editor reads back on a later selectionchange event, so under load the text went in over the
  // old selection (the line a problem's link had selected) instead of replacing the document.
  await page.getByTestId('editor').focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
  await expect.poll(checked, { timeout: 30_000 }).toBeGreaterThan(before);
  await expect.poll(() => page.getByTestId('doc-status').textContent()).toMatch(status);
}

/** The worker that the next click on Run starts, and the click. */
async function startRun(page: Page): Promise<Worker> {
  const created = page.waitForEvent('worker');
  await page.getByTestId('run').click();
  return created;
}

async function isFocused(page: Page, testid: string): Promise<boolean> {
  return page.getByTestId(testid).evaluate((element) => element === element.ownerDocument.activeElement);
}

/** axe-core's serious and critical violations on the page as it is. */
async function seriousViolations(page: Page): Promise<{ id: string; nodes: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    type Axe = { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
    const { axe, document } = globalThis as unknown as { axe: Axe; document: unknown };
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, nodes: v.nodes.map((node) => node.target.join(' ')) }));
  });
}

/** The page does not scroll sideways: nothing is wider than the window. */
function pageWidth(page: Page): Promise<{ scroll: number; window: number }> {
  return page.locator('html').evaluate((html) => ({ scroll: html.scrollWidth, window: html.ownerDocument.defaultView?.innerWidth ?? 0 }));
}

/** The server of the row that has the focus. */
function focusedServer(page: Page): Promise<string | null | undefined> {
  return page.locator('body').evaluate((body) => body.ownerDocument.activeElement?.getAttribute('data-server'));
}

/** A capacity-bound fleet of 240 generated servers: five pages, every status. */
const FLEET = generateSystem({ servers: 240, seed: 7, capacityFactor: 0.5, saturationPolicy: 'PriorityExhaustive' });

describe.skipIf(!HAVE_CHROMIUM)('playground in headless Chromium', { timeout: 90_000 }, () => {
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
    pageServer = createNodeServer({ api: createApi({ store: new MemorySystemStore() }), staticDir: outDir, log: () => undefined });
    origin = (await listen(pageServer, '127.0.0.1', 0)).origin;
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
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 90_000);

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
    expect(await page.getByTestId('within-slo').textContent()).toBe('15 of 15');
    expect(await page.getByTestId('run-status').textContent()).toMatch(/^Run done: 15 of 15 servers within SLO/);
    // The built page is served by the REST server (npm start, the Worker): curl goes to where the page came from.
    expect(await page.getByTestId('server-url').inputValue()).toBe(origin);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-small.png'), fullPage: true });
  });

  it('re-runs with every arrival rate scaled when the what-if slider moves, and says the multiplier', async () => {
    const slider = page.getByTestId('arrival-scale');
    await slider.fill('1');
    await page.waitForSelector('[data-testid="results"][data-status="done"][data-arrival-scale="2"]');
    expect(await page.getByTestId('arrival-scale-value').textContent()).toBe('2');
    expect(await slider.getAttribute('aria-valuetext')).toBe('arrival rates × 2');
    await expectPageShowsCore(page, 'small', 2);
    // From the keyboard: one step down is ×2^-0.25.
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    expect(await slider.getAttribute('aria-valuetext')).toBe('arrival rates × 1.68');
    await page.waitForSelector('[data-testid="results"][data-status="done"]:not([data-arrival-scale="2"])');
    expect(Number(await page.getByTestId('results').getAttribute('data-arrival-scale'))).toBeCloseTo(2 ** 0.75, 12);
    await slider.fill('0');
    await page.waitForSelector('[data-testid="results"][data-status="done"][data-arrival-scale="1"]');
  });

  it('counts within SLO apart from best effort and unallocated, on the page and in the downloaded report', async () => {
    await page.getByTestId('flag-saturationPolicy').selectOption('PriorityExhaustive');
    await page.getByTestId('arrival-scale').fill('2');
    await page.waitForSelector('[data-testid="results"][data-status="done"][data-arrival-scale="4"]');
    const { explanation } = coreRun('small', 4, { saturationPolicy: 'PriorityExhaustive' });
    const count = (status: string) => explanation.servers.filter((server) => server.status === status).length;
    const [bestEffort, unallocated] = [count('best-effort'), count('unallocated')];
    expect(bestEffort).toBeGreaterThan(0);
    expect(unallocated).toBeGreaterThan(0);
    // Every allocated server of this run meets its SLOs: within SLO are the allocated ones.
    expect(await page.getByTestId('within-slo').textContent()).toBe(`${count('allocated')} of 15`);
    const shownCount = (field: string) => page.locator(`[data-testid="counts"] [data-field="${field}"]`).getAttribute('data-value').then(Number);
    expect(await shownCount('best-effort')).toBe(bestEffort);
    expect(await shownCount('unallocated')).toBe(unallocated);
    await expectPageShowsCore(page, 'small', 4, { saturationPolicy: 'PriorityExhaustive' });

    const download = page.waitForEvent('download');
    await page.getByTestId('download-report').click();
    const file = JSON.parse(readFileSync((await (await download).path())!, 'utf8'));
    expect(file.counts).toEqual({ servers: 15, withinSlo: count('allocated'), missedSlo: 0, bestEffort, unallocated });
    expect(file.arrivalScale).toBe(4);
    expect(file.servers.filter((row: { status: string }) => row.status === 'best-effort').length).toBe(bestEffort);

    await page.getByTestId('arrival-scale').fill('0');
    await page.waitForSelector('[data-testid="results"][data-status="done"][data-arrival-scale="1"]');
  });

  it('marks a bad field at its line, lists the message, and forgets the refusal to run once it is fixed', async () => {
    const original = sampleText('small');
    const lines = original.split('\n');
    // The first arrival rate in the document is the first server's.
    const index = lines.findIndex((line) => /"arrivalRate":/.test(line));
    const broken = [...lines];
    broken[index] = lines[index].replace(/"arrivalRate": [^,]+/, '"arrivalRate": -5');
    const before = await runs(page);
    const cost = await page.getByTestId('total-cost').textContent();
    await editText(page, broken.join('\n'), /^One problem/);
    const problem = page.locator('[data-testid="problem"][data-path="system.serverData.servers.0.currentAlloc.load.arrivalRate"]');
    expect(await problem.getAttribute('data-line')).toBe(String(index + 1));
    expect(await problem.textContent()).toContain('must not be negative');
    expect(await page.getByTestId('doc-status').getAttribute('role')).toBe('status');

    // Run on the broken document refuses, and keeps the results of the last run, saying so.
    await page.getByTestId('run').click();
    await page.waitForSelector('[data-testid="results"][data-status="error"]');
    expect(await page.getByTestId('run-error').textContent()).toBe('The system data has a problem; fix it first.');
    expect(await page.getByTestId('run-error').getAttribute('role')).toBe('alert');
    expect(await runs(page)).toBe(before);
    expect(await page.getByTestId('total-cost').textContent()).toBe(cost);
    expect(await page.getByTestId('results-note').textContent()).toMatch(/from the last run that succeeded/);

    // Following the listed problem takes the caret to the line, scrolled into view, and says what is wrong there.
    await problem.getByRole('button').click();
    await expect.poll(() => page.getByTestId('editor-note').getAttribute('data-line')).toBe(String(index + 1));
    expect(await page.getByTestId('editor-note').textContent()).toBe(`Line ${index + 1}: arrivalRate: must not be negative`);
    // The editor scrolls in its next frame.
    const inView = async () => {
      const active = await page.locator('.cm-activeLine').boundingBox();
      const view = await page.locator('.cm-scroller').boundingBox();
      return active !== null && view !== null && active.y >= view.y && active.y + active.height <= view.y + view.height;
    };
    await expect.poll(inView).toBe(true);
    // The line is marked, and nothing covers its text: the message is under the editor.
    await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-problem.png') });

    // A syntax error is placed at its line, too.
    const garbled = [...lines];
    garbled.splice(3, 0, '  oops');
    await editText(page, garbled.join('\n'), /^One problem/);
    await page.locator('[data-testid="problem"][data-line="4"][data-path=""]').waitFor();

    await editText(page, original, /^Valid SystemData\.$/);
    expect(await page.getByTestId('problem').count()).toBe(0);
    expect(await page.getByTestId('run-error').isHidden()).toBe(true);
  });

  it('warns of dangling references and unknown keys, in the editor and beside the errors, and the explanation names the missing model', async () => {
    const data = structuredClone(SAMPLES.small) as { system: Record<string, any> };
    const server = data.system.serverData.servers[0];
    server.model = 'llama_13bX';
    data.system.acceleratorData.accelerators[0].multiplicty = 2;
    data.system.modelData.models[0].acc = 'H999';
    // Perf data that sizes nothing: the answer's own warning, shown with the run.
    const zeroed = data.system.modelData.models[1];
    zeroed.decodeParms = { alpha: 0, beta: 0 };
    zeroed.prefillParms = { gamma: 0, delta: 0 };
    await loadText(page, 'dangling.json', `${JSON.stringify(data, null, 2)}\n`);
    expect(await page.getByTestId('doc-status').textContent()).toBe('Valid SystemData, with 3 warnings: it may not work as written.');
    const warnings = await page.getByTestId('warning').evaluateAll((items) => items.map((item) => [item.getAttribute('data-path'), item.textContent]));
    expect(warnings.map(([path]) => path)).toEqual(['system.acceleratorData.accelerators.0.multiplicty', 'system.modelData.models.0.acc', 'system.serverData.servers.0.model']);
    expect(warnings[0][1]).toContain('did you mean multiplicity?');
    expect(warnings[2][1]).toContain(`model llama_13bX has no perf data: server ${server.name} cannot be allocated`);
    await expect.poll(() => page.locator('.cm-lintRange-warning').count()).toBeGreaterThan(0);

    const before = await runs(page);
    await runAndWait(page, before + 1);
    await expectPageShowsCore(page, data, 1);
    const { result } = coreRun(data, 1);
    expect(result.solution.warnings?.length).toBeGreaterThan(0);
    expect(await page.getByTestId('run-warning').allTextContents()).toEqual(result.solution.warnings);
    const row = allocationRow(page, server.name);
    expect(await row.getAttribute('data-status')).toBe('unallocated');
    await row.click();
    await page.waitForSelector(`[data-testid="explanation"][data-server="${server.name}"]`);
    expect((await shownExplanation(page)).decision).toBe('model llama_13bX not found');

    // An empty document is valid, and says why it will do nothing.
    await editText(page, '{}', /^Valid SystemData, with one warning/);
    expect(await page.getByTestId('warning').textContent()).toContain('no servers: there is nothing to optimize');
  });

  // MILP runs to the end in the page and (four times) in Node: CPU-bound, on 2 cores shared with every test file
  it('solves with HiGHS in the browser when milpSolver is set, as the core does on Node, and shows its summary', { timeout: 180_000 }, async () => {
    const mipSolver = await loadNodeMipSolver();
    await page.getByTestId('sample').selectOption('large');
    await page.getByTestId('sample').selectOption('small');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    const before = await runs(page);
    await page.getByTestId('flag-milpSolver').check();
    // HiGHS stops at milpTimeLimit by the wall clock (5 s by default): on a machine that runs every
    // test file at once the page and Node could stop at different points. Both get time to finish.
    await page.getByTestId('flag-milpTimeLimit').fill('600');
    await runAndWait(page, before + 1);
    const single = coreRun('small', 1, { milpSolver: true, milpTimeLimit: 600 }, mipSolver);
    await expectPageShowsCore(page, 'small', 1, {}, mipSolver, single);
    expect(single.result.solution.summary?.status).toBe('optimal');
    await expectSummaryShowsCore(page, single.result.solution.summary);
    // The objective is not the cost, and the page says why.
    expect(await page.locator('[data-testid="solver-summary"] [data-field="objective-note"]').textContent()).toMatch(/^The objective is what the MILP minimises, not the cost/);

    // Heterogeneous: some servers' replicas are split, and the row says where they went.
    await page.getByTestId('flag-heterogeneous').check();
    await runAndWait(page, before + 2);
    const heterogeneous = coreRun('small', 1, { milpSolver: true, heterogeneous: true, milpTimeLimit: 600 }, mipSolver);
    await expectPageShowsCore(page, 'small', 1, {}, mipSolver, heterogeneous);
    const { result, explanation } = heterogeneous;
    expect(result.solution.summary?.status).toBe('optimal');
    await expectSummaryShowsCore(page, result.solution.summary);
    const split = explanation.servers.find((server) => server.allocation?.placements);
    expect(split).toBeDefined();
    await allocationRow(page, split!.server).click();
    await page.waitForSelector(`[data-testid="explanation"][data-server="${split!.server}"]`);
    await expectPanelShowsCore(page, split!);
    expect(split!.candidates.filter((candidate) => candidate.chosen).length).toBe(split!.allocation!.placements!.length);
    // At 1280 px every column fits: TTFT is not cut off.
    await page.setViewportSize({ width: 1280, height: 900 });
    const table = await page.locator('[data-testid="results-scroll"] > .table-wrap').boundingBox();
    const ttft = await page.locator('thead th[data-sort-key="ttft"]').boundingBox();
    expect(ttft!.x + ttft!.width).toBeLessThanOrEqual(table!.x + table!.width + 0.5);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-milp-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 1000 });

    // A run stopped by its time limit says that another run may answer otherwise.
    await page.getByTestId('flag-milpTimeLimit').fill('0.001');
    await runAndWait(page, before + 3);
    expect(await page.getByTestId('solver-summary').getAttribute('data-status')).toBe('time-limit');
    expect(await page.getByTestId('time-limit-note').textContent()).toMatch(/^Stopped at the time limit \(0\.001 s\).*another run, or another machine, may give another one/);
    await page.getByTestId('flag-milpTimeLimit').fill('0');
    await page.getByTestId('flag-heterogeneous').uncheck();
    await page.getByTestId('flag-milpSolver').uncheck();
  });

  it('shows busy while a run works, announces it, and cancels it from the keyboard; Run is not pressed twice', async () => {
    await page.getByTestId('sample').selectOption('large');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    await page.getByTestId('flag-milpSolver').check();
    await page.getByTestId('flag-heterogeneous').check();
    // Long enough to be caught working, whatever the machine: it is cancelled anyway.
    await page.getByTestId('flag-milpTimeLimit').fill('60');
    const before = await runs(page);
    // Keyboard only: Tab from the slider reaches Run; Enter runs.
    await page.getByTestId('arrival-scale').focus();
    await page.keyboard.press('Tab');
    expect(await isFocused(page, 'run')).toBe(true);
    const created = page.waitForEvent('worker');
    await page.keyboard.press('Enter');
    const worker = await created;
    await page.waitForSelector('[data-testid="busy"]:not([hidden])');
    expect(await page.getByTestId('run').isDisabled()).toBe(true);
    expect(await page.getByTestId('results').getAttribute('aria-busy')).toBe('true');
    expect(await page.getByTestId('run-status').textContent()).toBe('Running the MILP solver…');
    // Run is disabled: the focus went to Cancel, not to nowhere.
    expect(await isFocused(page, 'cancel')).toBe(true);
    await expect.poll(() => page.getByTestId('busy-stage').textContent()).toMatch(/^(Loading the MILP solver|Optimizing \(MILP \(HiGHS\)\))(: .*)?…$/);
    await expect.poll(async () => Number.parseFloat((await page.getByTestId('busy-elapsed').textContent()) ?? '')).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-busy.png') });

    const closed = worker.waitForEvent('close');
    await page.keyboard.press('Enter');
    await closed;
    await page.waitForSelector('[data-testid="busy"]', { state: 'hidden' });
    expect(await page.getByTestId('run').isEnabled()).toBe(true);
    expect(await isFocused(page, 'run')).toBe(true);
    expect(await page.getByTestId('run-status').textContent()).toBe('Run cancelled.');
    expect(await page.getByTestId('results').getAttribute('aria-busy')).toBe('false');
    expect(await runs(page)).toBe(before);
  });

  it('drops a run in flight when the document changes: its results never appear under another document', async () => {
    // The large sample with MILP and heterogeneous takes seconds; small is chosen within them.
    expect(await page.getByTestId('sample').inputValue()).toBe('large');
    const before = await runs(page);
    const worker = await startRun(page);
    await page.waitForSelector('[data-testid="busy"]:not([hidden])');
    const closed = worker.waitForEvent('close');
    await page.getByTestId('sample').selectOption('small');
    // The run's worker is gone, and with it the run.
    await closed;
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    expect(await page.getByTestId('busy').isHidden()).toBe(true);
    expect(await page.getByTestId('results').getAttribute('data-status')).toBe('idle');
    expect(await page.getByTestId('allocation-row').count()).toBe(0);
    // The small sample's own flags: greedy.
    expect(await page.getByTestId('flag-milpSolver').isChecked()).toBe(false);
    await runAndWait(page, before + 1);
    await expectPageShowsCore(page, 'small', 1);
    expect(await page.getByTestId('solver-summary').isHidden()).toBe(true);

    // An edit is another document too: the run in flight stops; the results of the run before stay, marked.
    await page.getByTestId('flag-milpSolver').check();
    await page.getByTestId('flag-heterogeneous').check();
    await page.getByTestId('sample').selectOption('large');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    await page.getByTestId('flag-milpSolver').check();
    await page.getByTestId('flag-heterogeneous').check();
    await page.getByTestId('flag-milpTimeLimit').fill('60');
    const edited = await startRun(page);
    const gone = edited.waitForEvent('close');
    await page.locator('.cm-content').click();
    await page.keyboard.press('End');
    await page.keyboard.type(' ');
    await gone;
    expect(await page.getByTestId('run-status').textContent()).toBe('Run stopped: the system data changed.');
    expect(await runs(page)).toBe(before + 1);
    await page.getByTestId('flag-heterogeneous').uncheck();
    await page.getByTestId('flag-milpSolver').uncheck();
  });

  it("shows the MILP's stage, best solution so far and gap in the busy box while it works, as the core reports them", { timeout: 180_000 }, async () => {
    // to the end, however busy the machine: every stage reports at least once
    await largeSampleWithMilp(page);
    const before = await runs(page);
    // Every text the busy box shows, however briefly: the test does not depend on when it looks.
    await page.getByTestId('busy-stage').evaluate((element) => {
      type Observer = new (callback: () => void) => { observe(target: unknown, options: object): void };
      const scope = globalThis as unknown as { MutationObserver: Observer; busyTexts: string[] };
      const texts: string[] = [];
      scope.busyTexts = texts;
      new scope.MutationObserver(() => texts.push(element.textContent ?? '')).observe(element, { childList: true, characterData: true, subtree: true });
    });
    await runAndWait(page, before + 1);
    const texts = await page.evaluate(() => (globalThis as unknown as { busyTexts: string[] }).busyTexts);
    const milp = texts.filter((text) => text.startsWith('Optimizing (MILP (HiGHS)): '));
    // the large sample has three priorities: three count stages and the cost stage, in order
    const stages = [...new Set(milp.map((text) => /^Optimizing \(MILP \(HiGHS\)\): (.+?) \(stage/.exec(text)?.[1]))];
    expect(stages).toEqual(['priority 1', 'priority 2', 'priority 3', 'cost']);
    expect(milp.some((text) => /^Optimizing \(MILP \(HiGHS\)\): priority 1 \(stage 1 of 4\), best so far \d+ within SLO, gap \d+(\.\d+)?%…$/.test(text))).toBe(true);
    expect(milp.some((text) => /^Optimizing \(MILP \(HiGHS\)\): cost \(stage 4 of 4\), best value so far \d+(\.\d+)?, gap \d+(\.\d+)?%…$/.test(text))).toBe(true);
    expect(await page.getByTestId('solver-summary').getAttribute('data-status')).toBe('optimal');
    await page.getByTestId('flag-milpTimeLimit').fill('0');
    await page.getByTestId('flag-milpSolver').uncheck();
  });

  it('offers milpIterationLimit, checks it, and gives it to the solver: the answer is the core\'s with the same budget, every run', { timeout: 180_000 }, async () => {
    const mipSolver = await loadNodeMipSolver();
    // the time limit must not bind first, in the page or in Node
    await largeSampleWithMilp(page);
    const field = page.getByTestId('flag-milpIterationLimit');
    const problem = page.getByTestId('iteration-limit-problem');
    for (const [value, message] of [
      ['1.5', 'milpIterationLimit: must be a whole number'],
      ['-3', 'milpIterationLimit: must not be negative'],
      ['2000000000', 'milpIterationLimit: must be at most 1000000000'],
    ]) {
      await field.fill(value);
      expect(await problem.textContent()).toBe(message);
      expect(await problem.isVisible()).toBe(true);
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('run').isDisabled()).toBe(true);
    }
    await field.fill('100');
    expect(await problem.isHidden()).toBe(true);
    expect(await field.getAttribute('aria-invalid')).toBe('false');
    const before = await runs(page);
    await runAndWait(page, before + 1);
    const core = coreRun('large', 1, { milpSolver: true, milpTimeLimit: 600, milpIterationLimit: 100 }, mipSolver);
    const summary = core.result.solution.summary;
    expect(summary).toMatchObject({ status: 'iteration-limit', limitedBy: 'iterations' });
    await expectPageShowsCore(page, 'large', 1, {}, mipSolver, core);
    await expectSummaryShowsCore(page, summary);
    expect(await page.getByTestId('iteration-limit-note').textContent()).toMatch(/^Stopped at the iteration limit \(100 simplex iterations\).*the same on every run/);
    // the downloaded system, what curl sends, carries the budget
    const download = page.waitForEvent('download');
    await page.getByTestId('download-system').click();
    const system = JSON.parse(readFileSync((await (await download).path())!, 'utf8'));
    expect(system.system.optimizerData.optimizer).toMatchObject({ milpSolver: true, milpIterationLimit: 100 });
    await field.fill('0');
    await page.getByTestId('flag-milpTimeLimit').fill('0');
    await page.getByTestId('flag-milpSolver').uncheck();
  });

  it('switches to the large sample and shows what the core computes for it', async () => {
    await page.getByTestId('sample').selectOption('small');
    await page.getByTestId('sample').selectOption('large');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
    const before = await runs(page);
    await runAndWait(page, before + 1);
    await expectPageShowsCore(page, 'large', 1);
    // The greedy solver adds no summary; the new document closed the last explanation.
    expect(await page.getByTestId('solver-summary').isHidden()).toBe(true);
    expect(await page.getByTestId('explanation').isHidden()).toBe(true);
    // "Allocated 27 of 27" no more: the best-effort server is counted apart.
    const { explanation } = coreRun('large', 1);
    const within = explanation.servers.filter((s) => s.status === 'allocated').length;
    expect(within).toBeLessThan(27);
    expect(await page.getByTestId('within-slo').textContent()).toBe(`${within} of 27`);
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
    expect(await allocationRow(page, server!.server).getAttribute('aria-current')).toBe('true');
    await page.getByTestId('explanation').screenshot({ path: join(SCREENSHOTS, 'playground-explanation.png') });
  });

  it('moves between rows with the arrow keys (one Tab stop), and opens and closes an explanation from the keyboard', async () => {
    const { explanation } = coreRun('large', 1);
    const server = explanation.servers.find((s) => s.status === 'best-effort');
    expect(server).toBeDefined();
    const rows = page.getByTestId('allocation-row');
    // One row is the table's Tab stop; the others are reached with the arrows.
    expect(await rows.evaluateAll((trs) => trs.filter((tr) => tr.getAttribute('tabindex') === '0').length)).toBe(1);
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-server')));
    await rows.first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = () => focusedServer(page);
    expect(await focused()).toBe(order[2]);
    await page.keyboard.press('End');
    expect(await focused()).toBe(order.at(-1));
    await page.keyboard.press('Home');
    expect(await focused()).toBe(order[0]);
    expect(await rows.evaluateAll((trs) => trs.filter((tr) => tr.getAttribute('tabindex') === '0').map((tr) => tr.getAttribute('data-server')))).toEqual([order[0]]);

    for (let i = 0; i < order.indexOf(server!.server); i++) await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(server!.server);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-testid="explanation"][data-server="${server!.server}"]`);
    await expectPanelShowsCore(page, server!);
    expect(server!.candidates.filter((c) => c.chosen).map((c) => c.accelerator)).toEqual([server!.allocation!.accelerator]);
    await page.getByTestId('explanation').screenshot({ path: join(SCREENSHOTS, 'playground-explanation-best-effort.png') });

    // Escape closes the panel and gives the focus back to the row.
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="explanation"]', { state: 'hidden' });
    expect(await focused()).toBe(server!.server);
  });

  it('pages, sorts and filters a fleet by class, status and accelerator, and explains a row when it is opened', async () => {
    await loadText(page, 'fleet.json', `${JSON.stringify(FLEET, null, 2)}\n`);
    const before = await runs(page);
    await runAndWait(page, before + 1);
    const { system, explanation, result } = coreRun(FLEET, 1);
    expect(system.servers.size).toBe(240);
    const rows = page.getByTestId('allocation-row');
    // A page at a time.
    expect(await rows.count()).toBe(50);
    expect(await page.getByTestId('page-info').textContent()).toBe('Rows 1–50 of 240, page 1 of 5');
    const names = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-server')));
    const byPriority = [...explanation.servers].sort((a, b) => a.priority - b.priority || (a.server < b.server ? -1 : 1)).map((s) => s.server);
    expect(await names()).toEqual(byPriority.slice(0, 50));
    await page.getByTestId('page-next').click();
    await expect.poll(names).toEqual(byPriority.slice(50, 100));
    // Page Down from the keyboard, too.
    await rows.first().focus();
    await page.keyboard.press('PageDown');
    await expect.poll(names).toEqual(byPriority.slice(100, 150));
    expect(await focusedServer(page)).toBe(byPriority[100]);

    // Sorted by cost, highest first.
    const cost = page.locator('thead button[data-sort="cost"]');
    await cost.click();
    await cost.click();
    await expect.poll(() => page.locator('thead th[data-sort-key="cost"]').getAttribute('aria-sort')).toBe('descending');
    const costs = Object.entries(result.solution.allocations).map(([name, a]) => ({ name, cost: a.cost }));
    const highest = Math.max(...costs.map((c) => c.cost));
    await expect.poll(async () => Number(await rows.first().locator('[data-field="cost"]').getAttribute('data-value'))).toBe(highest);

    // Filtered: by class, status and accelerator; the count is the core's.
    const statusOf = new Map(explanation.servers.map((s) => [s.server, s.status]));
    await page.getByTestId('filter-status').selectOption('best-effort');
    const bestEffort = explanation.servers.filter((s) => s.status === 'best-effort').length;
    expect(bestEffort).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('rows-shown').textContent()).toBe(`${bestEffort} of 240 servers match`);
    for (const name of await names()) expect(statusOf.get(name!)).toBe('best-effort');
    await page.getByTestId('filter-status').selectOption('unallocated');
    const unallocated = explanation.servers.filter((s) => s.status === 'unallocated');
    await expect.poll(() => page.getByTestId('rows-shown').textContent()).toBe(`${unallocated.length} of 240 servers match`);
    await page.getByTestId('filter-status').selectOption('');
    const premium = explanation.servers.filter((s) => s.class === 'Premium').length;
    await page.getByTestId('filter-class').selectOption('Premium');
    await expect.poll(() => page.getByTestId('rows-shown').textContent()).toBe(`${premium} of 240 servers match`);
    const accelerator = result.solution.allocations[explanation.servers.find((s) => s.class === 'Premium' && s.allocation)!.server].accelerator;
    await page.getByTestId('filter-accelerator').selectOption(accelerator);
    const both = explanation.servers.filter((s) => s.class === 'Premium' && (s.allocation?.placements?.some((p) => p.accelerator === accelerator) ?? s.allocation?.accelerator === accelerator));
    await expect.poll(() => page.getByTestId('rows-shown').textContent()).toBe(`${both.length} of 240 servers match`);
    for (const row of await shownRows(page)) expect(row.cells.accelerator.value).toBe(accelerator);

    // The explanation of a row is the core's, computed when the row is opened.
    const opened = explanation.servers.find((s) => s.server === both[0].server)!;
    await allocationRow(page, opened.server).click();
    await page.waitForSelector(`[data-testid="explanation"][data-server="${opened.server}"]`);
    await expectPanelShowsCore(page, opened);
    await page.getByTestId('filter-class').selectOption('');
    await page.getByTestId('filter-accelerator').selectOption('');
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-fleet.png') });
  });

  it('fits a phone (390 px): no sideways page scroll, tables scroll in their own box and show that they do', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.getByTestId('sample').selectOption('small');
      await page.waitForSelector('[data-testid="run"]:not([disabled])');
      // A validation error with a long path.
      const lines = sampleText('small').split('\n');
      const index = lines.findIndex((line) => /"avgInTokens":/i.test(line));
      lines[index] = lines[index].replace(/: \d+/, ': 1.5');
      await editText(page, lines.join('\n'), /^One problem/);
      expect(await pageWidth(page)).toEqual({ scroll: 390, window: 390 });
      await editText(page, sampleText('small'), /^Valid SystemData\.$/);
      const before = await runs(page);
      await runAndWait(page, before + 1);
      const box = page.getByTestId('results-scroll');
      const wrap = box.locator('.table-wrap');
      expect(await wrap.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
      // The sign follows the box's size (a ResizeObserver): it comes a frame after the table.
      await expect.poll(() => box.getAttribute('class')).toMatch(/\boverflowing\b.*\bmore-right\b/);
      expect(await page.locator('#results .scroll-box + .scroll-sign').isVisible()).toBe(true);
      await allocationRow(page, 'Premium-granite_13b').click();
      await page.waitForSelector('[data-testid="explanation"][data-server="Premium-granite_13b"]');
      await expect.poll(() => page.locator('[data-testid="explanation"] .scroll-box').getAttribute('class')).toMatch(/\boverflowing\b/);
      expect(await pageWidth(page)).toEqual({ scroll: 390, window: 390 });
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'playground-390.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1440, height: 1000 });
    }
  });

  it('reaches "Load files…" with Tab, keeps the editor where it was, and shows focus', async () => {
    await page.getByTestId('sample').selectOption('large');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    await page.getByTestId('sample').focus();
    await page.keyboard.press('Tab');
    expect(await isFocused(page, 'load-files')).toBe(true);
    // Enter opens the file dialog: the hidden file input is clicked (here without the dialog).
    await page.getByTestId('files').evaluate((input) =>
      input.addEventListener('click', (event: { preventDefault(): void }) => {
        event.preventDefault();
        input.setAttribute('data-clicked', 'yes');
      }, { once: true }),
    );
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('files').getAttribute('data-clicked')).toBe('yes');
    // Focusing the editor leaves the caret where it was: at the start of a new document.
    await page.keyboard.press('Tab');
    await expect.poll(() => page.locator('.cm-content').evaluate((content) => content === content.ownerDocument.activeElement)).toBe(true);
    await expect.poll(() => page.locator('.cm-editor').evaluate((editor) => editor.ownerDocument.defaultView?.getComputedStyle(editor).outlineStyle)).toBe('solid');
    expect(await page.locator('.cm-activeLine').textContent()).toBe('{');
    const scroller = page.locator('.cm-scroller');
    // Scrolled to the top (within a line), not to the caret's last place in another document.
    expect(await scroller.evaluate((element) => element.scrollTop)).toBeLessThan(18);
    // Down to line 4; away and back with the keyboard: the caret is still on line 4.
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    const line4 = await page.locator('.cm-activeLine').textContent();
    expect(line4).toBe(sampleText('large').split('\n')[3]);
    await page.keyboard.press('Shift+Tab');
    expect(await isFocused(page, 'load-files')).toBe(true);
    await page.keyboard.press('Tab');
    await expect.poll(() => page.locator('.cm-content').evaluate((content) => content === content.ownerDocument.activeElement)).toBe(true);
    expect(await page.locator('.cm-activeLine').textContent()).toBe(line4);
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    // Results, a problem, a warning and an open explanation all on the page.
    const data = structuredClone(SAMPLES.small) as { system: Record<string, any> };
    data.system.serverData.servers[1].class = 'Gold';
    await loadText(page, 'a11y.json', `${JSON.stringify(data, null, 2)}\n`);
    await runAndWait(page, (await runs(page)) + 1);
    await allocationRow(page, 'Premium-granite_13b').click();
    await page.waitForSelector('[data-testid="explanation"][data-server="Premium-granite_13b"]');
    expect(await seriousViolations(page)).toEqual([]);
    const lines = JSON.stringify(data, null, 2).split('\n');
    lines.splice(2, 0, '  oops');
    await editText(page, lines.join('\n'), /^One problem/);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("offers today's sample (perfParms) beside the seed's, and shows what the core computes for it", async () => {
    await page.getByTestId('sample').selectOption('today-small');
    await page.getByTestId('arrival-scale').fill('0');
    await page.waitForSelector('[data-testid="run"]:not([disabled])');
    await expect.poll(() => page.getByTestId('doc-status').textContent()).toBe('Valid SystemData.');
    await runAndWait(page, (await runs(page)) + 1);
    await expectPageShowsCore(page, 'today-small', 1);
  });
});
