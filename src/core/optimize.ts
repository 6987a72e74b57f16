/**
 * optimize(system, optimizerSpec): candidates for every server, then the solver the spec asks
 * for; returns the AllocationSolution and records each server's desired allocation.
 */
import { computeCandidates, type ServerCandidates } from './candidates.js';
import { shortestFloat32 } from './float32.js';
import { solveGreedy, type Allocation } from './greedy.js';
import type { EvaluationCounter } from './queue-model.js';
import type { AllocationData, AllocationSolution, OptimizerSpec } from './schemas.js';
import type { System } from './system.js';

/** The optimization cannot be done as asked (not a problem with the input's form). */
export class OptimizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptimizationError';
  }
}

export interface OptimizeResult {
  solution: AllocationSolution;
  /** every server's candidates, sorted by server name */
  candidates: ServerCandidates[];
  allocations: Map<string, Allocation>;
}

export interface OptimizeOptions {
  counter?: EvaluationCounter;
}

export function optimize(system: System, spec: OptimizerSpec, options: OptimizeOptions = {}): OptimizeResult {
  if (spec.milpSolver && !spec.unlimited) {
    throw new OptimizationError('milpSolver: the MILP solver is not available yet; use the greedy solver (milpSolver false)');
  }
  const candidates = computeCandidates(system, { counter: options.counter });
  const allocations = spec.unlimited
    ? solveUnlimited(candidates)
    : solveGreedy(candidates, new Map(system.capacity), {
        delayedBestEffort: spec.delayedBestEffort,
        saturationPolicy: spec.saturationPolicy,
      });
  const solution: AllocationSolution = { allocations: {} };
  for (const { server } of candidates) {
    const allocation = allocations.get(server);
    const spec = system.servers.get(server);
    if (allocation && spec) solution.allocations[server] = allocationData(allocation, spec.currentAlloc.load);
  }
  system.setDesiredAllocations(solution.allocations);
  return { solution, candidates, allocations };
}

/** Capacity is no object: every server takes its least-value candidate. */
function solveUnlimited(servers: readonly ServerCandidates[]): Map<string, Allocation> {
  const allocations = new Map<string, Allocation>();
  for (const { server, candidates } of servers) {
    if (candidates.length > 0) allocations.set(server, { ...candidates[0], bestEffort: false });
  }
  return allocations;
}

function allocationData(allocation: Allocation, load: AllocationData['load']): AllocationData {
  return {
    accelerator: allocation.accelerator,
    numReplicas: allocation.numReplicas,
    maxBatch: allocation.batchSize,
    cost: shortestFloat32(allocation.cost),
    itlAverage: shortestFloat32(allocation.itl),
    ttftAverage: shortestFloat32(allocation.ttft),
    load: { ...load },
  };
}
