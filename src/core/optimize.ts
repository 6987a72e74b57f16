/**
 * optimize(system, optimizerSpec): candidates for every server, then the solver the spec asks
 * for. A pure function: it returns the AllocationSolution, whose allocations are the servers'
 * desired allocations, and changes nothing; System.recordOptimization records them.
 *
 * `unlimited` wins over `milpSolver`, as in the reference: capacity is no object, so every
 * server takes its least-value candidate. With `milpSolver` the greedy runs first: the MILP
 * starts from its answer and gives it back when it finds nothing better.
 */
import { computeCandidates, type ServerCandidates } from './candidates.js';
import { shortestFloat32 } from './float32.js';
import { solveGreedy, type Allocation, type CapacityRefusal } from './greedy.js';
import { solveMilp, type MilpProgress } from './milp.js';
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
  /** reports how a MILP is going, at HiGHS's checkpoints */
  onProgress?: (progress: MilpProgress) => void;
  /**
   * simplex iterations a MILP may take at most, whatever the spec's milpIterationLimit says:
   * a runtime whose clock stands still during CPU work (a Worker) bounds the MILP with it
   */
  maxMilpIterations?: number;
}

export function optimize(system: SystemView, spec: OptimizerSpec, options: OptimizeOptions = {}): OptimizeResult {
  const useMilp = spec.milpSolver && !spec.unlimited;
  if (useMilp && !options.mipSolver) {
    throw new OptimizationError('milpSolver: no MILP solver is loaded in this runtime');
  }
  const now = options.now ?? Date.now;
  const started = now();
  const candidates = computeCandidates(system, { counter: options.counter });
  // The MILP reads every candidate, and its time limit counts their sizing before it begins
  // (docs/semantics.md, Limits): all are sized first. The greedy alone sizes only those it reads.
  if (useMilp) for (const server of candidates) server.sizeAll();
  const solution: AllocationSolution = { allocations: {} };
  let allocations: Map<string, Allocation>;
  let refusals = new Map<string, CapacityRefusal[]>();
  let solver: SolverKind = 'greedy';
  if (spec.unlimited) {
    solver = 'unlimited';
    allocations = solveUnlimited(candidates);
  } else {
    const greedyStarted = now();
    allocations = solveGreedy(candidates, new Map(system.capacity), {
      delayedBestEffort: spec.delayedBestEffort,
      saturationPolicy: spec.saturationPolicy,
      refusals,
    });
    if (useMilp && options.mipSolver) {
      solver = 'milp';
      // The time limit counts from the start, candidates included; the greedy's own time is extra.
      const timeLimitMs = (spec.milpTimeLimit > 0 ? spec.milpTimeLimit : DEFAULT_MILP_TIME_LIMIT) * 1000;
      const limits = [spec.milpIterationLimit, options.maxMilpIterations ?? 0].filter((limit) => limit > 0);
      const milp = solveMilp(candidates, options.mipSolver, {
        heterogeneous: spec.heterogeneous,
        capacity: new Map(system.capacity),
        current: new Map([...system.servers.values()].map((server) => [server.name, server.currentAlloc])),
        delayedBestEffort: spec.delayedBestEffort,
        saturationPolicy: spec.saturationPolicy,
        greedy: allocations,
        greedyRefusals: refusals,
        started,
        deadline: started + timeLimitMs + (now() - greedyStarted),
        now,
        ...(limits.length > 0 ? { iterationLimit: Math.min(...limits) } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      allocations = milp.allocations;
      refusals = milp.refusals;
      solution.summary = spec.useCplex
        ? { ...milp.summary, note: 'useCplex: CPLEX is not available; HiGHS was used' }
        : milp.summary;
    }
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
  for (const s of servers) {
    const best = s.candidateAt(0);
    if (best) allocations.set(s.server, { ...best, bestEffort: false });
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
