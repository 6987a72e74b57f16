/**
 * Child process of bench/run.ts: times the core on one SystemData file and prints one JSON
 * object (CoreMeasurement) on stdout. A process of its own per case, so that its peak RSS
 * belongs to that case alone.
 *
 *   tsx --expose-gc bench/measure-core.ts FILE MAX_RUNS BUDGET_MS [WARMUP]
 *
 * WARMUP untimed runs first (default 0) measure the core warm, its code compiled by the JIT.
 *
 * What is timed is what `inferno-edge optimize --stats` reports as totalMs: from the parsed
 * input to the solution (System.fromSpec + optimize). Reading, parsing and loading HiGHS (for
 * milpSolver) stay outside, as there.
 */
import { readFileSync } from 'node:fs';
import {
  optimize,
  parseWith,
  System,
  SystemDataSchema,
  type MipSolver,
  type OptimizeResult,
  type SystemData,
} from '../src/core/index.js';
import { loadNodeMipSolver } from '../src/node/load-highs.js';
import { median } from './stats.js';

export interface CoreMeasurement {
  servers: number;
  /** server × accelerator pairs with perf data: the ones the queueing model sizes */
  candidates: number;
  /** largest batch size N among the feasible candidates */
  maxBatchSize: number;
  /** servers given an allocation within their SLOs */
  allocated: number;
  /** servers given a best-effort allocation */
  bestEffort: number;
  runs: number;
  /** untimed runs before the timed ones */
  warmup: number;
  /** ms of each run */
  runMs: number[];
  medianMs: number;
  /** MB, the child process's peak resident set over its first timed run (Node itself, the input and that run), as `inferno-edge optimize` has it */
  peakRssMB: number;
  /** MB, largest growth of the JS heap over one run, from a collected heap */
  heapDeltaMB: number;
  /** queue solutions of that run: the sizing work the solver asked for (the greedy sizes only the candidates it reads) */
  queueSolutions: number;
  /** milpSolver only, of the last run: servers within SLO by priority ("P1/P2/…"), the MILP's answer and the greedy's */
  withinSLO?: string;
  greedyWithinSLO?: string;
  /** milpSolver only: the summary's status and gap (absent when no bound was proved) */
  milpStatus?: string;
  gap?: number;
}

/** Counts by priority, highest first, as "a/b/c". */
function byPriority(counts: Record<string, number>): string {
  return Object.keys(counts)
    .sort((a, b) => Number(a) - Number(b))
    .map((priority) => counts[priority])
    .join('/');
}

const MB = 1024 * 1024;

interface TimedRun {
  ms: number;
  heapDelta: number;
  queueSolutions: number;
  result: OptimizeResult;
  system: System;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * One run. `collected`: from a collected heap, to measure its growth, with its queue solutions
 * counted. Timed runs are neither: after a forced full collection V8 shrinks the young
 * generation, and the next run pays for growing it again (the warm large sample took 6.5 ms so,
 * 3.2 ms otherwise), and they run as `inferno-edge optimize` does.
 */
function timedRun(data: SystemData, mipSolver: MipSolver | undefined, collected = false): TimedRun {
  if (collected) collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const counter = { evaluations: 0 };
  const started = performance.now();
  const system = System.fromSpec(data.system);
  const result = optimize(system, data.system.optimizerData.optimizer, { mipSolver, now: () => performance.now(), ...(collected ? { counter } : {}) });
  const ms = performance.now() - started;
  return { ms, heapDelta: process.memoryUsage().heapUsed - heapBefore, queueSolutions: counter.evaluations, result, system };
}

/** Pairs the core analyzed: each server's candidates and the rejections of accelerators it has perf data for. */
function analyzedPairs(system: System, result: OptimizeResult): number {
  let pairs = 0;
  for (const server of result.candidates) {
    const perf = system.models.get(system.servers.get(server.server)?.model ?? '');
    pairs += server.candidates.length + server.rejected.filter((r) => perf?.has(r.accelerator)).length;
  }
  return pairs;
}

async function measureCore(file: string, maxRuns: number, budgetMs: number, warmup: number): Promise<CoreMeasurement> {
  const data = parseWith(SystemDataSchema, JSON.parse(readFileSync(file, 'utf8')));
  const mipSolver = data.system.optimizerData.optimizer.milpSolver ? await loadNodeMipSolver() : undefined;
  for (let i = 0; i < warmup; i++) timedRun(data, mipSolver);
  const runMs: number[] = [];
  let last: TimedRun | undefined;
  // Always one run; more while they fit in the budget.
  let totalMs = 0;
  let peakRssMB = 0;
  while (runMs.length < maxRuns && (runMs.length === 0 || totalMs + runMs[runMs.length - 1] <= budgetMs)) {
    last = timedRun(data, mipSolver);
    runMs.push(last.ms);
    totalMs += last.ms;
    // later runs start with the last one's result still held: the first is the one a user's process makes
    if (runMs.length === 1) peakRssMB = process.resourceUsage().maxRSS / 1024;
  }
  // the heap's growth over one run, from a collected heap: one more run, untimed
  const { heapDelta, queueSolutions } = timedRun(data, mipSolver, true);
  const { result, system } = last as TimedRun;
  const allocations = [...result.allocations.values()];
  const summary = result.solution.summary;
  return {
    servers: system.servers.size,
    candidates: analyzedPairs(system, result),
    maxBatchSize: result.candidates.reduce((max, s) => s.candidates.reduce((m, c) => Math.max(m, c.batchSize), max), 0),
    allocated: allocations.filter((a) => !a.bestEffort).length,
    bestEffort: allocations.filter((a) => a.bestEffort).length,
    runs: runMs.length,
    warmup,
    runMs,
    medianMs: median(runMs),
    peakRssMB,
    heapDeltaMB: heapDelta / MB,
    queueSolutions,
    ...(summary
      ? {
          withinSLO: byPriority(summary.servedWithinSLO),
          greedyWithinSLO: byPriority(summary.greedyServedWithinSLO),
          milpStatus: summary.status,
          ...(summary.gap !== undefined ? { gap: summary.gap } : {}),
        }
      : {}),
  };
}

const [file, maxRuns, budgetMs, warmup] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify(await measureCore(file, Number(maxRuns), Number(budgetMs), Number(warmup ?? 0)))}\n`);
