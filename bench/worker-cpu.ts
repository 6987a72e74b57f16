/**
 * What one /optimizeOne of the large sample costs the Worker: `npx tsx bench/worker-cpu.ts
 * [--runs N] [--json]`. bench/README.md says how and why; in short:
 *
 * - The Worker is bundled as `wrangler deploy` bundles it and served by workerd alone
 *   (bench/workerd.ts): no wrangler, no proxy, no inspector attached while CPU is measured.
 * - CPU ms: the run time of workerd's main thread over a request, from
 *   /proc/PID/task/PID/schedstat. That thread runs all JavaScript (the Worker, its Durable
 *   Object and the registry object: one process locally, one isolate) and workerd's HTTP and
 *   SQLite work for it; V8's background threads (concurrent compilation and GC) are left out.
 * - Cold start: the main thread's CPU from workerd's start to its first accepted connection,
 *   for this bundle and for an empty Worker (workerd's own share); first request: the first
 *   /optimizeOne of that fresh process (a new Durable Object, code not yet optimized).
 * - Split: a CPU profile of the warm requests (DevTools protocol, 100 µs sampling) from a
 *   second workerd with an inspector, each sample given to the innermost part of the request on
 *   its stack (PARTS), in ms per request. Sampled time is the thread's time in JavaScript and
 *   what it calls, so it adds up to about the CPU ms.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { SAMPLES } from '../src/samples/index.js';
import { bundleWorker, emptyBundle, mainThreadCpuNs, startWorkerd, type Bundle, type Workerd } from './workerd.js';
import { spread, type Spread } from './stats.js';

export interface WorkerCase {
  case: string;
  runs: number;
  /** the first request of a fresh workerd */
  firstCpuMs: number;
  firstWallMs: number;
  /** the warm runs */
  cpuMs: Spread;
  wallMs: Spread;
  /** ms per request by part of the request, from the CPU profile of `profiledRuns` warm runs */
  split: Record<string, number>;
  profiledRuns: number;
}

export interface WorkerMeasurement {
  /** main-thread CPU ms and wall ms from workerd's start to its first accepted connection */
  coldStart: { cpuMs: number; wallMs: number; emptyCpuMs: number; emptyWallMs: number; emptyWithWasmCpuMs: number };
  cases: WorkerCase[];
}

const USAGE = 'usage: npx tsx bench/worker-cpu.ts [--runs N] [--profile-dir DIR] [--json]';
const PROFILED_RUNS = 50;
const WARMUP_RUNS = 5;
const SAMPLING_INTERVAL_US = 100;

/**
 * The parts of a request, by the functions that do them; a sample goes to the innermost one on
 * its stack (the first from the leaf). Names as in src/ (esbuild keeps them).
 */
const PARTS: readonly { part: string; functions: readonly string[] }[] = [
  { part: 'read + JSON.parse', functions: ['readJsonBody', 'readBody', 'readText', 'bodyOf'] },
  { part: 'validation', functions: ['parseWith'] },
  { part: 'System.fromSpec', functions: ['fromSpec'] },
  { part: 'candidates', functions: ['computeCandidates'] },
  { part: 'solve', functions: ['optimize', 'solveGreedy', 'solveMilp', 'recordOptimization', 'loadWorkerMipSolver'] },
  { part: 'snapshot write', functions: ['replace', 'persist', 'toSnapshot', 'fromSnapshot', 'transactionSync'] },
  { part: 'registry', functions: ['report', 'record'] },
  { part: 'metrics', functions: ['startRun', 'countRequest', 'stored', 'save', 'runFactsOf'] },
  { part: 'response', functions: ['jsonResponse'] },
];
const GC = 'GC';
const OTHER = 'other (routing, HTTP, runtime)';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** ms of `profile` by part, over all its samples; idle time is left out. */
export function splitProfile(profile: Profile): Record<string, number> {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const partOf = new Map<number, string | undefined>();
  const classify = (id: number): string | undefined => {
    if (partOf.has(id)) return partOf.get(id);
    const name = (byId.get(id) as ProfileNode).callFrame.functionName;
    let part: string | undefined;
    if (name === '(idle)') part = undefined;
    else if (name === '(garbage collector)') part = GC;
    else {
      const own = PARTS.find((p) => p.functions.includes(name))?.part;
      const up = parent.get(id);
      const outer = up === undefined ? OTHER : classify(up);
      // innermost wins, but the MILP's own `record` is the solver's, not the registry's
      part = own === undefined || (own === 'registry' && outer === 'solve') ? outer : own;
    }
    partOf.set(id, part);
    return part;
  };
  const ms: Record<string, number> = {};
  // timeDeltas[i] is the time before sample i: the time of sample i is the next one's delta
  profile.samples.forEach((id, i) => {
    const part = classify(id);
    if (part !== undefined) ms[part] = (ms[part] ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000;
  });
  return ms;
}

/** A DevTools protocol session with workerd's inspector (its only target: the Worker). */
async function inspect(port: number): Promise<{ send(method: string, params?: object): Promise<unknown>; close(): void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let lastId = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    const call = message.id === undefined ? undefined : waiting.get(message.id);
    if (!call) return;
    waiting.delete(message.id as number);
    if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++lastId;
        waiting.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

interface Timing {
  cpuMs: number;
  wallMs: number;
}

/**
 * Keep-alive connections of one workerd: never one to an earlier workerd that had the same
 * port (a shared pool would send a request on it and get ECONNRESET).
 */
const agents = new WeakMap<Workerd, Agent>();

function send(worker: Workerd, path: string, body: string): Promise<{ status: number; text: string }> {
  let agent = agents.get(worker);
  if (!agent) agents.set(worker, (agent = new Agent({ keepAlive: true, maxSockets: 1 })));
  return new Promise((resolve, reject) => {
    const sent = request(new URL(path, worker.url), { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode as number, text }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

async function post(worker: Workerd, path: string, body: string): Promise<Timing> {
  const cpuBefore = mainThreadCpuNs(worker.pid);
  const started = performance.now();
  const { status, text } = await send(worker, path, body);
  const wallMs = performance.now() - started;
  const cpuMs = (mainThreadCpuNs(worker.pid) - cpuBefore) / 1e6;
  if (status !== 200) throw new Error(`${path} answered ${status}: ${text}`);
  return { cpuMs, wallMs };
}

function largeSample(milpSolver: boolean): string {
  const sample = SAMPLES.large as { system: { optimizerData: { optimizer: Record<string, unknown> } } };
  return JSON.stringify({ system: { ...sample.system, optimizerData: { optimizer: { ...sample.system.optimizerData.optimizer, milpSolver } } } });
}

async function measureCase(bundle: Bundle, name: string, milpSolver: boolean, runs: number, profileDir?: string): Promise<WorkerCase> {
  const body = largeSample(milpSolver);
  const path = `/systems/bench-${name}/optimizeOne`;
  const worker = await startWorkerd(bundle);
  let first: Timing;
  const warm: Timing[] = [];
  try {
    first = await post(worker, path, body);
    for (let run = 0; run < WARMUP_RUNS; run++) await post(worker, path, body);
    for (let run = 0; run < runs; run++) warm.push(await post(worker, path, body));
  } finally {
    agents.get(worker)?.destroy();
    await worker.stop();
  }
  // The profile in a workerd of its own: an attached inspector costs the requests CPU of its own.
  const profiled = await startWorkerd(bundle, { inspector: true });
  let split: Record<string, number>;
  try {
    for (let run = 0; run <= WARMUP_RUNS; run++) await post(profiled, path, body);
    const session = await inspect(profiled.inspectorPort as number);
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.send('Profiler.start');
    for (let run = 0; run < PROFILED_RUNS; run++) await post(profiled, path, body);
    const { profile } = (await session.send('Profiler.stop')) as { profile: Profile };
    session.close();
    if (profileDir) writeFileSync(join(profileDir, `worker-${name}.cpuprofile`), JSON.stringify(profile));
    split = Object.fromEntries(Object.entries(splitProfile(profile)).map(([part, ms]) => [part, ms / PROFILED_RUNS]));
  } finally {
    agents.get(profiled)?.destroy();
    await profiled.stop();
  }
  return {
    case: name,
    runs,
    firstCpuMs: first.cpuMs,
    firstWallMs: first.wallMs,
    cpuMs: spread(warm.map((t) => t.cpuMs)),
    wallMs: spread(warm.map((t) => t.wallMs)),
    split,
    profiledRuns: PROFILED_RUNS,
  };
}

/** With `profileDir`, the CPU profiles are kept there (worker-CASE.cpuprofile, for DevTools). */
export async function measureWorker(runs: number, profileDir?: string): Promise<WorkerMeasurement> {
  const bundle = bundleWorker();
  const empty = emptyBundle(bundle.compatibilityDate);
  const emptyWithWasm = emptyBundle(bundle.compatibilityDate, bundle);
  try {
    const cold = await startWorkerd(bundle);
    await cold.stop();
    const baseline = await startWorkerd(empty);
    await baseline.stop();
    const withWasm = await startWorkerd(emptyWithWasm);
    await withWasm.stop();
    const coldStart = {
      cpuMs: cold.startCpuNs / 1e6,
      wallMs: cold.startWallMs,
      emptyCpuMs: baseline.startCpuNs / 1e6,
      emptyWallMs: baseline.startWallMs,
      emptyWithWasmCpuMs: withWasm.startCpuNs / 1e6,
    };
    const cases = [await measureCase(bundle, 'large', false, runs, profileDir), await measureCase(bundle, 'large-milp', true, runs, profileDir)];
    return { coldStart, cases };
  } finally {
    bundle.remove();
    empty.remove();
    emptyWithWasm.remove();
  }
}

const range = (s: Spread) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;

/**
 * The CPU split of each case: each part's share of the profile's busy time, and that share of
 * the warm CPU median (the profile's own ms run high: the inspector and the sampling cost the
 * thread time of their own, and a loaded machine stretches them).
 */
export function splitTable(m: WorkerMeasurement): string {
  const parts = [...PARTS.map((p) => p.part), GC, OTHER];
  const total = (split: Record<string, number>) => Object.values(split).reduce((a, b) => a + b, 0);
  const cell = (r: WorkerCase, part: string) => {
    const share = (r.split[part] ?? 0) / total(r.split);
    return `${(share * 100).toFixed(0)}% | ${(share * r.cpuMs.median).toFixed(2)}`;
  };
  return [
    `| part | ${m.cases.map((r) => `${r.case}: share | CPU ms`).join(' | ')} |`,
    `|:--|${m.cases.map(() => '--:|--:').join('|')}|`,
    ...parts.map((part) => `| ${part} | ${m.cases.map((r) => cell(r, part)).join(' | ')} |`),
    `| total (profiled ms per request, ${m.cases[0]?.profiledRuns} requests) | ${m.cases.map((r) => `${total(r.split).toFixed(1)} | ${r.cpuMs.median.toFixed(2)}`).join(' | ')} |`,
  ].join('\n');
}

function workerTables(m: WorkerMeasurement): string {
  const { coldStart: c } = m;
  return [
    `cold start: ${c.cpuMs.toFixed(1)} ms CPU, ${c.wallMs.toFixed(0)} ms wall (an empty Worker: ${c.emptyCpuMs.toFixed(1)} ms CPU, ${c.emptyWallMs.toFixed(0)} ms wall; with HiGHS's wasm, unused: ${c.emptyWithWasmCpuMs.toFixed(1)} ms CPU)`,
    '',
    '| case | first request CPU ms | first request wall ms | warm runs | warm CPU ms, median (min–max) | warm wall ms, median (min–max) |',
    '|:--|--:|--:|--:|--:|--:|',
    ...m.cases.map((r) => `| ${r.case} | ${r.firstCpuMs.toFixed(1)} | ${r.firstWallMs.toFixed(1)} | ${r.runs} | ${range(r.cpuMs)} | ${range(r.wallMs)} |`),
    '',
    splitTable(m),
  ].join('\n');
}

async function main(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const valueOf = (option: string) => (args.includes(option) ? args[args.indexOf(option) + 1] : undefined);
  const runs = Number(valueOf('--runs') ?? 10);
  const profileDir = valueOf('--profile-dir');
  const known = args.every((arg, i) => arg === '--json' || ((arg === '--runs' || arg === '--profile-dir') && i + 1 < args.length) || ['--runs', '--profile-dir'].includes(args[i - 1]));
  if (!known || !Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const measured = await measureWorker(runs, profileDir);
  process.stdout.write(json ? `${JSON.stringify({ date: new Date().toISOString(), ...measured }, null, 2)}\n` : `${workerTables(measured)}\n`);
  return 0;
}

if (process.argv[1] === new URL(import.meta.url).pathname) process.exitCode = await main(process.argv.slice(2));
