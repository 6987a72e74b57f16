/**
 * What one /optimizeOne of the large sample costs the Worker under `wrangler dev` (workerd,
 * local and offline): `npx tsx bench/worker-cpu.ts [--runs N] [--json]`.
 *
 * For the sample's own spec (greedy) and with milpSolver, it sends one cold request (a new
 * system's Durable Object; with milpSolver, HiGHS loaded in the isolate too), then N warm ones
 * to that system, and reports per request:
 * - wall ms, as the client sees it (HTTP to the Worker's own workerd, as the tests call it);
 * - CPU ms of the workerd process over the request: every thread's run time from
 *   /proc/PID/task/TID/schedstat (Linux). An upper bound on the request's own CPU time: it
 *   includes HTTP and any background work of workerd (wrangler's idle proxy too) meanwhile.
 *
 * Standalone rather than a case of bench/run.ts: its cases are synchronous measure() calls
 * whose rows have no CPU column, and this one keeps wrangler dev running across requests.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLES } from '../src/samples/index.js';
import { startWranglerDev, type WranglerDev } from '../test/http/wrangler-dev.js';

interface Timing {
  wallMs: number;
  cpuMs: number;
}

interface CaseResult {
  case: string;
  cold: Timing;
  runs: number;
  /** medians of the warm runs */
  warm: Timing;
  warmRuns: Timing[];
}

const USAGE = 'usage: npx tsx bench/worker-cpu.ts [--runs N] [--json]';

/** Processes of a process group whose command is `name` (procfs). */
function groupProcesses(group: number, name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so read from its closing parenthesis
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === group && comm === name) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** ns the threads of `pids` have run on a CPU, in all. */
function cpuNs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended while we looked
      }
    }
  }
  return total;
}

async function timedRequest(worker: WranglerDev, workerd: readonly number[], path: string, body: string): Promise<Timing> {
  const cpuBefore = cpuNs(workerd);
  const started = performance.now();
  const response = await fetch(new URL(path, worker.url), { method: 'POST', body });
  const text = await response.text();
  const wallMs = performance.now() - started;
  const cpuMs = (cpuNs(workerd) - cpuBefore) / 1e6;
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${text}`);
  return { wallMs, cpuMs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function measure(worker: WranglerDev, workerd: readonly number[], name: string, milpSolver: boolean, runs: number): Promise<CaseResult> {
  const sample = SAMPLES.large as { system: { optimizerData: { optimizer: Record<string, unknown> } } };
  const data = { system: { ...sample.system, optimizerData: { optimizer: { ...sample.system.optimizerData.optimizer, milpSolver } } } };
  const body = JSON.stringify(data);
  const path = `/systems/bench-${name}/optimizeOne`;
  const cold = await timedRequest(worker, workerd, path, body);
  const warmRuns: Timing[] = [];
  for (let run = 0; run < runs; run++) warmRuns.push(await timedRequest(worker, workerd, path, body));
  const warm = { wallMs: median(warmRuns.map((t) => t.wallMs)), cpuMs: median(warmRuns.map((t) => t.cpuMs)) };
  return { case: name, cold, runs, warm, warmRuns };
}

function table(results: readonly CaseResult[]): string {
  const lines = [
    '| case | cold wall ms | cold CPU ms | warm runs | warm wall ms (median) | warm CPU ms (median) |',
    '|:--|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.case} | ${r.cold.wallMs.toFixed(1)} | ${r.cold.cpuMs.toFixed(1)} | ${r.runs} | ${r.warm.wallMs.toFixed(1)} | ${r.warm.cpuMs.toFixed(1)} |`);
  }
  return lines.join('\n');
}

async function main(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
  const known = args.every((arg, i) => arg === '--json' || arg === '--runs' || (i === runsAt + 1 && runsAt >= 0));
  if (!known || !Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const persistTo = mkdtempSync(join(tmpdir(), 'inferno-bench-worker-'));
  const worker = await startWranglerDev(persistTo);
  try {
    const workerd = groupProcesses(worker.pid, 'workerd');
    if (workerd.length === 0) throw new Error('no workerd process found in the process group of wrangler dev');
    const results = [await measure(worker, workerd, 'large', false, runs), await measure(worker, workerd, 'large-milp', true, runs)];
    process.stdout.write(json ? `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n` : `${table(results)}\n`);
  } finally {
    await worker.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
