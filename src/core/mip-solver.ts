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
 * How a solve ended: optimal (proved, within the relative gap); time-limit (stopped by the
 * solver's own time limit); iteration-limit (stopped by its iteration limit, an LP); interrupted
 * (stopped because `checkpoint` asked it to); infeasible; failed (the solver failed).
 */
export const MIP_STATUSES = ['optimal', 'time-limit', 'iteration-limit', 'interrupted', 'infeasible', 'failed'] as const;
export type MipStatus = (typeof MIP_STATUSES)[number];

/** How a solve is going, at one of the solver's checkpoints (plain numbers only). */
export interface MipProgress {
  /** objective of the best solution known, if any */
  incumbent?: number;
  /** the best proven bound on the objective, if any */
  bound?: number;
  /** branch-and-bound nodes so far */
  nodes: number;
  /** simplex iterations so far, over all LPs of this solve */
  lpIterations: number;
}

export interface MipAnswer {
  status: MipStatus;
  /** column values of the best solution found, if any: integral, unless the relaxation was solved */
  values?: number[];
  /** the best proven bound on the objective, when the solver proved one */
  bound?: number;
  nodes: number;
  lpIterations: number;
}

export interface MipOptions {
  /** by the solver's own clock: a backstop for when `checkpoint` is called too rarely */
  timeLimitSeconds: number;
  /** a solution within this relative gap of the bound counts as optimal */
  relativeGap: number;
  /**
   * solve the LP relaxation (every column continuous) instead: its optimum is the answer's
   * bound, and its values are fractional
   */
  relaxation?: boolean;
  /**
   * simplex iterations at most: an LP's own limit; a MIP's is checked at `checkpoint`, or, where
   * the solver cannot call back, stands for a node limit
   */
  iterationLimit?: number;
  /** a feasible solution to start from (not with `relaxation`) */
  start?: number[];
  /** called at the MIP solver's checkpoints; answering true stops the solve (status 'interrupted') */
  checkpoint?: (progress: MipProgress) => boolean;
}

export interface MipSolver {
  /** e.g. "HiGHS 1.15.1" */
  readonly name: string;
  solve(model: MipModel, options: MipOptions): MipAnswer;
}

/** Infinity in rows and bounds; solvers map it to their own. */
export const UNBOUNDED = Number.POSITIVE_INFINITY;
