/**
 * An optimizer worker: validates documents and runs the core off the page's thread, so that
 * the page stays responsive while a large system is optimized. It keeps its last run, so that
 * the explanation of a server and the exports are computed when the page asks for them.
 */
import { OptimizationError, optimize, type MilpProgress, type OptimizeResult, type OptimizerSpec, type System } from '../src/core/index.js';
import { readDocument } from './document.js';
import { loadBrowserMipSolver } from './highs.js';
import type { RunProgress, WorkerRequest, WorkerResponse } from './protocol.js';
import { combineFiles } from './input-files.js';
import { describeRun, explainServers, prepareRun, type DescribedRun, type PreparedRun } from './report.js';
import { reportFile } from './report-file.js';
import { queryRows } from './table-query.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** ms between two MILP progress messages of one stage: HiGHS reports far more often than anyone reads */
const MILP_PROGRESS_INTERVAL = 100;

/** this worker's run: the page asks for its rows, explanations and exports */
let lastRun: { run: PreparedRun; result: OptimizeResult; described: DescribedRun } | undefined;

/** The one place the core's optimizer is called; HiGHS is loaded only for the MILP solver. */
async function optimizeSystem(system: System, spec: OptimizerSpec, progress: (progress: RunProgress) => void): Promise<OptimizeResult> {
  if (spec.milpSolver) progress({ stage: 'loading-solver' });
  const mipSolver = spec.milpSolver ? await loadBrowserMipSolver() : undefined;
  const solver = spec.milpSolver ? 'milp' : spec.unlimited ? 'unlimited' : 'greedy';
  progress({ stage: 'optimizing', solver });
  // The first report of each MILP stage is passed on, then at most one per interval.
  let last = { stage: '', at: Number.NEGATIVE_INFINITY };
  const onProgress = (milp: MilpProgress) => {
    const at = performance.now();
    if (milp.stage === last.stage && at - last.at < MILP_PROGRESS_INTERVAL) return;
    last = { stage: milp.stage, at };
    progress({ stage: 'optimizing', solver, milp });
  };
  return optimize(system, spec, { mipSolver, now: () => performance.now(), onProgress });
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  const { id } = request;
  if (request.type === 'explain') {
    const explanation = lastRun ? (explainServers(lastRun.run, lastRun.result, new Set([request.server]))[0] ?? null) : null;
    return { type: 'explained', id, explanation };
  }
  if (request.type === 'combine') return { type: 'combined', id, combined: combineFiles(request.files, request.current) };
  if (request.type === 'rows') {
    return { type: 'rows', id, page: queryRows(lastRun?.described.rows ?? [], request.query) };
  }
  if (request.type === 'export') {
    if (!lastRun) return { type: 'failed', id, message: 'no run to export', problems: [], internal: true };
    const bodies = { report: () => reportFile(lastRun!.described), solution: () => lastRun!.result.solution, system: () => lastRun!.run.systemData };
    return { type: 'exported', id, text: `${JSON.stringify(bodies[request.what](), null, 2)}\n` };
  }
  const progress = (stage: RunProgress) => scope.postMessage({ type: 'progress', id, progress: stage } satisfies WorkerResponse);
  if (request.type === 'run') progress({ stage: 'reading' });
  const { data, problems, warnings } = readDocument(request.text);
  if (request.type === 'validate') return { type: 'validated', id, problems, warnings, optimizer: data?.system.optimizerData.optimizer };
  if (!data) {
    const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
    return { type: 'failed', id, message: `The system data has ${count}; fix it first.`, problems, internal: false };
  }
  try {
    const run = prepareRun(data, request.flags, request.arrivalScale);
    const result = await optimizeSystem(run.system, run.spec, progress);
    progress({ stage: 'reporting' });
    const described = describeRun(run, result);
    lastRun = { run, result, described };
    const { rows, ...report } = described;
    return { type: 'result', id, report };
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
