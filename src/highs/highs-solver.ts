/**
 * The core's MipSolver on a loaded HiGHS (npm `highs`). Runtime-agnostic: each runtime loads
 * the WebAssembly its own way and passes the instance here.
 */
import type { Highs, HighsCallbackMap } from 'highs';
import type { MipAnswer, MipModel, MipOptions, MipProgress, MipSolver, MipStatus } from '../core/mip-solver.js';

export interface HighsSolverOptions {
  /**
   * Whether HiGHS may call back into JavaScript (`checkpoint`). highs-js compiles a small wasm
   * function for each callback at run time, which a Worker forbids: there a MIP is bounded by
   * HiGHS's own node limit instead, derived from the iteration budget.
   */
  callbacks?: boolean;
}

/** Simplex iterations a branch-and-bound node is taken to cost, where a node limit stands for an iteration budget. */
const ITERATIONS_PER_NODE = 100;

export function highsMipSolver(highs: Highs, { callbacks = true }: HighsSolverOptions = {}): MipSolver {
  return {
    name: `HiGHS ${highs.version.string}`,
    solve: (model, options) => solveWithHighs(highs, model, options, callbacks),
  };
}

/** A finite number, or undefined (HiGHS says ±infinity for "none yet"). */
function finite(value: unknown): number | undefined {
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function solveWithHighs(highs: Highs, model: MipModel, options: MipOptions, callbacks: boolean): MipAnswer {
  const numCols = model.cost.length;
  const numRows = model.rows.length;
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of model.rows) {
    for (let k = 0; k < row.indices.length; k++) {
      indices.push(row.indices[k]);
      values.push(row.values[k]);
    }
    starts.push(indices.length);
  }
  const bound = (value: number) => (Number.isFinite(value) ? value : value > 0 ? highs.infinity : -highs.infinity);
  const instance = highs.createModel();
  try {
    instance.options.set({
      output_flag: false,
      time_limit: Math.max(options.timeLimitSeconds, 0.001),
      mip_rel_gap: options.relativeGap,
      ...(options.iterationLimit !== undefined && options.relaxation ? { simplex_iteration_limit: options.iterationLimit } : {}),
      ...(options.iterationLimit !== undefined && !options.relaxation && !callbacks
        ? { mip_max_nodes: Math.max(1, Math.floor(options.iterationLimit / ITERATIONS_PER_NODE)) }
        : {}),
    });
    instance.passModel({
      numCols,
      numRows,
      sense: model.sense === 'maximize' ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
      colCost: model.cost,
      colLower: model.lower.map(bound),
      colUpper: model.upper.map(bound),
      rowLower: model.rows.map((row) => bound(row.lower)),
      rowUpper: model.rows.map((row) => bound(row.upper)),
      matrix: { format: 'csr', numRows, numCols, starts, indices, values },
      ...(options.relaxation ? {} : { integrality: new Array(numCols).fill(highs.constants.variableType.integer) }),
    });
    if (options.start && !options.relaxation) instance.setSolution({ colValue: options.start });
    const { modelStatus } = instance.run(callbacks ? callbacksFor(highs, options) : {});
    const status = statusOf(highs, modelStatus);
    const work = options.relaxation
      ? { nodes: 0, lpIterations: Number(instance.info.get('simplex_iteration_count')) }
      : { nodes: Number(instance.info.get('mip_node_count')), lpIterations: Number(instance.info.get('simplex_iteration_count')) };
    const feasible = Number(instance.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    const solution = feasible && status !== 'infeasible' ? Array.from(instance.getSolution().colValue) : undefined;
    // An LP optimum bounds the MIP; a MIP's dual bound is proved whenever HiGHS has one.
    const proved = options.relaxation
      ? status === 'optimal'
        ? finite(instance.info.get('objective_function_value'))
        : undefined
      : status !== 'infeasible' && status !== 'failed'
        ? finite(instance.info.get('mip_dual_bound'))
        : undefined;
    return {
      status,
      ...(solution ? { values: options.relaxation ? solution : solution.map(Math.round) } : {}),
      ...(proved !== undefined ? { bound: proved } : {}),
      ...work,
    };
  } finally {
    instance.dispose();
  }
}

/** The checkpoint, on the MIP's interrupt callback. */
function callbacksFor(highs: Highs, options: MipOptions): HighsCallbackMap {
  const { checkpoint } = options;
  if (!checkpoint) return {};
  const types = highs.constants.callbackType;
  // The simplex calls back at every iteration, which costs more than it gives: an LP is
  // bounded by its time and iteration limits alone.
  if (options.relaxation) return {};
  return {
    [types.mipInterrupt]: (event) => {
      const { data } = event;
      const progress: MipProgress = {
        nodes: Number(data.mip_node_count ?? 0),
        lpIterations: Number(data.mip_total_lp_iterations ?? 0),
      };
      const incumbent = finite(data.mip_primal_bound);
      const proved = finite(data.mip_dual_bound);
      if (incumbent !== undefined) progress.incumbent = incumbent;
      if (proved !== undefined) progress.bound = proved;
      if (checkpoint(progress)) event.interrupt();
      return undefined;
    },
  };
}

function statusOf(highs: Highs, modelStatus: number): MipStatus {
  const statuses = highs.constants.modelStatus;
  switch (modelStatus) {
    case statuses.optimal:
      return 'optimal';
    case statuses.timeLimit:
      return 'time-limit';
    case statuses.interrupted:
      return 'interrupted';
    // where mip_max_nodes stands for the iteration budget (no callbacks), HiGHS stops at "solution limit"
    case statuses.iterationLimit:
    case statuses.solutionLimit:
      return 'iteration-limit';
    case statuses.infeasible:
      return 'infeasible';
    default:
      return 'failed';
  }
}
