/**
 * The assignment as a mixed-integer program, solved lexicographically by priority:
 *
 * 1. for each priority group in turn (1 first), serve as many of its servers within their SLOs
 *    as possible, without serving fewer of any higher-priority group than its own best;
 * 2. then, with every group's count held, minimise the total value (cost with transition
 *    penalties).
 *
 * Servers left unserved then get the saturation policy's best effort from what is left, group by
 * group in priority order (delayedBestEffort false) or all together (true). Unlike the greedy,
 * best effort never takes capacity that another server could use within its SLOs. Every stage
 * starts from the previous stage's solution, which stays feasible, so a stage stopped by the
 * time limit still answers.
 *
 * Single assignment: one binary per (server, candidate). Heterogeneous: integer replicas per
 * (server, accelerator), bounded by the candidate's replica count, whose capacity must carry
 * the server's load, plus a binary "served" per server.
 */
import type { Candidate, ServerCandidates } from './candidates.js';
import { f32 } from './float32.js';
import { allocateBestEffort, type Allocation, type ReplicaPlacement } from './greedy.js';
import { UNBOUNDED, type MipAnswer, type MipModel, type MipRow, type MipSolver, type MipStatus } from './mip-solver.js';
import type { SaturationPolicy, SolverStage, SolverSummary } from './schemas.js';
import { byName } from './system.js';

/** Moving replicas to another accelerator costs this much more per replica (heterogeneous). */
const MOVE_PENALTY = 1.1;

export interface MilpOptions {
  heterogeneous: boolean;
  /** capacity per accelerator type; null when unlimited */
  capacity: Map<string, number> | null;
  delayedBestEffort: boolean;
  saturationPolicy: SaturationPolicy;
  timeLimitSeconds: number;
  /** milliseconds, for the time budget and the summary */
  now: () => number;
}

interface Column {
  server: number;
  /** the candidate a column chooses or places replicas of; none for a "served" column */
  candidate?: Candidate;
}

interface Formulation {
  columns: Column[];
  cost: number[];
  upper: number[];
  rows: MipRow[];
  /** per server: the column whose value says whether it is served, or its choice columns */
  servedColumns: number[][];
  /** capacity row per accelerator type */
  capacityRows: Map<string, number>;
  /** count row per priority */
  countRows: Map<number, number>;
}

export function solveMilp(
  servers: readonly ServerCandidates[],
  solver: MipSolver,
  options: MilpOptions,
): { allocations: Map<string, Allocation>; summary: SolverSummary } {
  const started = options.now();
  const deadline = started + options.timeLimitSeconds * 1000;
  const allocations = new Map<string, Allocation>();
  const eligible = servers.filter((s) => s.candidates.some((c) => c.accelerator !== ''));
  if (!options.capacity) {
    // As the unlimited solver: a server with no load and no minimum gets the empty allocation.
    for (const s of servers) if (s.candidates.length > 0 && !eligible.includes(s)) allocations.set(s.server, { ...s.candidates[0], bestEffort: false });
  }
  const formulation = formulate(eligible, options);
  const priorities = [...new Set(eligible.map((s) => s.priority))].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  const stages: SolverStage[] = [];
  let start = zeros(formulation.columns.length);
  let last: MipAnswer;

  const solveStage = (stage: string, model: MipModel): MipAnswer => {
    const remaining = (deadline - options.now()) / 1000;
    if (model.cost.length === 0 || remaining <= 0) {
      stages.push({ stage, status: model.cost.length === 0 ? 'optimal' : 'skipped' });
      return { status: model.cost.length === 0 ? 'optimal' : 'time-limit', values: start };
    }
    const answer = solver.solve(model, { timeLimitSeconds: remaining, start: clip(start, model.upper) });
    stages.push({ stage, status: answer.status, objective: answer.objective });
    return answer.values ? answer : { ...answer, values: start };
  };

  for (const priority of priorities) {
    if (options.capacity) {
      last = solveStage(`priority ${priority}`, stageModel(formulation, eligible, options.capacity, counts, priority));
      start = last.values as number[];
      counts.set(priority, servedCount(formulation, eligible, start, priority));
    } else {
      counts.set(priority, eligible.filter((s) => s.priority === priority).length);
    }
  }
  const costModel = stageModel(formulation, eligible, options.capacity, counts, null);
  last = solveStage('cost', costModel);
  start = last.values as number[];
  for (const [index, s] of eligible.entries()) {
    const allocation = allocationFrom(formulation, index, start, options.heterogeneous);
    if (allocation) allocations.set(s.server, allocation);
  }

  // Best effort only from what no server can use within its SLOs.
  if (options.capacity) {
    const left = leftover(formulation, options.capacity, start);
    const unserved = eligible.filter((s) => !allocations.has(s.server));
    const groups = options.delayedBestEffort ? [unserved] : priorities.map((p) => unserved.filter((s) => s.priority === p));
    for (const group of groups) allocateBestEffort(group, left, options.saturationPolicy, allocations);
  }

  const servedWithinSLO: Record<string, number> = {};
  for (const priority of priorities) {
    servedWithinSLO[priority] = eligible.filter((s) => s.priority === priority && allocations.get(s.server)?.bestEffort === false).length;
  }
  // A stage cannot be infeasible (it starts from a feasible solution): if the solver says so, it failed.
  const statuses = stages.map((s) => s.status);
  const status: MipStatus = statuses.includes('failed') || statuses.includes('infeasible')
    ? 'failed'
    : statuses.includes('time-limit') || statuses.includes('skipped')
      ? 'time-limit'
      : 'optimal';
  return {
    allocations,
    summary: {
      solver: solver.name,
      formulation: options.heterogeneous ? 'heterogeneous' : 'single',
      status,
      objective: last.objective ?? objectiveOf(costModel, start),
      bound: last.bound ?? objectiveOf(costModel, start),
      // no bound is known when the cost stage was skipped for lack of time: say 100%
      gap: last.gap ?? (status === 'optimal' ? 0 : 1),
      ms: options.now() - started,
      servedWithinSLO,
      stages,
    },
  };
}

function realCandidates(s: ServerCandidates): Candidate[] {
  return s.candidates.filter((c) => c.accelerator !== '');
}

function formulate(servers: readonly ServerCandidates[], options: MilpOptions): Formulation {
  const f: Formulation = { columns: [], cost: [], upper: [], rows: [], servedColumns: [], capacityRows: new Map(), countRows: new Map() };
  const addColumn = (column: Column, cost: number, upper: number): number => {
    f.columns.push(column);
    f.cost.push(cost);
    f.upper.push(upper);
    return f.columns.length - 1;
  };
  const capacityRow = (type: string): MipRow => {
    let index = f.capacityRows.get(type);
    if (index === undefined) {
      index = f.rows.push({ lower: -UNBOUNDED, upper: UNBOUNDED, indices: [], values: [] }) - 1;
      f.capacityRows.set(type, index);
    }
    return f.rows[index];
  };
  const countRow = (priority: number): MipRow => {
    let index = f.countRows.get(priority);
    if (index === undefined) {
      index = f.rows.push({ lower: 0, upper: UNBOUNDED, indices: [], values: [] }) - 1;
      f.countRows.set(priority, index);
    }
    return f.rows[index];
  };

  for (const [server, s] of servers.entries()) {
    const candidates = realCandidates(s);
    if (!options.heterogeneous) {
      const choice: MipRow = { lower: 0, upper: 1, indices: [], values: [] };
      const served: number[] = [];
      for (const candidate of candidates) {
        const column = addColumn({ server, candidate }, candidate.value, 1);
        choice.indices.push(column);
        choice.values.push(1);
        served.push(column);
        addTerm(countRow(s.priority), column, 1);
        if (options.capacity) addTerm(capacityRow(candidate.acceleratorType), column, candidate.numReplicas * candidate.unitsPerReplica);
      }
      f.rows.push(choice);
      f.servedColumns.push(served);
      continue;
    }
    const served = addColumn({ server }, 0, 1);
    f.servedColumns.push([served]);
    addTerm(countRow(s.priority), served, 1);
    const load: MipRow = { lower: 0, upper: UNBOUNDED, indices: [served], values: [-candidates[0].totalRate] };
    // No split takes fewer replicas in all than the fewest one accelerator takes alone: the
    // rates imply it, and it carries minNumReplicas (which every candidate's count respects).
    const fewestReplicas = Math.min(...candidates.map((c) => c.numReplicas));
    const replicas: MipRow = { lower: 0, upper: UNBOUNDED, indices: [served], values: [-fewestReplicas] };
    for (const candidate of candidates) {
      const perReplica = candidate.cost / candidate.numReplicas;
      const moves = candidate.accelerator !== s.currentAccelerator;
      const column = addColumn({ server, candidate }, perReplica * (moves ? MOVE_PENALTY : 1), candidate.numReplicas);
      addTerm(load, column, candidate.maxRatePerReplica);
      addTerm(replicas, column, 1);
      f.rows.push({ lower: -UNBOUNDED, upper: 0, indices: [column, served], values: [1, -candidate.numReplicas] });
      if (options.capacity) addTerm(capacityRow(candidate.acceleratorType), column, candidate.unitsPerReplica);
    }
    f.rows.push(load, replicas);
  }
  return f;
}

function addTerm(row: MipRow, column: number, value: number): void {
  row.indices.push(column);
  row.values.push(value);
}

/**
 * The model of one stage: servers of lower priority than `priority` are left out and the
 * counts of higher priorities are held. `priority` null: the cost stage, all counts held.
 */
function stageModel(
  f: Formulation,
  servers: readonly ServerCandidates[],
  capacity: Map<string, number> | null,
  counts: Map<number, number>,
  priority: number | null,
): MipModel {
  const excluded = (server: number) => priority !== null && servers[server].priority > priority;
  const upper = f.columns.map((column, index) => (excluded(column.server) ? 0 : f.upper[index]));
  const rows = f.rows.map((row) => ({ ...row }));
  if (capacity) {
    for (const [type, index] of f.capacityRows) rows[index].upper = capacity.get(type) ?? 0;
  }
  for (const [p, index] of f.countRows) {
    rows[index].lower = priority === null || p < priority ? (counts.get(p) ?? 0) : 0;
  }
  if (priority === null) return { sense: 'minimize', cost: f.cost, lower: zeros(f.cost.length), upper, rows };
  const cost = f.columns.map((column, index) =>
    servers[column.server].priority === priority && f.servedColumns[column.server].includes(index) ? 1 : 0,
  );
  return { sense: 'maximize', cost, lower: zeros(cost.length), upper, rows };
}

function zeros(length: number): number[] {
  return new Array<number>(length).fill(0);
}

function clip(values: number[], upper: number[]): number[] {
  return values.map((value, index) => Math.min(value, upper[index]));
}

function objectiveOf(model: MipModel, values: number[]): number {
  return model.cost.reduce((sum, cost, index) => sum + cost * values[index], 0);
}

function isServed(f: Formulation, server: number, values: number[]): boolean {
  return f.servedColumns[server].some((column) => values[column] > 0.5);
}

function servedCount(f: Formulation, servers: readonly ServerCandidates[], values: number[], priority: number): number {
  return servers.filter((s, index) => s.priority === priority && isServed(f, index, values)).length;
}

/** Capacity left after the solution `values`. */
function leftover(f: Formulation, capacity: Map<string, number>, values: number[]): Map<string, number> {
  const left = new Map(capacity);
  for (const [type, index] of f.capacityRows) {
    const row = f.rows[index];
    const used = row.indices.reduce((sum, column, k) => sum + row.values[k] * values[column], 0);
    left.set(type, (left.get(type) ?? 0) - used);
  }
  return left;
}

function allocationFrom(f: Formulation, server: number, values: number[], heterogeneous: boolean): Allocation | undefined {
  if (!isServed(f, server, values)) return undefined;
  const used = f.columns
    .map((column, index) => ({ column, replicas: values[index] }))
    .filter(({ column, replicas }) => column.server === server && column.candidate && replicas > 0.5);
  if (!heterogeneous) return { ...(used[0].column.candidate as Candidate), bestEffort: false };
  const placed = used.map(({ column, replicas }) => ({ candidate: column.candidate as Candidate, replicas }));
  if (placed.length === 1 && placed[0].replicas === placed[0].candidate.numReplicas) return { ...placed[0].candidate, bestEffort: false };
  return placedAllocation(placed);
}

/**
 * Replicas on several accelerators (or, within the solver's tolerance, another count than the
 * candidate's on one): the load is spread in proportion to what each can take.
 */
function placedAllocation(placed: { candidate: Candidate; replicas: number }[]): Allocation {
  const capacityRate = placed.reduce((sum, p) => sum + p.replicas * p.candidate.maxRatePerReplica, 0);
  const totalRate = placed[0].candidate.totalRate;
  const placements: ReplicaPlacement[] = placed
    .map(({ candidate, replicas }) => {
      const share = capacityRate > 0 ? (totalRate * replicas * candidate.maxRatePerReplica) / capacityRate : 0;
      const metrics = candidate.analyzer?.metricsAtRate(share / replicas);
      return {
        accelerator: candidate.accelerator,
        numReplicas: replicas,
        batchSize: candidate.batchSize,
        cost: f32(f32(candidate.cost / candidate.numReplicas) * replicas),
        itl: metrics?.itl ?? candidate.itl,
        ttft: metrics?.ttft ?? candidate.ttft,
        share,
      };
    })
    .sort((a, b) => b.numReplicas - a.numReplicas || byName(a.accelerator, b.accelerator));
  const main = placed.find((p) => p.candidate.accelerator === placements[0].accelerator)?.candidate as Candidate;
  const weight = (value: (p: ReplicaPlacement) => number) =>
    totalRate > 0 ? placements.reduce((sum, p) => sum + value(p) * p.share, 0) / totalRate : value(placements[0]);
  const cost = f32(placements.reduce((sum, p) => sum + p.cost, 0));
  return {
    ...main,
    numReplicas: placements.reduce((sum, p) => sum + p.numReplicas, 0),
    cost,
    value: cost,
    itl: weight((p) => p.itl),
    ttft: weight((p) => p.ttft),
    bestEffort: false,
    ...(placements.length > 1 ? { placements } : {}),
  };
}
