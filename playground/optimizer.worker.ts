/**
 * The optimizer worker: validates documents and runs the core off the page's thread, so that
 * the page stays responsive while a large system is optimized.
 */
import { explainResult, OptimizationError, optimize, type OptimizeResult, type OptimizerSpec, type System } from '../src/core/index.js';
import { loadBrowserMipSolver } from './highs.js';
import { readDocument } from './document.js';
import type { WorkerRequest, WorkerResponse } from './protocol.js';
import { describeRun, prepareRun } from './report.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** The one place the core's optimizer is called; HiGHS is loaded only for the MILP solver. */
async function optimizeSystem(system: System, spec: OptimizerSpec): Promise<OptimizeResult> {
  const mipSolver = spec.milpSolver ? await loadBrowserMipSolver() : undefined;
  return optimize(system, spec, { mipSolver, now: () => performance.now() });
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  const { id } = request;
  const { data, problems } = readDocument(request.text);
  if (request.type === 'validate') return { type: 'validated', id, problems, optimizer: data?.system.optimizerData.optimizer };
  if (!data) {
    const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
    return { type: 'failed', id, message: `The system data has ${count}; fix it first.`, problems, internal: false };
  }
  try {
    const run = prepareRun(data, request.flags, request.arrivalScale);
    const result = await optimizeSystem(run.system, run.spec);
    // From the result at hand: explain() would optimize a second time.
    return { type: 'result', id, report: describeRun(run, result, explainResult(run.system, run.spec, result)) };
  } catch (error) {
    if (error instanceof OptimizationError) return { type: 'failed', id, message: error.message, problems: [], internal: false };
    throw error;
  }
}

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const { id } = event.data;
  handle(event.data).then(
    (response) => scope.postMessage(response),
    // A bug, not bad input: answer anyway, so that the page neither waits forever nor hides it.
    (error: unknown) =>
      scope.postMessage({ type: 'failed', id, message: `internal error: ${String(error)}`, problems: [], internal: true } satisfies WorkerResponse),
  );
};
