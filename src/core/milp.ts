/**
 * The assignment as a mixed-integer program, solved lexicographically by priority:
 *
 * 1. for each priority group in turn (1 first), serve as many of its servers within their SLOs
 *    as possible, without serving fewer of any higher-priority group than its own best;
 * 2. then, with every group's count held, minimise the total value (cost with transition
 *    penalties).
 *
 * Servers left unserved get the saturation policy's best effort from what is left: a group's
 * right after its own stage, before any lower group gets capacity (delayedBestEffort false), or
 * all together at the end (true).
 *
 * Never behind the greedy. Every stage starts from a feasible solution: the greedy's answer,
 * the previous stage's solution with this priority's servers added by a heuristic, or the LP
 * relaxation's solution rounded and completed, whichever is best. The LP relaxation also gives
 * a proven bound, which often shows the start optimal at once; otherwise HiGHS improves the
 * start until the stage's share of the time (or of the iteration budget) is spent, and the stage
 * keeps the better of the two. A stage with no time left keeps its start (the cheaper ones:
 * little time is spent past the limit); when the limit has passed before the first stage (the
 * candidates took it), the greedy's answer is given at once. At the end the
 * greedy's answer is compared with the MILP's and the better one is given: more servers within
 * SLO priority by priority, then less value; on a tie, the greedy's.
 *
 * The program is kept small: candidates that cannot fit the capacity are left out, and so are
 * dominated ones (same accelerator type, at least as many units, no lower value); a count stage
 * keeps only what counting needs (per type the candidate with the fewest units).
 *
 * Single assignment: one binary per (server, candidate). Heterogeneous: integer replicas per
 * (server, accelerator), bounded by the candidate's replica count, whose capacity must carry
 * the server's load, plus a binary "served" per server; a replica's value comes from the one
 * transition-penalty function, so that every solver agrees on whether a server stays or moves.
 */
import { transitionPenalty, type Candidate, type ServerCandidates } from './candidates.js';
import { f32 } from './float32.js';
import { allocateBestEffort, solveGreedy, type Allocation, type CapacityRefusal, type ReplicaPlacement } from './greedy.js';
import { UNBOUNDED, type MipAnswer, type MipModel, type MipRow, type MipSolver } from './mip-solver.js';
import type { AllocationData, SolverStage, SaturationPolicy, SolverSummary } from './schemas.js';
import { byName, type ReadonlyDeep } from './system.js';

/** A solution within this relative gap of HiGHS's bound counts as optimal (HiGHS's default). */
const RELATIVE_GAP = 1e-4;

/** How a long MILP is going: a plain object, so that it can be posted or serialised. */
export interface MilpProgress {
  /** "priority N" or "cost" */
  stage: string;
  /** 1-based, of `stageCount` */
  stageNumber: number;
  stageCount: number;
  /** objective of the best solution of this stage so far */
  incumbent: number;
  /** the best bound HiGHS has proved so far, if any */
  bound?: number;
  gap?: number;
  /** since the optimization started, by the injected clock */
  elapsedMs: number;
}

export interface MilpOptions {
  heterogeneous: boolean;
  /** units per accelerator type */
  capacity: Map<string, number>;
  /** every server's current allocation, by name: transition penalties start from it */
  current: ReadonlyMap<string, ReadonlyDeep<AllocationData>>;
  delayedBestEffort: boolean;
  saturationPolicy: SaturationPolicy;
  /** the greedy's answer on the same candidates and capacity: the first start, and the answer to beat */
  greedy: Map<string, Allocation>;
  /** the greedy's refusals, kept when its answer is given */
  greedyRefusals: Map<string, CapacityRefusal[]>;
  /** milliseconds, by `now` */
  started: number;
  /** by `now`: no stage runs past it */
  deadline: number;
  now: () => number;
  /** simplex iterations all stages may take together (checked at HiGHS's checkpoints) */
  iterationLimit?: number;
  onProgress?: (progress: MilpProgress) => void;
}

export interface MilpResult {
  allocations: Map<string, Allocation>;
  summary: SolverSummary;
  /** for servers given nothing within SLO: what each candidate needed and what was left */
  refusals: Map<string, CapacityRefusal[]>;
}

/** Replicas of one candidate in a solution. */
interface Part {
  candidate: Candidate;
  replicas: number;
}

/** By server index: its parts, or undefined when it is not served within its SLOs. */
type Assignment = (Part[] | undefined)[];

/** A server as the program sees it. */
interface Server {
  s: ServerCandidates;
  /** real candidates that fit the capacity at all, in value order */
  candidates: Candidate[];
  /** fewest replicas any of its candidates takes alone (heterogeneous) */
  fewestReplicas: number;
  /** heterogeneous: the value of each candidate's replicas */
  pricing: Pricing;
}

/**
 * The transition penalty (candidates.ts) as a linear function of the replicas per accelerator,
 * derived from the function itself, so that a solution of one candidate's replicas has exactly
 * that candidate's value, and every solver agrees on whether a server stays or moves:
 * being served adds `base`; a replica on an accelerator adds its `perReplica`; and, group by
 * group of the current allocation (one, or one per placement), when some replicas go to
 * accelerators other than the group's, each of its replicas that does not stay adds the group's
 * `perMovedReplica` (the penalty's share of the group's cost, which a move of it all pays whole).
 */
interface Pricing {
  perReplica: Map<Candidate, number>;
  /** the groups of the current allocation that have replicas, by accelerator */
  current: CurrentGroup[];
  base: number;
}

interface CurrentGroup {
  accelerator: string;
  replicas: number;
  perMovedReplica: number;
}

type StageKind = { kind: 'count'; priority: number } | { kind: 'cost' };

/** A stage's program and where each server's variables are. */
interface Layout {
  model: MipModel;
  /** per server index (undefined: not in this stage) */
  servers: (ServerColumns | undefined)[];
}

interface ServerColumns {
  parts: { column: number; candidate: Candidate }[];
  /** heterogeneous: 1 when served */
  served?: number;
  /**
   * heterogeneous cost stage, per current group the server can keep or leave: `moves` is 1 when
   * a replica goes to another accelerator; `movedReplicas`, the group's replicas that do not stay
   */
  moves?: { group: CurrentGroup; moves: number; movedReplicas: number }[];
}

export function solveMilp(candidates: readonly ServerCandidates[], solver: MipSolver, options: MilpOptions): MilpResult {
  const { capacity, heterogeneous } = options;
  // The limit passed before the MILP began (the candidates took it): the greedy's answer, at once.
  if (options.now() >= options.deadline) return greedyAnswer(candidates, solver.name, options);
  const servers: Server[] = [];
  for (const s of candidates) {
    const real = s.candidates.filter((c) => c.accelerator !== '');
    if (real.length === 0) continue;
    const fitting = real.filter((c) => fitsAtAll(c, capacity, heterogeneous));
    servers.push({
      s,
      candidates: fitting,
      fewestReplicas: Math.min(...real.map((c) => c.numReplicas)),
      pricing: pricingOf(fitting, options.current.get(s.server)),
    });
  }
  const priorities = [...new Set(servers.map((server) => server.s.priority))].sort((a, b) => a - b);
  const stageCount = priorities.length + 1;
  const stageWeights = [...priorities.map((p) => servers.filter((server) => server.s.priority <= p).length), servers.length];
  const stages: SolverStage[] = [];
  const reserved = new Map<string, number>();
  const bestEffort = new Map<string, Allocation>();
  const counts = new Map<number, number>();
  const greedyAssignment = assignmentOf(servers, options.greedy);
  let assignment: Assignment = servers.map(() => undefined);
  let iterations = 0;
  let limitedBy: 'time' | 'iterations' | undefined;
  let everyCountOptimal = true;
  let costBound: number | undefined;

  /**
   * Runs one stage from the best of `starts` (feasible ones, in order of preference) and of the
   * LP relaxation's solution, rounded and completed; answers the best solution it knows.
   */
  const runStage = (stage: StageKind, starts: Start[]): Assignment => {
    const name = stage.kind === 'count' ? `priority ${stage.priority}` : 'cost';
    const stageStarted = options.now();
    const capacityLeft = available(capacity, reserved);
    const objective = (a: Assignment) => (stage.kind === 'count' ? servedCount(servers, a, stage.priority) : totalValue(servers, a, heterogeneous));
    /** whether `a` is better than `b` for this stage */
    const improves = (a: number, b: number) => (stage.kind === 'count' ? a > b : a < b);
    const feasible = (a: Assignment) => withinCapacity(servers, a, capacityLeft) && meetsCounts(servers, a, counts, stage);
    // The last start (built on the previous stage's solution) is feasible by construction; on a tie the earlier start wins.
    const usable = starts.filter((candidate) => feasible(candidate.assignment));
    let start = usable.reduce((best, candidate) => (improves(objective(candidate.assignment), objective(best.assignment)) ? candidate : best), usable[0] ?? starts[starts.length - 1]);
    let bound: number | undefined;
    const finish = (status: SolverStage['status'], kept: Assignment, keptSolver: boolean, skippedFor?: 'time' | 'iterations'): Assignment => {
      const value = objective(kept);
      if (status === 'time-limit' || skippedFor === 'time') limitedBy ??= 'time';
      if (status === 'iteration-limit' || skippedFor === 'iterations') limitedBy ??= 'iterations';
      if (stage.kind === 'count' && status !== 'optimal') everyCountOptimal = false;
      if (stage.kind === 'cost') costBound = bound;
      stages.push({
        stage: name,
        status,
        start: start.from,
        kept: keptSolver ? 'solver' : 'start',
        objective: value,
        ...(bound !== undefined ? { bound, gap: gapOf(value, bound) } : {}),
        ms: options.now() - stageStarted,
      });
      return kept;
    };
    // Each stage gets a share of the time left in proportion to its servers; time a stage does not use goes to the next.
    const weights = stageWeights.slice(stages.length);
    const stageDeadline = stageStarted + ((options.deadline - stageStarted) * weights[0]) / weights.reduce((a, b) => a + b, 0);
    const outOfIterations = () => options.iterationLimit !== undefined && iterations >= options.iterationLimit;
    if (stageStarted >= options.deadline || outOfIterations()) return finish('skipped', start.assignment, false, outOfIterations() ? 'iterations' : 'time');

    const layout = buildLayout(servers, stage, capacityLeft, counts, bestEffort, heterogeneous);
    if (layout.model.cost.length === 0) return finish('optimal', start.assignment, false);
    const progress = (incumbent: number, proved?: number) =>
      options.onProgress?.({
        stage: name,
        stageNumber: stages.length + 1,
        stageCount,
        incumbent,
        ...(proved !== undefined ? { bound: proved, gap: gapOf(incumbent, proved) } : {}),
        elapsedMs: options.now() - options.started,
      });
    let stoppedBy: 'time' | 'iterations' | undefined;
    const solve = (relaxation: boolean): MipAnswer => {
      stoppedBy = undefined;
      const answer = solver.solve(layout.model, {
        timeLimitSeconds: Math.max(stageDeadline - options.now(), 0) / 1000,
        relativeGap: RELATIVE_GAP,
        relaxation,
        ...(relaxation ? {} : { start: startValues(layout, start.assignment, heterogeneous) }),
        ...(options.iterationLimit !== undefined ? { iterationLimit: Math.max(options.iterationLimit - iterations, 0) } : {}),
        checkpoint: (p) => {
          if (!relaxation) progress(p.incumbent ?? objective(start.assignment), tighter(p.bound, bound));
          if (options.now() >= stageDeadline) stoppedBy = 'time';
          else if (options.iterationLimit !== undefined && iterations + p.lpIterations >= options.iterationLimit) stoppedBy = 'iterations';
          return stoppedBy !== undefined;
        },
      });
      iterations += answer.lpIterations;
      bound = tighter(answer.bound, bound);
      return answer;
    };
    const tighter = (a: number | undefined, b: number | undefined) =>
      a === undefined ? b : b === undefined ? a : stage.kind === 'count' ? Math.min(a, b) : Math.max(a, b);
    const limitStatus = (answer: MipAnswer): SolverStage['status'] =>
      answer.status === 'iteration-limit' || stoppedBy === 'iterations' ? 'iteration-limit' : 'time-limit';
    const stopped = (answer: MipAnswer) => answer.status === 'interrupted' || answer.status === 'time-limit' || answer.status === 'iteration-limit';

    // The LP relaxation: a bound, and nearly every server integral in its solution.
    const relaxed = solve(true);
    if (relaxed.values) {
      const rounded = completeRounding(servers, layout, relaxed.values, start.assignment, stage, capacityLeft, bestEffort);
      if (feasible(rounded) && improves(objective(rounded), objective(start.assignment))) start = { assignment: rounded, from: 'relaxation' };
    }
    const startObjective = objective(start.assignment);
    progress(startObjective, bound);
    if (bound !== undefined && provedOptimal(stage, startObjective, bound)) return finish('optimal', start.assignment, false);
    if (relaxed.status !== 'optimal') return finish(stopped(relaxed) ? limitStatus(relaxed) : 'failed', start.assignment, false);
    if (options.now() >= stageDeadline || outOfIterations()) return finish(outOfIterations() ? 'iteration-limit' : 'time-limit', start.assignment, false);

    const answer = solve(false);
    const found = answer.values && readAssignment(layout, answer.values, servers.length);
    // The solver's solution is kept when it is better; on a tie, the start (HiGHS began from it).
    const better = found !== undefined && feasible(found) && improves(objective(found), startObjective);
    const kept = better ? found : start.assignment;
    const status = answer.status === 'optimal' ? 'optimal' : stopped(answer) ? limitStatus(answer) : 'failed';
    return finish(status, kept, better);
  };

  // Past the deadline a stage is skipped: it takes the cheaper starts, so that little time is spent after the limit.
  const late = () => options.now() >= options.deadline;
  for (const priority of priorities) {
    assignment = runStage({ kind: 'count', priority }, countStarts(servers, assignment, greedyAssignment, priority, available(capacity, reserved), bestEffort, late()));
    counts.set(priority, servedCount(servers, assignment, priority));
    if (!options.delayedBestEffort) {
      const group = servers.filter((server, index) => server.s.priority === priority && !assignment[index]).map((server) => server.s);
      giveBestEffort(group, available(capacity, reserved), assignment, servers, options.saturationPolicy, bestEffort, reserved);
    }
  }
  // The greedy's answer may be a better start for the cost stage when it meets every count.
  assignment = runStage({ kind: 'cost' }, [
    { assignment: restrictTo(servers, greedyAssignment, (server) => !bestEffort.has(server.s.server)), from: 'greedy' },
    { assignment: late() ? assignment : cheaperMoves(servers, assignment, available(capacity, reserved)), from: 'heuristic' },
  ]);
  if (options.delayedBestEffort) {
    const unserved = servers.filter((_, index) => !assignment[index]).map((server) => server.s);
    giveBestEffort(unserved, available(capacity, reserved), assignment, servers, options.saturationPolicy, bestEffort, reserved);
  }

  const allocations = new Map<string, Allocation>();
  for (const [index, server] of servers.entries()) {
    const parts = assignment[index];
    if (parts) allocations.set(server.s.server, allocationOf(parts, server.pricing, heterogeneous));
  }
  for (const [name, allocation] of bestEffort) allocations.set(name, allocation);

  const served = servers.map((server) => server.s);
  const milpServed = servedByPriority(served, allocations, priorities);
  const greedyServed = servedByPriority(served, options.greedy, priorities);
  const milpValue = answerValue(served, allocations);
  const greedyValue = answerValue(served, options.greedy);
  const order = compareServed(milpServed, greedyServed);
  const milpWins = order > 0 || (order === 0 && milpValue < greedyValue);
  const statuses = stages.map((stage) => stage.status);
  const objective = milpWins ? milpValue : greedyValue;
  const bound = everyCountOptimal ? costBound : undefined;
  return {
    allocations: milpWins ? allocations : new Map(options.greedy),
    refusals: milpWins ? milpRefusals(servers, allocations, capacity) : options.greedyRefusals,
    summary: {
      solver: solver.name,
      formulation: heterogeneous ? 'heterogeneous' : 'single',
      status: statuses.includes('failed')
        ? 'failed'
        : limitedBy === 'time'
          ? 'time-limit'
          : limitedBy === 'iterations'
            ? 'iteration-limit'
            : 'optimal',
      answer: milpWins ? 'milp' : 'greedy',
      ...(limitedBy ? { limitedBy } : {}),
      objective,
      ...(bound !== undefined ? { bound, gap: gapOf(objective, bound) } : {}),
      ms: options.now() - options.started,
      servedWithinSLO: record(priorities, milpWins ? milpServed : greedyServed),
      greedyServedWithinSLO: record(priorities, greedyServed),
      stages,
    },
  };
}

/**
 * The greedy's answer, summarised as a MILP whose every stage was skipped for lack of time: each
 * keeps the greedy's start.
 */
function greedyAnswer(candidates: readonly ServerCandidates[], solverName: string, options: MilpOptions): MilpResult {
  const servers = candidates.filter((s) => s.candidates.some((c) => c.accelerator !== ''));
  const priorities = [...new Set(servers.map((s) => s.priority))].sort((a, b) => a - b);
  const served = servedByPriority(servers, options.greedy, priorities);
  const value = answerValue(servers, options.greedy);
  const skipped = (stage: string, objective: number): SolverStage => ({ stage, status: 'skipped', start: 'greedy', kept: 'start', objective, ms: 0 });
  return {
    allocations: new Map(options.greedy),
    refusals: options.greedyRefusals,
    summary: {
      solver: solverName,
      formulation: options.heterogeneous ? 'heterogeneous' : 'single',
      status: 'time-limit',
      answer: 'greedy',
      limitedBy: 'time',
      objective: value,
      ms: options.now() - options.started,
      servedWithinSLO: record(priorities, served),
      greedyServedWithinSLO: record(priorities, served),
      stages: [...priorities.map((priority, index) => skipped(`priority ${priority}`, served[index])), skipped('cost', value)],
    },
  };
}

/** Whether `objective` is as good as `bound` allows: within the relative gap, or the whole count below it. */
function provedOptimal(stage: StageKind, objective: number, bound: number): boolean {
  return stage.kind === 'count' ? objective >= Math.floor(bound + 1e-6) : gapOf(objective, bound) <= RELATIVE_GAP;
}

/** Relative distance between an objective and its bound, 0 when both are 0. */
function gapOf(objective: number, bound: number): number {
  const scale = Math.max(Math.abs(objective), Math.abs(bound));
  return scale === 0 ? 0 : Math.abs(objective - bound) / scale;
}

function record(priorities: readonly number[], served: readonly number[]): Record<string, number> {
  return Object.fromEntries(priorities.map((priority, index) => [String(priority), served[index]]));
}

function unitsOf(candidate: Candidate): number {
  return candidate.numReplicas * candidate.unitsPerReplica;
}

/** Whether a candidate can be part of a solution at all: its replicas (one replica, when they may split) fit. */
function fitsAtAll(candidate: Candidate, capacity: ReadonlyMap<string, number>, heterogeneous: boolean): boolean {
  const units = heterogeneous ? candidate.unitsPerReplica : unitsOf(candidate);
  return units <= (capacity.get(candidate.acceleratorType) ?? 0);
}

function pricingOf(candidates: readonly Candidate[], current: ReadonlyDeep<AllocationData> | undefined): Pricing {
  const from = current ?? { accelerator: '', numReplicas: 0, maxBatch: 0, cost: 0, itlAverage: 0, ttftAverage: 0, load: { arrivalRate: 0, avgInTokens: 0, avgOutTokens: 0 } };
  // No replicas on these accelerators: the penalty before any replica is counted.
  const none = (accelerators: readonly string[]) =>
    transitionPenalty(from, { accelerator: accelerators[0] ?? '', numReplicas: 0, cost: 0, placements: accelerators.map((accelerator) => ({ accelerator, numReplicas: 0, cost: 0 })) });
  const perReplica = new Map<Candidate, number>();
  for (const candidate of candidates) perReplica.set(candidate, (candidate.value - none([candidate.accelerator])) / candidate.numReplicas);
  const groups = (from.placements && from.placements.length > 0 ? from.placements : [from]).filter((g) => g.numReplicas > 0 && g.accelerator !== '');
  const accelerators = groups.map((g) => g.accelerator);
  // Every group staying with none of its replicas, against one group moving them all elsewhere.
  const staying = groups.length > 0 ? none(accelerators) : none(['']);
  const group = (g: (typeof groups)[number]): CurrentGroup => ({
    accelerator: g.accelerator,
    replicas: g.numReplicas,
    perMovedReplica: (none(accelerators.filter((a) => a !== g.accelerator)) - staying) / g.numReplicas,
  });
  return { perReplica, current: groups.map(group), base: staying };
}

/** The value of a server's parts: its candidate's own value when it runs on one candidate as sized. */
function partsValue(parts: readonly Part[], pricing: Pricing): number {
  if (isWhole(parts)) return parts[0].candidate.value;
  let value = pricing.base;
  for (const part of parts) value += (pricing.perReplica.get(part.candidate) ?? 0) * part.replicas;
  for (const group of pricing.current) {
    if (parts.some((part) => part.candidate.accelerator !== group.accelerator)) value += group.perMovedReplica * movedReplicas(parts, group);
  }
  return value;
}

/** Replicas of a current group that do not stay on its accelerator. */
function movedReplicas(parts: readonly Part[], group: CurrentGroup): number {
  const staying = parts.filter((part) => part.candidate.accelerator === group.accelerator).reduce((sum, part) => sum + part.replicas, 0);
  return Math.max(group.replicas - staying, 0);
}

function servedCount(servers: readonly Server[], assignment: Assignment, priority: number): number {
  let count = 0;
  for (const [index, server] of servers.entries()) if (assignment[index] && server.s.priority === priority) count++;
  return count;
}

function totalValue(servers: readonly Server[], assignment: Assignment, heterogeneous: boolean): number {
  let value = 0;
  for (const [index, server] of servers.entries()) {
    const parts = assignment[index];
    if (parts) value += heterogeneous ? partsValue(parts, server.pricing) : parts[0].candidate.value;
  }
  return value;
}

function unitsUsed(servers: readonly Server[], assignment: Assignment): Map<string, number> {
  const used = new Map<string, number>();
  for (const [index] of servers.entries()) addUnits(used, assignment[index]);
  return used;
}

/** Units by type that one server's parts take. */
function partsUnits(parts: readonly Part[]): Map<string, number> {
  const units = new Map<string, number>();
  addUnits(units, parts);
  return units;
}

function addUnits(to: Map<string, number>, parts: readonly Part[] | undefined): void {
  for (const part of parts ?? []) {
    const type = part.candidate.acceleratorType;
    to.set(type, (to.get(type) ?? 0) + part.replicas * part.candidate.unitsPerReplica);
  }
}

function available(capacity: ReadonlyMap<string, number>, reserved: ReadonlyMap<string, number>): Map<string, number> {
  const left = new Map(capacity);
  subtract(left, reserved);
  return left;
}

function subtract(from: Map<string, number>, units: ReadonlyMap<string, number>): void {
  for (const [type, used] of units) from.set(type, (from.get(type) ?? 0) - used);
}

function withinCapacity(servers: readonly Server[], assignment: Assignment, capacity: ReadonlyMap<string, number>): boolean {
  for (const [type, used] of unitsUsed(servers, assignment)) if (used > (capacity.get(type) ?? 0)) return false;
  return true;
}

/** Whether `assignment` serves at least the counts a stage holds (and only servers the stage has). */
function meetsCounts(servers: readonly Server[], assignment: Assignment, counts: ReadonlyMap<number, number>, stage: StageKind): boolean {
  for (const [priority, count] of counts) {
    if ((stage.kind === 'cost' || priority < stage.priority) && servedCount(servers, assignment, priority) < count) return false;
  }
  return stage.kind === 'cost' || servers.every((server, index) => !assignment[index] || server.s.priority <= stage.priority);
}

function restrictTo(servers: readonly Server[], assignment: Assignment, keep: (server: Server) => boolean): Assignment {
  return servers.map((server, index) => (keep(server) ? assignment[index] : undefined));
}

/** An answer's within-SLO allocations as an assignment (a split allocation's placements become its parts). */
function assignmentOf(servers: readonly Server[], allocations: ReadonlyMap<string, Allocation>): Assignment {
  return servers.map((server) => {
    const allocation = allocations.get(server.s.server);
    if (!allocation || allocation.bestEffort || allocation.accelerator === '') return undefined;
    const placed = allocation.placements ?? [{ accelerator: allocation.accelerator, numReplicas: allocation.numReplicas }];
    const parts: Part[] = [];
    for (const placement of placed) {
      const candidate = server.s.candidates.find((c) => c.accelerator === placement.accelerator);
      if (!candidate) return undefined;
      parts.push({ candidate, replicas: placement.numReplicas });
    }
    return parts;
  });
}

/** A feasible solution a stage may start from, and where it came from. */
interface Start {
  assignment: Assignment;
  from: SolverStage['start'];
}

/**
 * Starts for the count stage of `priority`: the greedy's answer; and `assignment` with the
 * priority's servers added in what is left (`capacity` less what `assignment` uses), in the
 * greedy's order or (unless `quick`) fewest units first.
 */
function countStarts(
  servers: readonly Server[],
  assignment: Assignment,
  greedy: Assignment,
  priority: number,
  capacity: ReadonlyMap<string, number>,
  bestEffort: ReadonlyMap<string, Allocation>,
  quick: boolean,
): Start[] {
  const left = new Map(capacity);
  subtract(left, unitsUsed(servers, assignment));
  const group = servers.filter((server, index) => server.s.priority === priority && !assignment[index]);
  const inGreedyOrder = solveGreedy(
    group.map((server) => server.s),
    new Map(left),
    { delayedBestEffort: false, saturationPolicy: 'None' },
  );
  return [
    { assignment: restrictTo(servers, greedy, (server) => server.s.priority <= priority && !bestEffort.has(server.s.server)), from: 'greedy' },
    { assignment: withGroup(servers, assignment, assignmentOf(servers, inGreedyOrder)), from: 'heuristic' },
    ...(quick ? [] : [{ assignment: withGroup(servers, assignment, fewestUnitsFirst(servers, group, left)), from: 'heuristic' as const }]),
  ];
}

/**
 * The LP relaxation's solution as a start. A count stage: the servers it serves integrally keep
 * their place; higher priorities' other servers take their place in `start` (which meets their
 * counts), room made for them where needed; the stage's own servers left out are added
 * fewest units first, then where served servers can move to other types to make room for them
 * (withRoomMade). The cost stage: `start`'s
 * servers move to their place in the relaxation where it fits, then to cheaper candidates.
 */
function completeRounding(
  servers: readonly Server[],
  layout: Layout,
  values: readonly number[],
  /** the stage's start: feasible, meets every count held */
  start: Assignment,
  stage: StageKind,
  capacity: ReadonlyMap<string, number>,
  bestEffort: ReadonlyMap<string, Allocation>,
): Assignment {
  const integral = (value: number) => Math.abs(value - Math.round(value)) <= 1e-6;
  const rounded: Assignment = servers.map(() => undefined);
  for (const [index, columns] of layout.servers.entries()) {
    if (!columns) continue;
    const all = [...columns.parts.map((p) => p.column), ...(columns.served !== undefined ? [columns.served] : [])];
    if (!all.every((column) => integral(values[column]))) continue;
    if (columns.served !== undefined && values[columns.served] < 0.5) continue;
    const parts = columns.parts
      .filter((p) => values[p.column] > 0.5)
      .map((p) => ({ candidate: p.candidate, replicas: columns.served !== undefined ? Math.round(values[p.column]) : p.candidate.numReplicas }));
    if (parts.length > 0) rounded[index] = parts;
  }
  if (stage.kind === 'cost') return cheaperMoves(servers, movedTowards(servers, start, rounded, capacity), capacity);
  const assignment: Assignment = servers.map(() => undefined);
  const left = new Map(capacity);
  const place = (index: number, parts: readonly Part[]) => {
    const needed = partsUnits(parts);
    if ([...needed].some(([type, units]) => units > (left.get(type) ?? 0))) return false;
    subtract(left, needed);
    assignment[index] = [...parts];
    return true;
  };
  const remove = (index: number) => {
    for (const [type, units] of partsUnits(assignment[index] ?? [])) left.set(type, (left.get(type) ?? 0) + units);
    assignment[index] = undefined;
  };
  // The integral servers fit together (the relaxation's solution does).
  for (const [index, parts] of rounded.entries()) if (parts) place(index, parts);
  // Higher priorities keep their counts: their other servers take their place in the start,
  // making room by taking out servers of the stage's own priority, largest first.
  const own = (type: string) =>
    [...servers.keys()]
      .filter((index) => servers[index].s.priority === stage.priority && assignment[index]?.some((part) => part.candidate.acceleratorType === type))
      .sort((a, b) => (partsUnits(assignment[b] ?? []).get(type) ?? 0) - (partsUnits(assignment[a] ?? []).get(type) ?? 0) || a - b);
  const evictable = (type: string) => own(type).reduce((sum, index) => sum + (partsUnits(assignment[index] ?? []).get(type) ?? 0), 0);
  for (const [index, parts] of start.entries()) {
    if (!parts || assignment[index] || servers[index].s.priority >= stage.priority || place(index, parts)) continue;
    // its place in the start, or any candidate: the one that takes out the fewest units
    const options = [parts, ...servers[index].candidates.map((candidate) => [{ candidate, replicas: candidate.numReplicas }])];
    let best: { parts: readonly Part[]; deficit: number } | undefined;
    for (const option of options) {
      let deficit = 0;
      let possible = true;
      for (const [type, units] of partsUnits(option)) {
        const short = units - (left.get(type) ?? 0);
        if (short > 0 && short > evictable(type)) possible = false;
        deficit += Math.max(short, 0);
      }
      if (possible && (!best || deficit < best.deficit)) best = { parts: option, deficit };
    }
    if (!best) continue;
    for (const [type, units] of partsUnits(best.parts)) {
      for (const other of own(type)) {
        if ((left.get(type) ?? 0) >= units) break;
        remove(other);
      }
    }
    place(index, best.parts);
  }
  const group = servers.filter((server, index) => server.s.priority === stage.priority && !assignment[index] && !bestEffort.has(server.s.server));
  for (const [index, parts] of fewestUnitsFirst(servers, group, left).entries()) if (parts) assignment[index] = parts;
  return withRoomMade(servers, assignment, group, left);
}

/** Checks of a server that might make room, per server of the program, that withRoomMade may take. */
const ROOM_CHECKS_PER_SERVER = 50;

/**
 * `assignment` (consumed, with `left` the capacity it leaves) serving more of `group`: where a
 * server of the group fits nowhere, a served server that holds units of a type it needs moves
 * to one of its own candidates of another type that fits, when that frees enough. The moved
 * server stays served, so every count holds. The work is bounded (ROOM_CHECKS_PER_SERVER).
 */
function withRoomMade(servers: readonly Server[], assignment: Assignment, group: readonly Server[], left: Map<string, number>): Assignment {
  const indexOf = new Map(servers.map((server, index) => [server, index]));
  // per type, the servers on one whole candidate of it (a server that moved away is skipped when met)
  const holders = new Map<string, number[]>();
  const hold = (index: number, type: string) => {
    const list = holders.get(type);
    if (list) list.push(index);
    else holders.set(type, [index]);
  };
  for (const [index, parts] of assignment.entries()) if (parts && isWhole(parts)) hold(index, parts[0].candidate.acceleratorType);
  const fits = (c: Candidate) => unitsOf(c) <= (left.get(c.acceleratorType) ?? 0);
  const take = (index: number, c: Candidate) => {
    left.set(c.acceleratorType, (left.get(c.acceleratorType) ?? 0) - unitsOf(c));
    assignment[index] = [{ candidate: c, replicas: c.numReplicas }];
    hold(index, c.acceleratorType);
  };
  let checks = ROOM_CHECKS_PER_SERVER * servers.length;
  for (const server of group) {
    const index = indexOf.get(server) as number;
    if (assignment[index]) continue;
    const options = [...server.candidates].sort((a, b) => unitsOf(a) - unitsOf(b));
    const direct = options.find(fits);
    if (direct) {
      take(index, direct);
      continue;
    }
    for (const c of options) {
      const type = c.acceleratorType;
      // Servers on this type move elsewhere, one by one, until the units it needs are free; else they move back.
      const moved: { other: number; parts: Part[] }[] = [];
      for (const other of holders.get(type) ?? []) {
        if (unitsOf(c) <= (left.get(type) ?? 0) || checks-- <= 0) break;
        const parts = assignment[other];
        if (!parts || !isWhole(parts) || parts[0].candidate.acceleratorType !== type) continue;
        const elsewhere = servers[other].candidates.find((alternative) => alternative.acceleratorType !== type && fits(alternative));
        if (!elsewhere) continue;
        left.set(type, (left.get(type) ?? 0) + unitsOf(parts[0].candidate));
        take(other, elsewhere);
        moved.push({ other, parts });
      }
      if (unitsOf(c) <= (left.get(type) ?? 0)) {
        take(index, c);
        break;
      }
      for (const { other, parts } of moved.reverse()) {
        const elsewhere = (assignment[other] as Part[])[0].candidate;
        left.set(elsewhere.acceleratorType, (left.get(elsewhere.acceleratorType) ?? 0) + unitsOf(elsewhere));
        left.set(type, (left.get(type) ?? 0) - unitsOf(parts[0].candidate));
        assignment[other] = parts;
      }
      if (checks <= 0) return assignment;
    }
  }
  return assignment;
}

/** Whether a server's parts are one candidate as sized (not split, not fewer replicas). */
function isWhole(parts: readonly Part[]): boolean {
  return parts.length === 1 && parts[0].replicas === parts[0].candidate.numReplicas;
}

/** `assignment` with each server moved to its place in `target` where that fits (a few passes). */
function movedTowards(servers: readonly Server[], assignment: Assignment, target: Assignment, capacity: ReadonlyMap<string, number>): Assignment {
  return improved(servers, assignment, capacity, (index, current, fits) => {
    const parts = target[index];
    return parts && !samePlace(parts, current) && fits(parts) ? parts : undefined;
  });
}

/**
 * `assignment` with servers moved, a few passes in index order, to the parts `replacement`
 * offers them; `fits` says whether parts fit in what `capacity` leaves once the server's own
 * units are freed.
 */
function improved(
  servers: readonly Server[],
  assignment: Assignment,
  capacity: ReadonlyMap<string, number>,
  replacement: (index: number, current: readonly Part[], fits: (parts: readonly Part[]) => boolean) => readonly Part[] | undefined,
): Assignment {
  const moved = [...assignment];
  const left = new Map(capacity);
  subtract(left, unitsUsed(servers, moved));
  for (let pass = 0; pass < 3; pass++) {
    let changed = false;
    for (const [index, current] of moved.entries()) {
      if (!current) continue;
      const freed = partsUnits(current);
      const fits = (parts: readonly Part[]) => [...partsUnits(parts)].every(([type, units]) => units <= (left.get(type) ?? 0) + (freed.get(type) ?? 0));
      const next = replacement(index, current, fits);
      if (!next) continue;
      for (const [type, units] of freed) left.set(type, (left.get(type) ?? 0) + units);
      subtract(left, partsUnits(next));
      moved[index] = [...next];
      changed = true;
    }
    if (!changed) break;
  }
  return moved;
}

function samePlace(a: readonly Part[], b: readonly Part[]): boolean {
  return a.length === b.length && a.every((part, i) => part.candidate === b[i].candidate && part.replicas === b[i].replicas);
}

function withGroup(servers: readonly Server[], assignment: Assignment, added: Assignment): Assignment {
  return servers.map((_, index) => assignment[index] ?? added[index]);
}

/**
 * Serves `group` (at most `wanted` of it) in `left` (consumed), smallest first: a server's size is the least share of
 * what is left of a type that one of its candidates takes; each takes its candidate of least
 * share that still fits. Many small servers fit where few large ones would.
 */
function fewestUnitsFirst(servers: readonly Server[], group: readonly Server[], left: Map<string, number>, wanted = group.length): Assignment {
  const share = (c: Candidate) => {
    const units = left.get(c.acceleratorType) ?? 0;
    return units > 0 ? unitsOf(c) / units : Number.POSITIVE_INFINITY;
  };
  const size = (server: Server) => Math.min(Number.POSITIVE_INFINITY, ...server.candidates.map(share));
  const sized = group.map((server) => ({ server, size: size(server) })).filter((entry) => Number.isFinite(entry.size));
  sized.sort((a, b) => a.size - b.size || byName(a.server.s.server, b.server.s.server));
  const chosen = new Map<Server, Candidate>();
  for (const { server } of sized) {
    if (chosen.size >= wanted) break;
    let best: Candidate | undefined;
    for (const c of server.candidates) {
      if (unitsOf(c) <= (left.get(c.acceleratorType) ?? 0) && (!best || share(c) < share(best))) best = c;
    }
    if (!best) continue;
    left.set(best.acceleratorType, (left.get(best.acceleratorType) ?? 0) - unitsOf(best));
    chosen.set(server, best);
  }
  return servers.map((server) => {
    const candidate = chosen.get(server);
    return candidate ? [{ candidate, replicas: candidate.numReplicas }] : undefined;
  });
}

/**
 * `assignment` with servers moved to cheaper candidates that fit in what `capacity` leaves,
 * a few passes in name order: a better start for the cost stage. Split servers stay as they are.
 */
function cheaperMoves(servers: readonly Server[], assignment: Assignment, capacity: ReadonlyMap<string, number>): Assignment {
  return improved(servers, assignment, capacity, (index, parts, fits) => {
    if (!isWhole(parts)) return undefined;
    const current = parts[0].candidate;
    // candidates are in value order: the first that fits is the cheapest
    for (const candidate of servers[index].candidates) {
      if (candidate.value >= current.value) return undefined;
      const whole = [{ candidate, replicas: candidate.numReplicas }];
      if (fits(whole)) return whole;
    }
    return undefined;
  });
}

function giveBestEffort(
  group: ServerCandidates[],
  left: Map<string, number>,
  assignment: Assignment,
  servers: readonly Server[],
  policy: SaturationPolicy,
  bestEffort: Map<string, Allocation>,
  reserved: Map<string, number>,
): void {
  if (group.length === 0 || policy === 'None') return;
  subtract(left, unitsUsed(servers, assignment));
  const before = new Map(left);
  allocateBestEffort(group, left, policy, bestEffort);
  for (const [type, units] of before) {
    const taken = units - (left.get(type) ?? 0);
    if (taken > 0) reserved.set(type, (reserved.get(type) ?? 0) + taken);
  }
}

/**
 * The candidates a stage needs of a server, those it can use within `capacity`. Count stages
 * need, per accelerator type, only what serves with the fewest units (value does not count);
 * the cost stage drops candidates dominated by one of the same type with no more units (per
 * replica and no less rate, when replicas may split) and no more value. A current accelerator
 * is kept: leaving it has a price of its own.
 */
function stageCandidates(server: Server, stage: StageKind, capacity: ReadonlyMap<string, number>, heterogeneous: boolean): Candidate[] {
  const usable = server.candidates.filter((c) => fitsAtAll(c, capacity, heterogeneous));
  const byType = new Map<string, Candidate[]>();
  for (const candidate of usable) {
    const group = byType.get(candidate.acceleratorType);
    if (group) group.push(candidate);
    else byType.set(candidate.acceleratorType, [candidate]);
  }
  const price = (c: Candidate) => (heterogeneous ? (server.pricing.perReplica.get(c) ?? 0) : c.value);
  const kept: Candidate[] = [];
  for (const group of byType.values()) {
    // `group` is in value order, ties by name: an earlier candidate wins a tie.
    for (const [i, c] of group.entries()) {
      if (stage.kind === 'cost' && server.pricing.current.some((g) => g.accelerator === c.accelerator)) {
        kept.push(c);
        continue;
      }
      const dominated = group.some((d, j) => {
        if (d === c) return false;
        const units = heterogeneous ? d.unitsPerReplica <= c.unitsPerReplica && d.maxRatePerReplica >= c.maxRatePerReplica : unitsOf(d) <= unitsOf(c);
        if (!units) return false;
        if (stage.kind === 'cost' && price(d) > price(c)) return false;
        const strictly = heterogeneous
          ? d.unitsPerReplica < c.unitsPerReplica || d.maxRatePerReplica > c.maxRatePerReplica
          : unitsOf(d) < unitsOf(c);
        return strictly || (stage.kind === 'cost' && price(d) < price(c)) || j < i;
      });
      if (!dominated) kept.push(c);
    }
  }
  return kept;
}

function buildLayout(
  servers: readonly Server[],
  stage: StageKind,
  capacity: ReadonlyMap<string, number>,
  counts: ReadonlyMap<number, number>,
  /** servers given best effort already: they are not served within SLO any more */
  bestEffort: ReadonlyMap<string, Allocation>,
  heterogeneous: boolean,
): Layout {
  const cost: number[] = [];
  const upper: number[] = [];
  const rows: MipRow[] = [];
  const capacityRows = new Map<string, MipRow>();
  const countRows = new Map<number, MipRow>();
  const column = (objective: number, bound: number) => {
    upper.push(bound);
    return cost.push(objective) - 1;
  };
  const addTerm = (row: MipRow, index: number, value: number) => {
    row.indices.push(index);
    row.values.push(value);
  };
  const capacityRow = (type: string) => {
    let row = capacityRows.get(type);
    if (!row) {
      row = { lower: -UNBOUNDED, upper: capacity.get(type) ?? 0, indices: [], values: [] };
      capacityRows.set(type, row);
    }
    return row;
  };
  const countRow = (priority: number) => {
    let row = countRows.get(priority);
    if (!row) {
      row = { lower: counts.get(priority) ?? 0, upper: UNBOUNDED, indices: [], values: [] };
      countRows.set(priority, row);
    }
    return row;
  };
  const inStage = (server: Server) => (stage.kind === 'cost' || server.s.priority <= stage.priority) && !bestEffort.has(server.s.server);
  const counted = (server: Server) => stage.kind === 'count' && server.s.priority === stage.priority;
  const held = (server: Server) => (stage.kind === 'cost' || server.s.priority < stage.priority) && (counts.get(server.s.priority) ?? 0) > 0;

  const layout: (ServerColumns | undefined)[] = servers.map((server) => {
    if (!inStage(server)) return undefined;
    const candidates = stageCandidates(server, stage, capacity, heterogeneous);
    if (candidates.length === 0) return undefined;
    const columns: ServerColumns = { parts: [] };
    if (!heterogeneous) {
      const choice: MipRow = { lower: 0, upper: 1, indices: [], values: [] };
      for (const candidate of candidates) {
        const index = column(stage.kind === 'cost' ? candidate.value : counted(server) ? 1 : 0, 1);
        columns.parts.push({ column: index, candidate });
        addTerm(choice, index, 1);
        addTerm(capacityRow(candidate.acceleratorType), index, unitsOf(candidate));
        if (held(server)) addTerm(countRow(server.s.priority), index, 1);
      }
      if (candidates.length > 1) rows.push(choice);
      return columns;
    }
    const { pricing } = server;
    const costStage = stage.kind === 'cost';
    const canStay = (g: CurrentGroup) => candidates.some((c) => c.accelerator === g.accelerator);
    const canMove = (g: CurrentGroup) => candidates.some((c) => c.accelerator !== g.accelerator);
    // Unable to stay, a served server moves every replica of the group.
    const leaving = pricing.current.filter((g) => !canStay(g)).reduce((sum, g) => sum + g.perMovedReplica * g.replicas, 0);
    const served = column(costStage ? pricing.base + leaving : counted(server) ? 1 : 0, 1);
    columns.served = served;
    if (held(server)) addTerm(countRow(server.s.priority), served, 1);
    const load: MipRow = { lower: 0, upper: UNBOUNDED, indices: [served], values: [-candidates[0].totalRate] };
    // No split takes fewer replicas in all than the fewest one accelerator takes alone: the
    // rates imply it, and it carries minNumReplicas (which every candidate's count respects).
    const replicas: MipRow = { lower: 0, upper: UNBOUNDED, indices: [served], values: [-server.fewestReplicas] };
    for (const candidate of candidates) {
      const index = column(costStage ? (pricing.perReplica.get(candidate) ?? 0) : 0, candidate.numReplicas);
      columns.parts.push({ column: index, candidate });
      addTerm(load, index, candidate.maxRatePerReplica);
      addTerm(replicas, index, 1);
      rows.push({ lower: -UNBOUNDED, upper: 0, indices: [index, served], values: [1, -candidate.numReplicas] });
      addTerm(capacityRow(candidate.acceleratorType), index, candidate.unitsPerReplica);
    }
    rows.push(load, replicas);
    for (const group of costStage ? pricing.current : []) {
      if (!canStay(group) || !canMove(group)) continue;
      // moves = 1 when a replica goes elsewhere (one row per accelerator: a tighter relaxation
      // than one row for all); then movedReplicas ≥ the group's replicas − those that stay.
      const moves = column(0, 1);
      const staying = columns.parts.find((part) => part.candidate.accelerator === group.accelerator) as { column: number };
      for (const part of columns.parts) {
        if (part.candidate.accelerator !== group.accelerator) rows.push({ lower: -UNBOUNDED, upper: 0, indices: [part.column, moves], values: [1, -upper[part.column]] });
      }
      const moved = column(group.perMovedReplica, group.replicas);
      rows.push({ lower: 0, upper: UNBOUNDED, indices: [moved, staying.column, moves], values: [1, 1, -group.replicas] });
      (columns.moves ??= []).push({ group, moves, movedReplicas: moved });
    }
    return columns;
  });
  rows.push(...capacityRows.values(), ...countRows.values());
  return {
    model: { sense: stage.kind === 'cost' ? 'minimize' : 'maximize', cost, lower: new Array<number>(cost.length).fill(0), upper, rows },
    servers: layout,
  };
}

/**
 * Column values for `assignment`, each part moved onto a stage column that serves as well with
 * no more units (a column of the part's own candidate when the stage has it), so that the
 * values stay feasible.
 */
function startValues(layout: Layout, assignment: Assignment, heterogeneous: boolean): number[] {
  const values = new Array<number>(layout.model.cost.length).fill(0);
  for (const [index, columns] of layout.servers.entries()) {
    const parts = assignment[index];
    if (!columns || !parts) continue;
    for (const part of parts) {
      const target = standIn(columns, part.candidate, heterogeneous);
      if (!target) continue;
      const limit = heterogeneous ? target.candidate.numReplicas : 1;
      values[target.column] = Math.min(values[target.column] + (heterogeneous ? part.replicas : 1), limit);
    }
    if (columns.served !== undefined) values[columns.served] = 1;
    for (const { group, moves, movedReplicas: moved } of columns.moves ?? []) {
      const away = parts.some((part) => part.candidate.accelerator !== group.accelerator);
      values[moves] = away ? 1 : 0;
      values[moved] = away ? movedReplicas(parts, group) : 0;
    }
  }
  return values;
}

/** The column that stands in for `candidate`: its own, or one of its type that does at least as well with no more units. */
function standIn(columns: ServerColumns, candidate: Candidate, heterogeneous: boolean): { column: number; candidate: Candidate } | undefined {
  const own = columns.parts.find((p) => p.candidate === candidate);
  if (own) return own;
  return columns.parts.find(
    (p) =>
      p.candidate.acceleratorType === candidate.acceleratorType &&
      (heterogeneous
        ? p.candidate.unitsPerReplica <= candidate.unitsPerReplica && p.candidate.maxRatePerReplica >= candidate.maxRatePerReplica
        : unitsOf(p.candidate) <= unitsOf(candidate)),
  );
}

function readAssignment(layout: Layout, values: readonly number[], size: number): Assignment {
  const assignment: Assignment = new Array(size).fill(undefined);
  for (const [index, columns] of layout.servers.entries()) {
    if (!columns) continue;
    if (columns.served !== undefined && values[columns.served] < 0.5) continue;
    const parts = columns.parts
      .filter((p) => values[p.column] > 0.5)
      // a single-assignment column is a choice: the candidate's replicas as sized
      .map((p) => ({ candidate: p.candidate, replicas: columns.served !== undefined ? values[p.column] : p.candidate.numReplicas }));
    if (parts.length > 0) assignment[index] = parts;
  }
  return assignment;
}

function allocationOf(parts: readonly Part[], pricing: Pricing, heterogeneous: boolean): Allocation {
  if (!heterogeneous || isWhole(parts)) {
    return { ...parts[0].candidate, bestEffort: false };
  }
  return placedAllocation(parts, partsValue(parts, pricing));
}

/**
 * Replicas on several accelerators (or, within the solver's tolerance, another count than the
 * candidate's on one): the load is spread in proportion to what each can take.
 */
function placedAllocation(placed: readonly Part[], value: number): Allocation {
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
  const weight = (metric: (p: ReplicaPlacement) => number) =>
    totalRate > 0 ? placements.reduce((sum, p) => sum + metric(p) * p.share, 0) / totalRate : metric(placements[0]);
  const cost = f32(placements.reduce((sum, p) => sum + p.cost, 0));
  return {
    ...main,
    numReplicas: placements.reduce((sum, p) => sum + p.numReplicas, 0),
    cost,
    value: f32(value),
    itl: weight((p) => p.itl),
    ttft: weight((p) => p.ttft),
    bestEffort: false,
    ...(placements.length > 1 ? { placements } : {}),
  };
}

/** Servers within SLO per priority (in `priorities` order). */
function servedByPriority(servers: readonly ServerCandidates[], allocations: ReadonlyMap<string, Allocation>, priorities: readonly number[]): number[] {
  const served = new Map<number, number>(priorities.map((p) => [p, 0]));
  for (const server of servers) {
    const allocation = allocations.get(server.server);
    if (allocation && !allocation.bestEffort) served.set(server.priority, (served.get(server.priority) ?? 0) + 1);
  }
  return priorities.map((p) => served.get(p) ?? 0);
}

/** What both solvers minimise: the value of the allocations within SLO. */
function answerValue(servers: readonly ServerCandidates[], allocations: ReadonlyMap<string, Allocation>): number {
  let value = 0;
  for (const server of servers) {
    const allocation = allocations.get(server.server);
    if (allocation && !allocation.bestEffort) value += allocation.value;
  }
  return value;
}

/** Lexicographic: positive when `a` serves more, priority by priority (highest first). */
function compareServed(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** How many names of the servers holding a type an explanation lists. */
const HOLDERS_NAMED = 3;

/**
 * For each server the MILP's answer gives nothing within SLO, each candidate's units against
 * what the answer leaves it: capacity less what servers of higher priority hold (best effort
 * included) and what served servers of its own priority hold; and who of higher priority holds it.
 */
function milpRefusals(servers: readonly Server[], allocations: ReadonlyMap<string, Allocation>, capacity: ReadonlyMap<string, number>): Map<string, CapacityRefusal[]> {
  interface Holder {
    server: string;
    priority: number;
    units: number;
    withinSLO: boolean;
  }
  const holders = new Map<string, Holder[]>();
  for (const server of servers) {
    const allocation = allocations.get(server.s.server);
    if (!allocation) continue;
    const placed = allocation.placements ?? [{ accelerator: allocation.accelerator, numReplicas: allocation.numReplicas }];
    for (const placement of placed) {
      const candidate = server.s.candidates.find((c) => c.accelerator === placement.accelerator);
      if (!candidate) continue;
      const list = holders.get(candidate.acceleratorType) ?? [];
      list.push({ server: server.s.server, priority: server.s.priority, units: placement.numReplicas * candidate.unitsPerReplica, withinSLO: !allocation.bestEffort });
      holders.set(candidate.acceleratorType, list);
    }
  }
  for (const list of holders.values()) list.sort((a, b) => b.units - a.units || byName(a.server, b.server));
  // Units held and holders named, per type and priority, computed once.
  const cache = new Map<string, { held: number; higher: string[]; higherCount: number }>();
  const heldFor = (type: string, priority: number) => {
    const key = `${type}\u0000${priority}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = { held: 0, higher: [], higherCount: 0 };
      for (const holder of holders.get(type) ?? []) {
        if (holder.priority < priority) {
          entry.held += holder.units;
          entry.higherCount++;
          if (entry.higher.length < HOLDERS_NAMED) entry.higher.push(holder.server);
        } else if (holder.priority === priority && holder.withinSLO) entry.held += holder.units;
      }
      cache.set(key, entry);
    }
    return entry;
  };
  const refusals = new Map<string, CapacityRefusal[]>();
  for (const server of servers) {
    const allocation = allocations.get(server.s.server);
    if (allocation && !allocation.bestEffort) continue;
    const list = server.s.candidates
      .filter((c) => c.accelerator !== '')
      .map((c): CapacityRefusal => {
        const { held, higher, higherCount } = heldFor(c.acceleratorType, server.s.priority);
        return {
          accelerator: c.accelerator,
          acceleratorType: c.acceleratorType,
          unitsNeeded: unitsOf(c),
          unitsLeft: Math.max((capacity.get(c.acceleratorType) ?? 0) - held, 0),
          ...(higherCount > 0 ? { heldBy: { servers: higher, count: higherCount } } : {}),
        };
      });
    refusals.set(server.s.server, list);
  }
  return refusals;
}
