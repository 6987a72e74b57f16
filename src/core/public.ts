/**
 * The package's core (`inferno-edge`, `inferno-edge/core`): what a library user needs to
 * validate data, hold a system, optimize and explain it, and plug in a MILP solver. Pure: no
 * I/O, no globals, the same in Node, a Worker and a page. (`./index.ts` also exposes the
 * internals, for this repository's own modules and tests.)
 */
export * from './schemas.js';
export * from './limits.js';
export {
  System,
  DEFAULT_SERVICE_CLASS,
  HIGHEST_PRIORITY,
  LOWEST_PRIORITY,
  serviceClassOf,
  type ReadonlyDeep,
  type ServiceClassView,
  type SystemView,
} from './system.js';
export { optimize, OptimizationError, type OptimizeOptions, type OptimizeResult } from './optimize.js';
export { explain, explainResult, whatIf, type WhatIf } from './explain.js';
export { Infeasible, type Result } from './infeasible.js';
// the solvers: what a MipSolver implements, and the shapes their results hold
export { UNBOUNDED, type MipAnswer, type MipModel, type MipOptions, type MipRow, type MipSolver, type MipStatus } from './mip-solver.js';
export type { MilpProgress } from './milp.js';
export type { Allocation, CapacityRefusal, ReplicaPlacement } from './greedy.js';
export type { Candidate, RejectedAccelerator, ServerCandidates } from './candidates.js';
export type { EvaluationCounter } from './queue-model.js';
