/**
 * optimize(system, optimizerSpec): candidates for every server, then the solver the spec asks
 * for. A pure function: it returns the AllocationSolution, whose allocations are the servers'
 * desired allocations, and changes nothing; System.recordOptimization records them.
 */
import { computeCandidates, type ServerCandidates } from './candidates.js';
import { shortestFloat32 } from './float32.js';
import { solveGreedy, type Allocation, type CapacityRefusal } from './greedy.js';
import { solveMilp } from './milp.js';
import type { MipSolver } from './mip-solver.js';
import type { EvaluationCounter } from './queue-model.js';
import {
  DEFAULT_MILP_TIME_LIMIT,
  FLOAT32_MAX,
  type AllocationData,
  type AllocationSolution,
  type OptimizerSpec,
  type SolvedAllocation,
  type SolverKind,
} from './schemas.js';
import type { SystemView } from './system.js';
import { perfDataWarnings } from './warnings.js';

/** The optimization cannot be done as asked (not a problem with the input's form). */
export class OptimizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptimizationError';
  }
}

export interface OptimizeResult {
  /** the answer: each allocated server's desired allocation, and the MILP's summary */
  solution: AllocationSolution;
  /** every server's candidates, sorted by server name */
  candidates: ServerCandidates[];
  allocations: Map<string, Allocation>;
  solver: SolverKind;
  /** greedy only: candidates refused for lack of capacity, by server */
  refusals: Map<string, CapacityRefusal[]>;
}

export interface OptimizeOptions {
  counter?: EvaluationCounter;
  /** needed when the spec asks for milpSolver; each runtime loads HiGHS its own way */
  mipSolver?: MipSolver;
  /** milliseconds; the MILP's time budget and summary use it */
  now?: () => number;
}

export function optimize(system: SystemView, spec: OptimizerSpec, options: OptimizeOptions = {}): OptimizeResult {
  if (spec.milpSolver && !options.mipSolver) {
    throw new OptimizationError('milpSolver: no MILP solver is loaded in this runtime');
  }
  const candidates = computeCandidates(system, { counter: options.counter });
  const solution: AllocationSolution = { allocations: {} };
  let allocations: Map<string, Allocation>;
  const refusals = new Map<string, CapacityRefusal[]>();
  let solver: SolverKind = 'greedy';
  if (spec.milpSolver && options.mipSolver) {
    solver = 'milp';
    const milp = solveMilp(candidates, options.mipSolver, {
      heterogeneous: spec.heterogeneous,
      capacity: spec.unlimited ? null : new Map(system.capacity),
      delayedBestEffort: spec.delayedBestEffort,
      saturationPolicy: spec.saturationPolicy,
      timeLimitSeconds: spec.milpTimeLimit > 0 ? spec.milpTimeLimit : DEFAULT_MILP_TIME_LIMIT,
      now: options.now ?? Date.now,
    });
    allocations = milp.allocations;
    solution.summary = spec.useCplex
      ? { ...milp.summary, note: 'useCplex: CPLEX is not available; HiGHS was used' }
      : milp.summary;
  } else if (spec.unlimited) {
    solver = 'unlimited';
    allocations = solveUnlimited(candidates);
  } else {
    allocations = solveGreedy(candidates, new Map(system.capacity), {
      delayedBestEffort: spec.delayedBestEffort,
      saturationPolicy: spec.saturationPolicy,
      refusals,
    });
  }
  for (const { server } of candidates) {
    const allocation = allocations.get(server);
    const serverSpec = system.servers.get(server);
    if (allocation && serverSpec) solution.allocations[server] = solvedAllocation(allocation, serverSpec.currentAlloc.load);
  }
  const ordered: AllocationSolution = { allocations: solution.allocations };
  if (solution.summary) ordered.summary = solution.summary;
  const warnings = perfDataWarnings(system, candidates, allocations);
  if (warnings.length > 0) ordered.warnings = warnings;
  return { solution: ordered, candidates, allocations, solver, refusals };
}

/** Capacity is no object: every server takes its least-value candidate. */
function solveUnlimited(servers: readonly ServerCandidates[]): Map<string, Allocation> {
  const allocations = new Map<string, Allocation>();
  for (const { server, candidates } of servers) {
    if (candidates.length > 0) allocations.set(server, { ...candidates[0], bestEffort: false });
  }
  return allocations;
}

/**
 * A latency (ms) as answers carry it: a float32. An unbounded one (a best-effort allocation whose
 * queue is unstable) is the largest float32, which every JSON reader parses (JSON has no Infinity).
 */
function reportedLatency(ms: number): number {
  return shortestFloat32(Math.min(ms, FLOAT32_MAX));
}

function solvedAllocation(allocation: Allocation, load: AllocationData['load']): SolvedAllocation {
  const data: SolvedAllocation = {
    accelerator: allocation.accelerator,
    numReplicas: allocation.numReplicas,
    maxBatch: allocation.batchSize,
    cost: shortestFloat32(allocation.cost),
    itlAverage: reportedLatency(allocation.itl),
    ttftAverage: reportedLatency(allocation.ttft),
    load: { ...load },
  };
  if (allocation.placements) {
    data.placements = allocation.placements.map((p) => ({
      accelerator: p.accelerator,
      numReplicas: p.numReplicas,
      cost: shortestFloat32(p.cost),
      itlAverage: reportedLatency(p.itl),
      ttftAverage: reportedLatency(p.ttft),
    }));
  }
  // an extension (Go clients ignore it): its latencies are those of the replicas it got
  if (allocation.bestEffort) data.bestEffort = true;
  return data;
}
