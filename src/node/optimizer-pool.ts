/**
 * Optimizations off the event loop: a pool of worker threads, each with its own HiGHS, runs the
 * core for the API (a CoreRunner), so that a long MILP (HiGHS's run() is synchronous, and
 * milpTimeLimit may be an hour) never stalls /health, the get verbs or other requests.
 * At most `maxRuns` optimizations run or wait for a thread at once; one more is refused with a
 * 503 and Retry-After.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ApiError, type CoreRunner, type OptimizationOutcome } from '../api/index.js';
import {
  OptimizationError,
  ValidationError,
  type Explanation,
  type OptimizeOptions,
  type OptimizerSpec,
  type System,
  type SystemSnapshot,
  type WhatIf,
  type WhatIfResult,
} from '../core/index.js';

/** What a thread is asked to do: plain JSON. */
export type Job = { snapshot: SystemSnapshot; spec: OptimizerSpec; maxMilpIterations?: number } & (
  | { kind: 'optimize' }
  | { kind: 'explain'; scenario?: WhatIf }
);

export type Reply =
  | { ok: true; result: unknown }
  | { ok: false; error: { kind: 'validation'; message: string; issues: { path: string; message: string }[] } | { kind: 'optimization' | 'internal'; message: string } };

export interface PoolOptions {
  /** worker threads; by default as many as the machine runs in parallel, at most 4 */
  threads?: number;
  /** optimizations running or waiting for a thread at once; one more gets a 503 */
  maxRuns?: number;
}

/** Seconds a refused client is asked to wait before it tries again. */
export const RETRY_AFTER_SECONDS = 5;
export const DEFAULT_MAX_RUNS = 16;

/** Built (dist/): the compiled thread. From the TypeScript source (tests): a bootstrap that loads it through tsx. */
const THREAD_SCRIPT = new URL(import.meta.url.endsWith('.ts') ? './optimizer-thread.mjs' : './optimizer-thread.js', import.meta.url);

interface Pending {
  job: Job;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class OptimizerPool implements CoreRunner {
  readonly threads: number;
  readonly maxRuns: number;
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private runs = 0;
  private closed = false;

  constructor(options: PoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? Math.min(availableParallelism(), 4));
    this.maxRuns = Math.max(1, options.maxRuns ?? DEFAULT_MAX_RUNS);
  }

  optimize(system: System, spec: OptimizerSpec, options: OptimizeOptions): Promise<OptimizationOutcome> {
    return this.submit({ kind: 'optimize', snapshot: system.toSnapshot(), spec, ...iterations(options) }) as Promise<OptimizationOutcome>;
  }

  explain(system: System, spec: OptimizerSpec, scenario: WhatIf | undefined, options: OptimizeOptions): Promise<Explanation | WhatIfResult> {
    return this.submit({ kind: 'explain', snapshot: system.toSnapshot(), spec, ...(scenario ? { scenario } : {}), ...iterations(options) }) as Promise<Explanation | WhatIfResult>;
  }

  /** Optimizations running or waiting for a thread. */
  get runsInProgress(): number {
    return this.runs;
  }

  /** Stops every thread; runs in progress fail. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.idle, ...this.running.keys()];
    this.idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private async submit(job: Job): Promise<unknown> {
    if (this.runs >= this.maxRuns) {
      throw new ApiError(503, `${this.maxRuns} optimizations are running or waiting already; try again later`, {
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
    }
    this.runs++;
    try {
      return await new Promise((resolve, reject) => {
        this.queue.push({ job, resolve, reject });
        this.dispatch();
      });
    } finally {
      this.runs--;
    }
  }

  private dispatch(): void {
    while (!this.closed && this.queue.length > 0 && (this.idle.length > 0 || this.running.size < this.threads)) {
      const worker = this.idle.pop() ?? this.spawn();
      const pending = this.queue.shift() as Pending;
      this.running.set(worker, pending);
      worker.postMessage(pending.job);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(THREAD_SCRIPT);
    worker.on('message', (reply: Reply) => {
      const pending = this.running.get(worker);
      this.running.delete(worker);
      if (!this.closed) this.idle.push(worker);
      if (pending) settle(pending, reply);
      this.dispatch();
    });
    // A thread that dies (out of memory, a crash) fails its run; the next run gets a new thread.
    const lost = (error: Error) => {
      const pending = this.running.get(worker);
      this.running.delete(worker);
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
      pending?.reject(error);
      this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`optimizer thread stopped (exit code ${code})`)));
    return worker;
  }
}

/** The one option a thread takes from the caller; it brings its own HiGHS and clock. */
function iterations(options: OptimizeOptions): { maxMilpIterations?: number } {
  return options.maxMilpIterations !== undefined ? { maxMilpIterations: options.maxMilpIterations } : {};
}

function settle(pending: Pending, reply: Reply): void {
  if (reply.ok) {
    pending.resolve(reply.result);
    return;
  }
  const { error } = reply;
  if (error.kind === 'validation') pending.reject(new ValidationError(error.issues));
  else if (error.kind === 'optimization') pending.reject(new OptimizationError(error.message));
  else pending.reject(new Error(`in an optimizer thread: ${error.message}`));
}
