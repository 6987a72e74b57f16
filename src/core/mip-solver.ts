/**
 * What the optimizer needs of a mixed-integer program solver. Each runtime loads HiGHS its own
 * way and injects it through this interface, so the core stays free of I/O and of WebAssembly.
 */

/** A linear row: lower ≤ Σ value·x[index] ≤ upper. */
export interface MipRow {
  lower: number;
  upper: number;
  indices: number[];
  values: number[];
}

/** An all-integer linear program. */
export interface MipModel {
  sense: 'minimize' | 'maximize';
  /** per column: objective coefficient and bounds */
  cost: number[];
  lower: number[];
  upper: number[];
  rows: MipRow[];
}

/**
 * How a solve ended: optimal (proved, within the relative gap); time-limit (stopped at the time
 * limit with a feasible solution); infeasible; failed (stopped with no feasible solution, or the
 * solver failed).
 */
export const MIP_STATUSES = ['optimal', 'time-limit', 'infeasible', 'failed'] as const;
export type MipStatus = (typeof MIP_STATUSES)[number];

export interface MipAnswer {
  status: MipStatus;
  /** column values (integral), when a feasible solution exists */
  values?: number[];
  objective?: number;
  /** the best proven bound on the objective */
  bound?: number;
  /** relative gap between objective and bound */
  gap?: number;
}

export interface MipOptions {
  timeLimitSeconds: number;
  /** a feasible solution to start from */
  start?: number[];
}

export interface MipSolver {
  /** e.g. "HiGHS 1.15.1" */
  readonly name: string;
  solve(model: MipModel, options: MipOptions): MipAnswer;
}

/** Infinity in rows and bounds; solvers map it to their own. */
export const UNBOUNDED = Number.POSITIVE_INFINITY;
