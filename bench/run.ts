/**
 * Benchmark of the optimizer: `npm run bench [-- --quick] [-- --json]`.
 *
 * Each case is measured in a child process of its own (bench/measure-core.ts), timing what
 * `inferno-edge optimize --stats` reports: System.fromSpec + optimize on parsed input. Prints a
 * table (or JSON with --json) and writes bench/results/latest.json; generated systems are kept
 * in bench/results/systems/ so that a case can be rerun with the CLI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SAMPLES } from '../src/samples/index.js';
import type { BrowserMeasurement } from './browser.js';
import type { CoreMeasurement } from './measure-core.js';
import type { ParseMeasurement } from './measure-parse.js';
import { splitTable, type WorkerMeasurement } from './worker-cpu.js';
import { generateSystem, type GeneratorOptions } from './generator.js';
import { spread } from './stats.js';

/** One line of the table. Fields a kind of measurement cannot give stay undefined. */
export interface Row {
  case: string;
  servers: number;
  /** server × accelerator pairs analyzed */
  candidates: number;
  runs: number;
  /** median ms per run */
  medianMs: number;
  /** core rows without warm-up: the first run, in a fresh child process (the JIT cold) */
  freshMs?: number;
  /** gen-N rows: median ms over that of gen-N/10 (the cost of a tenfold step in servers) */
  growth?: number;
  /** largest batch size N among the feasible candidates */
  maxBatchSize?: number;
  allocated?: number;
  bestEffort?: number;
  /** MB */
  peakRssMB?: number;
  /** MB */
  heapDeltaMB?: number;
  /** core rows: queue solutions of one run */
  queueSolutions?: number;
  /** the fastest and slowest run (cli row) */
  minMs?: number;
  maxMs?: number;
  /** Worker cases: CPU ms of workerd's main thread per request (bench/README.md): the median, the fastest and the slowest run */
  cpuMs?: number;
  cpuMinMs?: number;
  cpuMaxMs?: number;
  /** parse+validate case: ms of one optimization of the same system */
  optimizeMs?: number;
  /** Browser case: the core's median ms on the same system, as `inferno-edge optimize --stats` reports it */
  cliMs?: number;
  /** Browser case: the longest a key press waited for the page's main thread during the runs (0: under 16) */
  inputDelayMs?: number;
  /** MILP cases: servers within SLO by priority ("P1/P2/…"), the answer's against the greedy's */
  withinSLO?: string;
  greedyWithinSLO?: string;
  /** MILP cases: the summary's status, and its gap when a bound was proved */
  milpStatus?: string;
  gap?: number;
}

/**
 * A measurement. Every kind of case (the core in a child process here; other runtimes later)
 * is one more entry in the list built by `benchCases`.
 */
export interface BenchCase {
  name: string;
  measure(): Row;
}

interface Settings {
  quick: boolean;
  /** at most this many timed runs per case... */
  maxRuns: number;
  /** ...while their total stays within this many ms */
  budgetMs: number;
}

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const SYSTEMS_DIR = `${RESULTS_DIR}systems/`;
const MEASURE_CORE = fileURLToPath(new URL('./measure-core.ts', import.meta.url));
const MEASURE_PARSE = fileURLToPath(new URL('./measure-parse.ts', import.meta.url));
const WORKER_CPU = fileURLToPath(new URL('./worker-cpu.ts', import.meta.url));
const BROWSER = fileURLToPath(new URL('./browser.ts', import.meta.url));
/** Debian's chromium; never a downloaded browser */
const CHROMIUM = '/usr/bin/chromium';
const SEED = 7;

/** Times the core on the SystemData in `file` in a child process, after `warmup` untimed runs. */
function measureCore(file: string, settings: Settings, warmup = 0): CoreMeasurement {
  // The child runs under the same loader (tsx) as this process, with gc() for heap deltas.
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', MEASURE_CORE, file, String(settings.maxRuns), String(settings.budgetMs), String(warmup)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output) as CoreMeasurement;
}

/** Times the core on `data` (SystemData, unparsed) in a child process, after `warmup` untimed runs. */
function coreCase(name: string, data: () => unknown, settings: Settings, warmup = 0): BenchCase {
  return {
    name,
    measure() {
      const file = `${SYSTEMS_DIR}${name}.json`;
      writeFileSync(file, JSON.stringify(data()));
      const m = measureCore(file, settings, warmup);
      return {
        case: name,
        servers: m.servers,
        candidates: m.candidates,
        runs: m.runs,
        medianMs: m.medianMs,
        ...(warmup === 0 ? { freshMs: m.runMs[0] } : {}),
        maxBatchSize: m.maxBatchSize,
        allocated: m.allocated,
        bestEffort: m.bestEffort,
        peakRssMB: m.peakRssMB,
        heapDeltaMB: m.heapDeltaMB,
        queueSolutions: m.queueSolutions,
        withinSLO: m.withinSLO,
        greedyWithinSLO: m.greedyWithinSLO,
        milpStatus: m.milpStatus,
        gap: m.gap,
      };
    },
  };
}

/**
 * The large sample's /optimizeOne on the Worker (workerd alone on the deployed bundle), for
 * its own spec (greedy) and with milpSolver: bench/worker-cpu.ts measures in a child process,
 * these rows read its JSON. Cold start, each case's first request, then its warm runs.
 */
function workerCases(settings: Settings, measured: { worker?: WorkerMeasurement }): BenchCase[] {
  const measure = () =>
    (measured.worker ??= JSON.parse(
      execFileSync(process.execPath, [...process.execArgv, WORKER_CPU, '--runs', String(settings.maxRuns * 2), '--json'], {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ) as WorkerMeasurement);
  const large = SAMPLES.large as { system: { serverData: { servers: unknown[] }; acceleratorData: { accelerators: unknown[] } } };
  const servers = large.system.serverData.servers.length;
  const candidates = servers * large.system.acceleratorData.accelerators.length;
  const cold: BenchCase = {
    name: 'worker: cold start',
    measure: () => {
      const { coldStart } = measure();
      const baseline = `an empty Worker: ${coldStart.emptyCpuMs.toFixed(1)}, with HiGHS's wasm: ${coldStart.emptyWithWasmCpuMs.toFixed(1)} CPU ms`;
      return { case: `worker: cold start (${baseline})`, servers: 0, candidates: 0, runs: 1, medianMs: coldStart.wallMs, cpuMs: coldStart.cpuMs };
    },
  };
  const rows = [0, 1].flatMap((index): BenchCase[] => {
    const label = index === 0 ? 'large (greedy)' : 'large (milp)';
    return [
      {
        name: `worker: ${label}, first request`,
        measure: () => {
          const c = measure().cases[index];
          return { case: `worker: ${label}, first request`, servers, candidates, runs: 1, medianMs: c.firstWallMs, cpuMs: c.firstCpuMs };
        },
      },
      {
        name: `worker: ${label}`,
        measure: () => {
          const c = measure().cases[index];
          return { case: `worker: ${label}`, servers, candidates, runs: c.runs, medianMs: c.wallMs.median, minMs: c.wallMs.min, maxMs: c.wallMs.max, cpuMs: c.cpuMs.median, cpuMinMs: c.cpuMs.min, cpuMaxMs: c.cpuMs.max };
        },
      },
    ];
  });
  return [cold, ...rows];
}

/** Reading the largest body by servers against optimizing it: JSON.parse + validation of the indented 10,000-server system, in a child process. */
function parseCase(settings: Settings): BenchCase {
  const name = 'gen-10000-indented';
  return {
    name: `parse+validate: ${name}`,
    measure() {
      const file = `${SYSTEMS_DIR}${name}.json`;
      writeFileSync(file, `${JSON.stringify(generateSystem({ seed: SEED, servers: 10_000 }), null, 2)}\n`);
      const m = JSON.parse(
        execFileSync(process.execPath, [...process.execArgv, MEASURE_PARSE, file, String(settings.maxRuns), String(settings.budgetMs)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      ) as ParseMeasurement;
      return {
        case: `parse+validate: ${name} (${(m.bytes / 1e6).toFixed(1)} MB)`,
        servers: m.servers,
        candidates: 0,
        runs: m.runs,
        medianMs: m.parseMs + m.validateMs,
        optimizeMs: m.optimizeMs,
      };
    },
  };
}

/**
 * The playground in Chromium on a generated fleet (`bench/generate.ts --servers N --seed 7`):
 * from Run to the table shown, beside the core's time for the same system (what
 * `inferno-edge optimize --stats` reports), and the longest wait of a key pressed meanwhile.
 */
function browserCase(servers: number, settings: Settings): BenchCase[] {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`no browser row: ${CHROMIUM} not found (apt-get install chromium)\n`);
    return [];
  }
  const name = `browser-gen-${servers}`;
  return [
    {
      name,
      measure(): Row {
        const file = `${SYSTEMS_DIR}${name}.json`;
        writeFileSync(file, `${JSON.stringify(generateSystem({ seed: SEED, servers }), null, 2)}\n`);
        const core = measureCore(file, settings);
        const output = execFileSync(process.execPath, [...process.execArgv, BROWSER, CHROMIUM, file, String(settings.maxRuns), String(settings.budgetMs * 4)], {
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const m = JSON.parse(output) as BrowserMeasurement;
        return {
          case: `browser: gen-${servers} (Run → table)`,
          servers: m.servers,
          candidates: core.candidates,
          runs: m.runs,
          medianMs: m.medianMs,
          allocated: core.allocated,
          bestEffort: core.bestEffort,
          cliMs: core.medianMs,
          inputDelayMs: m.maxInputDelayMs,
        };
      },
    },
  ];
}

const BIN = fileURLToPath(new URL('../bin/inferno-edge.mjs', import.meta.url));

/**
 * The command as a user runs it: the whole `inferno-edge optimize` process on the large sample,
 * Node's start, loading the built JavaScript and writing the answer included, by the wall clock.
 * Runs against dist/ (npm run build); one untimed run first warms the file cache.
 */
function cliCase(settings: Settings): BenchCase {
  return {
    name: 'cli',
    measure() {
      const file = `${SYSTEMS_DIR}cli-sample-large.json`;
      writeFileSync(file, JSON.stringify(SAMPLES.large));
      const once = () => {
        const started = performance.now();
        execFileSync(process.execPath, [BIN, 'optimize', file], { stdio: ['ignore', 'ignore', 'inherit'] });
        return performance.now() - started;
      };
      once();
      const times: number[] = [];
      // more runs than the core cases: a process start varies more than the optimization
      const runs = settings.maxRuns * 3;
      while (times.length < runs && (times.length === 0 || times.reduce((a, b) => a + b, 0) < settings.budgetMs)) times.push(once());
      const { median, min, max } = spread(times);
      const large = SAMPLES.large as { system: { serverData: { servers: unknown[] }; acceleratorData: { accelerators: unknown[] } } };
      return {
        case: 'cli: inferno-edge optimize (sample-large)',
        servers: large.system.serverData.servers.length,
        candidates: large.system.serverData.servers.length * large.system.acceleratorData.accelerators.length,
        runs: times.length,
        medianMs: median,
        minMs: min,
        maxMs: max,
      };
    },
  };
}

function generated(name: string, options: GeneratorOptions, settings: Settings): BenchCase {
  return coreCase(name, () => generateSystem({ seed: SEED, ...options }), settings);
}

/** N servers with capacity for half of what their best candidates need, solved by the MILP within its default time limit. */
function capacityBoundMilp(servers: number, settings: Settings): BenchCase {
  return coreCase(`milp-${servers}-tight`, () => {
    const data = generateSystem({ seed: SEED, servers, capacityFactor: 0.5 });
    data.system.optimizerData.optimizer = { ...data.system.optimizerData.optimizer, milpSolver: true };
    return data;
  }, settings);
}

function benchCases(settings: Settings, measured: { worker?: WorkerMeasurement }): BenchCase[] {
  const q = settings.quick;
  return [
    coreCase('sample-small', () => SAMPLES.small, settings),
    coreCase('sample-large', () => SAMPLES.large, settings),
    // warm: the median of runs after 20 untimed ones in the same process
    coreCase('sample-large-warm', () => SAMPLES.large, { ...settings, maxRuns: settings.maxRuns * 3 }, 20),
    generated('gen-100', { servers: 100 }, settings),
    generated('gen-1000', { servers: 1000 }, settings),
    ...(q ? [] : [generated('gen-10000', { servers: 10_000 }, settings)]),
    // Capacity for half of what the servers' best candidates need: the greedy falls back.
    generated('gen-1000-tight', { servers: 1000, capacityFactor: 0.5, saturationPolicy: 'RoundRobin' }, settings),
    // avgOutTokens 1..4: batch sizes in the tens of thousands, O(N) per queue evaluation.
    generated(q ? 'gen-10-small-out' : 'gen-100-small-out', { servers: q ? 10 : 100, smallOutTokens: true }, settings),
    capacityBoundMilp(1000, settings),
    ...(q ? [] : [capacityBoundMilp(5000, settings), capacityBoundMilp(10000, settings)]),
    ...(q ? [] : [parseCase(settings)]),
    cliCase(settings),
    ...workerCases(settings, measured),
    ...browserCase(q ? 1000 : 10_000, settings),
  ];
}

/** Sets each gen-N row's growth: its median over that of gen-N/10. */
function addGrowth(rows: Row[]): void {
  const byCase = new Map(rows.map((row) => [row.case, row]));
  for (const row of rows) {
    const servers = /^gen-(\d+)$/.exec(row.case)?.[1];
    const tenth = servers === undefined ? undefined : byCase.get(`gen-${Number(servers) / 10}`);
    if (tenth && tenth.medianMs > 0) row.growth = row.medianMs / tenth.medianMs;
  }
}

function usPerCandidate(row: Row): number {
  return row.candidates > 0 ? (row.medianMs * 1000) / row.candidates : 0;
}

function table(rows: readonly Row[]): string {
  const fixed = (value: number | undefined, digits: number) => (value === undefined ? '-' : value.toFixed(digits));
  const header = [
    'case',
    'servers',
    'candidates',
    'runs',
    'median ms',
    'fresh ms',
    'growth',
    'min–max ms',
    'µs/candidate',
    'max N',
    'allocated',
    'best effort',
    'peak RSS MB',
    'heap Δ MB',
    'queue solutions',
    'CPU ms',
    'optimize ms',
    'CLI ms',
    'input delay ms',
    'within SLO (greedy)',
    'MILP status',
    'gap',
  ];
  const lines = rows.map((row) => [
    row.case,
    String(row.servers),
    String(row.candidates),
    String(row.runs),
    fixed(row.medianMs, 1),
    fixed(row.freshMs, 1),
    row.growth === undefined ? '-' : `×${row.growth.toFixed(1)}`,
    row.minMs === undefined || row.maxMs === undefined ? '-' : `${row.minMs.toFixed(0)}–${row.maxMs.toFixed(0)}`,
    fixed(usPerCandidate(row), 1),
    fixed(row.maxBatchSize, 0),
    fixed(row.allocated, 0),
    fixed(row.bestEffort, 0),
    fixed(row.peakRssMB, 0),
    fixed(row.heapDeltaMB, 1),
    fixed(row.queueSolutions, 0),
    row.cpuMinMs === undefined || row.cpuMaxMs === undefined ? fixed(row.cpuMs, 1) : `${fixed(row.cpuMs, 1)} (${fixed(row.cpuMinMs, 1)}–${fixed(row.cpuMaxMs, 1)})`,
    fixed(row.optimizeMs, 0),
    fixed(row.cliMs, 1),
    fixed(row.inputDelayMs, 0),
    row.withinSLO === undefined ? '-' : `${row.withinSLO} (${row.greedyWithinSLO})`,
    row.milpStatus ?? '-',
    row.gap === undefined ? '-' : `${(row.gap * 100).toFixed(3)}%`,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  // Markdown: the case left-aligned, numbers right-aligned.
  const pad = (cell: string, i: number) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]));
  const format = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

const USAGE = 'usage: npm run bench [-- --quick] [-- --json]';

function main(args: string[]): number {
  const unknown = args.filter((arg) => arg !== '--quick' && arg !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`unknown option: ${unknown.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  const quick = args.includes('--quick');
  const json = args.includes('--json');
  const settings: Settings = quick
    ? { quick, maxRuns: 3, budgetMs: 3_000 }
    : { quick, maxRuns: 5, budgetMs: 30_000 };
  mkdirSync(SYSTEMS_DIR, { recursive: true });

  const rows: Row[] = [];
  const measured: { worker?: WorkerMeasurement } = {};
  for (const benchCase of benchCases(settings, measured)) {
    if (!json) process.stderr.write(`${benchCase.name}...\n`);
    rows.push(benchCase.measure());
  }
  addGrowth(rows);
  const results = {
    date: new Date().toISOString(),
    quick,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    rows: rows.map((row) => ({ ...row, usPerCandidate: usPerCandidate(row) })),
    worker: measured.worker,
  };
  writeFileSync(`${RESULTS_DIR}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  const split = measured.worker ? `\n\nWorker CPU split:\n\n${splitTable(measured.worker)}` : '';
  process.stdout.write(json ? `${JSON.stringify(results, null, 2)}\n` : `${table(rows)}${split}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
