/**
 * Child process of bench/run.ts: the playground at fleet scale in Chromium. Prints one JSON
 * object (BrowserMeasurement) on stdout.
 *
 *   tsx bench/browser.ts CHROMIUM FILE MAX_RUNS BUDGET_MS
 *
 * Builds the page, serves it with the Node server (as `npm start` does), opens it in
 * headless Chromium (the executable CHROMIUM), loads FILE with "Load files…" and presses Run, MAX_RUNS times at
 * most while the runs fit in BUDGET_MS. Each run is timed from the click on Run to the table
 * shown. Meanwhile a key is pressed every 50 ms, and the page's Event Timing says how long the
 * longest of them waited for the main thread (input delay); Long Tasks give the longest task.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, mergeConfig } from 'vite';
import playgroundConfig from '../playground/vite.config.ts';
import { createApi, MemorySystemStore } from '../src/api/index.js';
import { createNodeServer, listen } from '../src/node/http-server.js';
import { median } from './stats.js';

export interface BrowserMeasurement {
  servers: number;
  runs: number;
  /** ms from the click on Run to the table shown, each run */
  runMs: number[];
  medianMs: number;
  /** ms, the longest any key press waited for the page's main thread during the runs (0: none waited 16 ms) */
  maxInputDelayMs: number;
  /** ms, the longest task of the page's main thread during the runs */
  maxLongTaskMs: number;
}

/** What the page records while a run works (ms). */
interface PageProbe {
  longestTask: number;
  longestDelay: number;
}

/** Installs the probe in the page: page code, in the browser's own terms (the root tsconfig has no DOM types). */
const PROBE = `(() => {
  const probe = { longestTask: 0, longestDelay: 0 };
  globalThis.probe = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longestTask = Math.max(probe.longestTask, entry.duration);
  }).observe({ type: 'longtask' });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longestDelay = Math.max(probe.longestDelay, entry.processingStart - entry.startTime);
  }).observe({ type: 'event', durationThreshold: 16 });
})()`;

async function measureBrowser(chromiumPath: string, file: string, maxRuns: number, budgetMs: number): Promise<BrowserMeasurement> {
  const temp = mkdtempSync(join(tmpdir(), 'inferno-bench-browser-'));
  const site = join(temp, 'site');
  await build(mergeConfig(playgroundConfig, { configFile: false, logLevel: 'error', build: { outDir: site, emptyOutDir: true } }));
  const server = createNodeServer({ api: createApi({ store: new MemorySystemStore() }), staticDir: site, log: () => undefined });
  const url = await listen(server, '127.0.0.1', 0);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url.href);
    await page.waitForSelector('[data-testid="doc-status"][data-loaded="1"]');
    await page.getByTestId('files').setInputFiles(file);
    await page.waitForSelector('[data-testid="doc-status"][data-loaded="2"]', { timeout: 300_000 });
    await page.evaluate(PROBE);
    const runMs: number[] = [];
    let total = 0;
    while (runMs.length < maxRuns && (runMs.length === 0 || total + runMs[runMs.length - 1] <= budgetMs)) {
      const started = performance.now();
      await page.getByTestId('run').click();
      let done = false;
      const shown = page.waitForSelector(`[data-testid="results"][data-runs="${runMs.length + 1}"][data-status="done"]`, { timeout: 600_000 }).then(() => {
        done = true;
      });
      // Input while it works: Shift does nothing on the page, and the browser still dispatches it.
      while (!done) {
        await page.keyboard.press('Shift');
        await new Promise((wait) => setTimeout(wait, 50));
      }
      await shown;
      const ms = performance.now() - started;
      runMs.push(ms);
      total += ms;
    }
    const probe = await page.evaluate(() => (globalThis as unknown as { probe: PageProbe }).probe);
    const count = await page.getByTestId('within-slo').textContent();
    return {
      servers: Number(count?.split(' of ')[1] ?? 0),
      runs: runMs.length,
      runMs,
      medianMs: median(runMs),
      maxInputDelayMs: probe.longestDelay,
      maxLongTaskMs: probe.longestTask,
    };
  } finally {
    await browser.close();
    await new Promise((done) => server.close(done));
    rmSync(temp, { recursive: true, force: true });
  }
}

const [chromiumPath, file, maxRuns, budgetMs] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify(await measureBrowser(chromiumPath, file, Number(maxRuns), Number(budgetMs)))}\n`);
