/**
 * The core's MipSolver on a loaded HiGHS (npm `highs`). Runtime-agnostic: each runtime loads
 * the WebAssembly its own way and passes the instance here.
 */
import type { Highs } from 'highs';
import type { MipAnswer, MipModel, MipOptions, MipSolver } from '../core/mip-solver.js';

export function highsMipSolver(highs: Highs): MipSolver {
  return {
    name: `HiGHS ${highs.version.string}`,
    solve: (model, options) => solveWithHighs(highs, model, options),
  };
}

function solveWithHighs(highs: Highs, model: MipModel, options: MipOptions): MipAnswer {
  const numCols = model.cost.length;
  const numRows = model.rows.length;
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of model.rows) {
    indices.push(...row.indices);
    values.push(...row.values);
    starts.push(indices.length);
  }
  const bound = (value: number) => (Number.isFinite(value) ? value : value > 0 ? highs.infinity : -highs.infinity);
  const instance = highs.createModel();
  try {
    instance.options.set({
      output_flag: false,
      time_limit: Math.max(options.timeLimitSeconds, 0.01),
      mip_rel_gap: 1e-6,
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
      integrality: new Array(numCols).fill(highs.constants.variableType.integer),
    });
    if (options.start) instance.setSolution({ colValue: options.start });
    const { modelStatus } = instance.run();
    const statuses = highs.constants.modelStatus;
    if (modelStatus === statuses.infeasible) return { status: 'infeasible' };
    const feasible = Number(instance.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    if (!feasible) return { status: 'failed' };
    return {
      status: modelStatus === statuses.optimal ? 'optimal' : 'time-limit',
      values: Array.from(instance.getSolution().colValue, Math.round),
      objective: instance.getObjectiveValue(),
      bound: Number(instance.info.get('mip_dual_bound')),
      gap: Number(instance.info.get('mip_gap')),
    };
  } finally {
    instance.dispose();
  }
}
