/**
 * The body of an optimizer pool thread (optimizer-pool.ts): takes jobs, runs the core on them
 * with HiGHS loaded here, and answers plain JSON. One job at a time.
 */
import { parentPort } from 'node:worker_threads';
import { explain, optimize, OptimizationError, System, ValidationError, whatIf, type MipSolver } from '../core/index.js';
import { runFactsOf, type OptimizationOutcome } from '../api/index.js';
import { loadNodeMipSolver } from './load-highs.js';
import type { Job, Reply } from './optimizer-pool.js';

async function run(job: Job): Promise<unknown> {
  const mipSolver: MipSolver | undefined = job.spec.milpSolver ? await loadNodeMipSolver() : undefined;
  const options = { mipSolver, now: () => performance.now(), ...(job.maxMilpIterations !== undefined ? { maxMilpIterations: job.maxMilpIterations } : {}) };
  const system = System.fromSnapshot(job.snapshot);
  if (job.kind === 'optimize') {
    const result = optimize(system, job.spec, options);
    return { solution: result.solution, facts: runFactsOf(result) } satisfies OptimizationOutcome;
  }
  return job.scenario ? whatIf(system, job.spec, job.scenario, options) : explain(system, job.spec, options);
}

function failure(error: unknown): Reply {
  if (error instanceof ValidationError) return { ok: false, error: { kind: 'validation', message: error.message, issues: error.issues } };
  if (error instanceof OptimizationError) return { ok: false, error: { kind: 'optimization', message: error.message } };
  return { ok: false, error: { kind: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } };
}

parentPort?.on('message', (job: Job) => {
  run(job).then(
    (result) => parentPort?.postMessage({ ok: true, result } satisfies Reply),
    (error: unknown) => parentPort?.postMessage(failure(error)),
  );
});
