/**
 * Candidate allocations: for every server and accelerator, the replicas and batch size that
 * meet the server's SLOs, their cost, and their value (the transition penalty from the current
 * allocation), or the reason there is none.
 */
import type { RequestSize } from './analyzer.js';
import { f32 } from './float32.js';
import { Infeasible, type Result } from './infeasible.js';
import { MAX_BATCH_SIZE, MAX_REPLICAS } from './limits.js';
import { NO_USABLE_PARAMETERS, SizingCache, zeroLoadFigures, type ReplicaModel, type SizingInputs } from './perf-models.js';
import type { EvaluationCounter } from './queue-model.js';
import { FLOAT32_MAX, type AcceleratorSpec, type ModelAcceleratorPerfData, type ModelTarget, type ServerSpec } from './schemas.js';
import { byName, LOWEST_PRIORITY, serviceClassOf, sortedValues, type ReadonlyDeep, type SystemView } from './system.js';

/** Share of the combined cost charged when an allocation moves to another accelerator. */
export const ACCELERATOR_PENALTY_FACTOR = f32(0.1);

export interface Candidate {
  /** '' for the zero-replica allocation of a server without load */
  accelerator: string;
  acceleratorType: string;
  numReplicas: number;
  batchSize: number;
  /** cents per hour (float32, as the reference computes it) */
  cost: number;
  /** what the solvers minimise: the transition penalty from the current allocation (float32) */
  value: number;
  /** ms, at the server's load spread over the replicas */
  itl: number;
  /** ms */
  ttft: number;
  rho: number;
  /** requests per second one replica can take within the SLOs */
  maxRatePerReplica: number;
  /** requests per second the server must take (from its arrival rate, or its TPS target) */
  totalRate: number;
  /** accelerator units (of its type) one replica takes: accCount × multiplicity */
  unitsPerReplica: number;
  /** the replica's queueing model; absent for zero-load candidates */
  analyzer?: ReplicaModel;
}

export interface RejectedAccelerator {
  accelerator: string;
  reason: string;
}

/** Orders candidates by value; equal values by accelerator name. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return a.value - b.value || byName(a.accelerator, b.accelerator);
}

/** Replicas on one accelerator, and their cost (cents per hour). */
interface ReplicaGroup {
  accelerator: string;
  numReplicas: number;
  cost: number;
}

/** An allocation as the transition penalty reads it: one group of replicas, or several (`placements`). */
export interface PenaltyAllocation extends ReplicaGroup {
  placements?: readonly ReplicaGroup[];
}

function groupsOf(allocation: PenaltyAllocation): readonly ReplicaGroup[] {
  return allocation.placements && allocation.placements.length > 0 ? allocation.placements : [allocation];
}

/** Cost of the groups whose accelerator `other` does not use. */
function costLeaving(groups: readonly ReplicaGroup[], other: readonly ReplicaGroup[]): number {
  return groups.reduce((sum, g) => (other.some((o) => o.accelerator === g.accelerator) ? sum : sum + f32(g.cost)), 0);
}

/**
 * The penalty for moving from the current allocation to `to`: 0 when every accelerator keeps
 * its replica count; otherwise the cost difference, plus a share (0.1) of the cost of the
 * replicas on accelerators only one side uses (torn down, or started). For allocations on one
 * accelerator each this is the reference's rule: a change of accelerator adds a share of both
 * costs, a change of replica count alone adds nothing. A split current allocation (placements)
 * is charged for the groups that move, not as if all its replicas were on its main accelerator.
 */
export function transitionPenalty(from: PenaltyAllocation, to: PenaltyAllocation): number {
  if (!from.placements?.length && !to.placements?.length) {
    // one group on each side (every candidate): the same sums as below, without their arrays
    const kept = from.accelerator === to.accelerator;
    if (kept && from.numReplicas === to.numReplicas) return 0;
    return penalty(f32((kept ? 0 : 0 + f32(from.cost)) + (kept ? 0 : 0 + f32(to.cost))), from, to);
  }
  const fromGroups = groupsOf(from);
  const toGroups = groupsOf(to);
  const unchanged =
    fromGroups.length === toGroups.length &&
    fromGroups.every((g) => toGroups.some((t) => t.accelerator === g.accelerator && t.numReplicas === g.numReplicas));
  if (unchanged) return 0;
  return penalty(f32(costLeaving(fromGroups, toGroups) + costLeaving(toGroups, fromGroups)), from, to);
}

/** A share of the cost `moved` between accelerators, plus the cost difference (float32). */
function penalty(moved: number, from: ReplicaGroup, to: ReplicaGroup): number {
  return f32(f32(ACCELERATOR_PENALTY_FACTOR * moved) + f32(to.cost - f32(from.cost)));
}

export interface CandidateOptions {
  counter?: EvaluationCounter;
}

/**
 * Candidates of every server, sorted by server name. Each server's candidates are sized when a
 * solver first asks for them (ServerCandidates), so that the greedy sizes only those it can
 * reach: a fleet's server mostly takes one of its two best, out of a candidate per accelerator.
 */
export function computeCandidates(system: SystemView, options: CandidateOptions = {}): ServerCandidates[] {
  const cache = new SizingCache();
  const accelerators = sortedValues(system.accelerators);
  return sortedValues(system.servers).map((server) => serverCandidates(system, server, accelerators, cache, options));
}

type Accelerator = ReadonlyDeep<AcceleratorSpec>;

/**
 * A candidate whose sizing (the queue solutions: nearly all the work) waits until it is asked
 * for, with the least value it can have. A class of plain fields: a fleet holds one for most of
 * its server × accelerator pairs.
 */
class UnsizedCandidate {
  constructor(
    /** the accelerator's place in name order: rejections are listed in that order */
    readonly order: number,
    readonly acc: Accelerator,
    /** a lower bound of the candidate's value: the fewest replicas the stable range allows */
    readonly leastValue: number,
    private readonly inputs: SizingInputs,
    private readonly instances: number,
    private readonly totalRate: number,
    private readonly context: AcceleratorContext,
  ) {}

  /** The candidate, or why there is none. */
  size(): Result<Candidate> {
    return sizedCandidate(this.acc, this.instances, this.totalRate, this.inputs, this.context);
  }
}

/** Orders unsized candidates by the least value they can have, then accelerator name (as compareCandidates). */
function compareUnsized(a: UnsizedCandidate, b: UnsizedCandidate): number {
  return a.leastValue - b.leastValue || byName(a.acc.name, b.acc.name);
}

/** Whether `unsized`, once sized, may come before `candidate` in value order. */
function mayPrecede(unsized: UnsizedCandidate, candidate: Candidate): boolean {
  return unsized.leastValue < candidate.value || (unsized.leastValue === candidate.value && byName(unsized.acc.name, candidate.accelerator) < 0);
}

interface Rejection extends RejectedAccelerator {
  order: number;
}

/**
 * One server's candidates, sorted by value then accelerator name, and the accelerators it cannot
 * use and why. The candidates are sized lazily, by the least value each can have: `candidateAt(i)`
 * sizes only until no unsized candidate can come before the i-th, so a solver that reads a
 * server's first candidates sizes few. `candidates` and `rejected` size them all. Whatever is
 * asked, the answers are those of sizing every candidate at once.
 */
export class ServerCandidates {
  /** set when a rule about the server itself leaves it without candidates */
  reason?: string;
  /** sized, in value order */
  private readonly sized: Candidate[] = [];
  /** not sized yet, by least value from `nextUnsized` on */
  private readonly unsized: UnsizedCandidate[] = [];
  private nextUnsized = 0;
  /** in the order found; `rejected` sorts them */
  private readonly rejections: Rejection[] = [];
  /** the accelerator of every candidate ('' for the empty one), sized or not, and of every rejection, in name order */
  private readonly consideredAccelerators: string[] = [];

  constructor(
    readonly server: string,
    readonly priority: number,
    /** the accelerator of the current allocation ('' if none) */
    readonly currentAccelerator: string,
  ) {}

  /** The i-th candidate in value order (0 first), undefined past the last. */
  candidateAt(index: number): Candidate | undefined {
    while (this.nextUnsized < this.unsized.length && (index >= this.sized.length || mayPrecede(this.unsized[this.nextUnsized], this.sized[index]))) {
      this.sizeNext();
    }
    return this.sized[index];
  }

  /** All candidates, sorted by value then accelerator name. */
  get candidates(): readonly Candidate[] {
    this.sizeAll();
    return this.sized;
  }

  /** The accelerators without a candidate and why, in accelerator name order. */
  get rejected(): readonly RejectedAccelerator[] {
    this.sizeAll();
    return this.rejectionsFor(() => true);
  }

  /** Sizes every candidate not sized yet. */
  sizeAll(): void {
    while (this.nextUnsized < this.unsized.length) this.sizeNext();
  }

  /** The candidate on `accelerator`, if any; sizes all only when it is not sized yet. */
  candidateOn(accelerator: string): Candidate | undefined {
    const onIt = (candidate: Candidate) => candidate.accelerator === accelerator;
    return this.sized.find(onIt) ?? this.candidates.find(onIt);
  }

  /** The accelerators of the candidates and rejections (`candidates` and `rejected`), without sizing any. */
  get considered(): readonly string[] {
    return this.consideredAccelerators;
  }

  /** Accelerators rejected for `reason` found before sizing (NO_USABLE_PARAMETERS, say), in name order; sizes none. */
  rejectedBeforeSizing(reason: string): string[] {
    return this.rejectionsFor((r) => r.reason === reason).map((r) => r.accelerator);
  }

  /** Adds what an accelerator gives: a candidate, sized or not, or a rejection. */
  add(order: number, accelerator: string, outcome: Result<Candidate | UnsizedCandidate>): void {
    if (outcome instanceof Infeasible) {
      this.rejections.push({ order, accelerator, reason: outcome.reason });
      this.consideredAccelerators.push(accelerator);
    } else if (outcome instanceof UnsizedCandidate) {
      this.unsized.push(outcome);
      this.consideredAccelerators.push(accelerator);
    } else if (outcome.accelerator !== '' || this.sized.length === 0) {
      // Every accelerator gives a server without load the same empty allocation (accelerator ''): keep one.
      this.sized.push(outcome);
      this.consideredAccelerators.push(outcome.accelerator);
    }
  }

  /** Orders what `add` was given; called once, after the last. */
  sort(): void {
    this.sized.sort(compareCandidates);
    this.unsized.sort(compareUnsized);
  }

  private sizeNext(): void {
    const next = this.unsized[this.nextUnsized++];
    const outcome = next.size();
    if (outcome instanceof Infeasible) {
      this.rejections.push({ order: next.order, accelerator: next.acc.name, reason: outcome.reason });
      return;
    }
    let at = this.sized.length;
    while (at > 0 && compareCandidates(this.sized[at - 1], outcome) > 0) at--;
    this.sized.splice(at, 0, outcome);
  }

  private rejectionsFor(keep: (rejection: Rejection) => boolean): RejectedAccelerator[] {
    return this.rejections
      .filter(keep)
      .sort((a, b) => a.order - b.order)
      .map(({ accelerator, reason }) => ({ accelerator, reason }));
  }
}

function serverCandidates(
  system: SystemView,
  server: ReadonlyDeep<ServerSpec>,
  accelerators: readonly Accelerator[],
  cache: SizingCache,
  options: CandidateOptions,
): ServerCandidates {
  const className = serviceClassOf(server);
  const svc = system.serviceClasses.get(className);
  const result = new ServerCandidates(server.name, svc?.priority ?? LOWEST_PRIORITY, server.currentAlloc.accelerator);
  const target = svc?.targets.get(server.model);
  const perfByAccelerator = system.models.get(server.model);
  // The missing piece itself: an unknown model, not the class's lack of a target for it.
  if (!svc) result.reason = `service class ${className} not found`;
  else if (!perfByAccelerator) result.reason = `model ${server.model} not found`;
  else if (!target) result.reason = `service class ${className} has no SLO target for model ${server.model}`;
  if (!svc || !target || !perfByAccelerator) return result;

  const current = server.currentAlloc;
  let allowed = accelerators;
  if (server.keepAccelerator && current.accelerator !== '') {
    allowed = accelerators.filter((acc) => acc.name === current.accelerator);
    if (allowed.length === 0) {
      result.reason = `keepAccelerator: current accelerator ${current.accelerator} not found`;
      return result;
    }
  }

  const request = { inTokens: current.load.avgInTokens, outTokens: current.load.avgOutTokens };
  const context: AcceleratorContext = { server, target, request, cache, counter: options.counter };
  allowed.forEach((acc, order) => {
    const perf = perfByAccelerator.get(acc.name);
    result.add(order, acc.name, perf ? candidateOn(order, acc, perf, context) : new Infeasible(`no perf data for model ${server.model} on ${acc.name}`));
  });
  result.sort();
  return result;
}

interface AcceleratorContext {
  server: ReadonlyDeep<ServerSpec>;
  target: ReadonlyDeep<ModelTarget>;
  /** one for all the server's analyzers */
  request: RequestSize;
  cache: SizingCache;
  counter?: EvaluationCounter;
}

/**
 * The candidate allocation of `server` on `acc`, or why there is none; one that needs sizing is
 * returned unsized, with the least value it can have.
 */
function candidateOn(
  order: number,
  acc: Accelerator,
  perf: ReadonlyDeep<ModelAcceleratorPerfData>,
  context: AcceleratorContext,
): Result<Candidate | UnsizedCandidate> {
  const { server, target } = context;
  const current = server.currentAlloc;
  const load = current.load;
  const model = context.cache.modelOf(perf);
  const instances = perf.accCount > 0 ? perf.accCount : 1;

  const outTokens = load.avgOutTokens;
  const tps = f32(target['slo-tps']);
  // requests per second the server must take; the reference reads rates as float32, so one too
  // small for a float32 is no load at all
  const totalRate = outTokens === 0 ? 0 : tps > 0 ? f32(tps / outTokens) : f32(f32(load.arrivalRate) / 60);
  if (f32(load.arrivalRate) === 0 || totalRate === 0) {
    if (server.minNumReplicas === 0) {
      const empty = { accelerator: '', acceleratorType: '', unitsPerReplica: 0, numReplicas: 0, batchSize: 0, cost: 0 };
      return { ...empty, value: transitionPenalty(current, empty), itl: 0, ttft: 0, rho: 0, maxRatePerReplica: 0, totalRate: 0 };
    }
    const batchSize = server.maxBatchSize > 0 ? server.maxBatchSize : perf.maxBatchSize;
    const numReplicas = server.minNumReplicas;
    const placed = {
      accelerator: acc.name,
      acceleratorType: acc.type,
      unitsPerReplica: instances * acc.multiplicity,
      numReplicas,
      batchSize,
      cost: f32(f32(acc.cost) * instances * numReplicas),
    };
    // No load: the latencies of a single request, as the reference reports them.
    return withinRange({ ...placed, value: transitionPenalty(current, placed), ...zeroLoadFigures(model, batchSize), rho: 0, totalRate: 0 });
  }
  if (model.kind === 'none') return new Infeasible(NO_USABLE_PARAMETERS);

  const batchSize =
    server.maxBatchSize > 0 ? server.maxBatchSize : Math.max(Math.floor((perf.maxBatchSize * perf.atTokens) / outTokens), 1);
  if (batchSize > MAX_BATCH_SIZE) return new Infeasible(`batch size ${batchSize} exceeds the limit of ${MAX_BATCH_SIZE}`);
  const inputs: SizingInputs = {
    model,
    batchSize,
    queueSize: server.maxQueueSize ?? 0,
    request: context.request,
    targets: target,
    counter: context.counter,
  };
  // The value grows with the replicas, so the fewest the stable range allows bound it from below.
  // Sized at once where it need not grow: on a server's current accelerator (the value is 0 at the
  // current count, whatever the cost) and at a cost below 0 (the schema refuses one; a caller of
  // the core may not); and where the inputs make no model (sizing says why).
  const unitCost = f32(acc.cost) * instances;
  const onCurrent = current.accelerator === acc.name || (current.placements ?? []).some((p) => p.accelerator === acc.name);
  const bound = context.cache.maxRatePerReplicaBound(inputs);
  const fewestReplicas = Math.max(Math.ceil(totalRate / bound), server.minNumReplicas);
  const leastValue = transitionPenalty(current, { accelerator: acc.name, numReplicas: fewestReplicas, cost: f32(unitCost * fewestReplicas) });
  if (onCurrent || !(unitCost >= 0) || !(bound > 0 && bound < Infinity) || Number.isNaN(leastValue)) {
    return sizedCandidate(acc, instances, totalRate, inputs, context);
  }
  return new UnsizedCandidate(order, acc, leastValue, inputs, instances, totalRate, context);
}

/** The candidate on `acc` once sized: the replicas its sizing needs for the server's load, or why there are none. */
function sizedCandidate(acc: Accelerator, instances: number, totalRate: number, inputs: SizingInputs, context: AcceleratorContext): Result<Candidate> {
  const { server } = context;
  const { batchSize } = inputs;
  const sized = context.cache.replica(inputs).size();
  if (sized instanceof Infeasible) return sized;
  const { analyzer, maxRatePerReplica } = sized;
  const numReplicas = Math.max(Math.ceil(totalRate / maxRatePerReplica), server.minNumReplicas);
  if (!(numReplicas <= MAX_REPLICAS)) {
    return new Infeasible(`needs more than ${MAX_REPLICAS} replicas (${totalRate} requests/s at most ${maxRatePerReplica} per replica)`);
  }
  // at the rate each replica takes, at most the sized one (so the queue is stable)
  const metrics = analyzer.metricsAtRate(totalRate / numReplicas);
  const cost = f32(f32(acc.cost) * instances * numReplicas);
  const value = transitionPenalty(server.currentAlloc, { accelerator: acc.name, numReplicas, cost });
  return withinRange({
    accelerator: acc.name,
    acceleratorType: acc.type,
    unitsPerReplica: instances * acc.multiplicity,
    numReplicas,
    batchSize,
    cost,
    value,
    itl: metrics.itl,
    ttft: metrics.ttft,
    rho: metrics.rho,
    maxRatePerReplica,
    totalRate,
    analyzer,
  });
}

const RANGE_CHECKED = ['cost', 'value', 'itl', 'ttft', 'maxRatePerReplica'] as const;

/** A candidate whose cost, value or latencies do not fit a float32 (as answers carry them) is refused. */
function withinRange(candidate: Candidate): Result<Candidate> {
  const { cost, value, itl, ttft, maxRatePerReplica } = candidate;
  // the common case without a loop over names
  if (Math.abs(cost) <= FLOAT32_MAX && Math.abs(value) <= FLOAT32_MAX && Math.abs(itl) <= FLOAT32_MAX && Math.abs(ttft) <= FLOAT32_MAX && Math.abs(maxRatePerReplica) <= FLOAT32_MAX) {
    return candidate;
  }
  const field = RANGE_CHECKED.find((name) => !(Math.abs(candidate[name]) <= FLOAT32_MAX)) as (typeof RANGE_CHECKED)[number];
  return new Infeasible(`${field} ${candidate[field]} is beyond the float32 range of the answer`);
}
