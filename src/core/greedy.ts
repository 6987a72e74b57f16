/**
 * The reference's greedy solver for limited capacity. Servers are served in priority order;
 * within a priority, the server that would lose the most by missing its best candidate (the
 * largest value gap to its next one) goes first. A server whose candidate does not fit moves to
 * its next candidate; one with none left is unallocated and may get a best-effort allocation
 * under the saturation policy.
 */
import { type Candidate, type ServerCandidates } from './candidates.js';
import { f32 } from './float32.js';
import { MinHeap } from './heap.js';
import { bestEffortMetrics } from './perf-models.js';
import { FLOAT32_MAX, type SaturationPolicy } from './schemas.js';
import { byName } from './system.js';

/** Replicas of a heterogeneous allocation on one accelerator. */
export interface ReplicaPlacement {
  accelerator: string;
  numReplicas: number;
  batchSize: number;
  /** cents per hour */
  cost: number;
  /** ms, at this placement's share of the load */
  itl: number;
  ttft: number;
  /** requests per second sent to this placement */
  share: number;
}

/** A chosen allocation; best-effort ones have fewer replicas than their SLOs need. */
export interface Allocation extends Candidate {
  bestEffort: boolean;
  /** set when the replicas are split across accelerators */
  placements?: ReplicaPlacement[];
}

interface Entry {
  server: string;
  priority: number;
  /** sized as far as the greedy reads them */
  candidates: ServerCandidates;
  index: number;
  /** the candidate at `index` */
  candidate: Candidate;
  /** value lost if the current candidate is refused (float32) */
  delta: number;
}

export interface GreedyOptions {
  delayedBestEffort: boolean;
  saturationPolicy: SaturationPolicy;
  /** when given, records every candidate refused for lack of capacity, by server */
  refusals?: Map<string, CapacityRefusal[]>;
}

/** A candidate that did not fit: its type had fewer units left than it needed. */
export interface CapacityRefusal {
  accelerator: string;
  acceleratorType: string;
  unitsNeeded: number;
  unitsLeft: number;
  /** servers of higher priority holding units of the type: a few names, and how many in all */
  heldBy?: { servers: string[]; count: number };
}

/** Priority first, then the larger gap, then the larger current value; ties by server name. */
function compareEntries(a: Entry, b: Entry): number {
  return (
    a.priority - b.priority ||
    b.delta - a.delta ||
    b.candidate.value - a.candidate.value ||
    byName(a.server, b.server)
  );
}

/** Value lost by moving to the next candidate; the largest float32 when there is none, as in the reference. */
function gapAfter(candidates: ServerCandidates, index: number, current: Candidate): number {
  const next = candidates.candidateAt(index + 1);
  return next ? f32(next.value - current.value) : FLOAT32_MAX;
}

/**
 * Allocates within `capacity` (units by accelerator type), which it consumes.
 * Returns the allocation of each server that got one.
 */
export function solveGreedy(
  servers: readonly ServerCandidates[],
  capacity: Map<string, number>,
  options: GreedyOptions,
): Map<string, Allocation> {
  const allocations = new Map<string, Allocation>();
  const entries = entriesOf(servers);

  const context: Context = { capacity, allocations, policy: options.saturationPolicy, refusals: options.refusals };
  if (options.delayedBestEffort) {
    bestEffort(allocateWithinSLOs(entries, context), context);
  } else {
    for (const group of priorityGroups(entries)) bestEffort(allocateWithinSLOs(group, context), context);
  }
  return allocations;
}

function entriesOf(servers: readonly ServerCandidates[]): Entry[] {
  const entries: Entry[] = [];
  for (const s of servers) {
    const candidate = s.candidateAt(0);
    if (candidate) entries.push({ server: s.server, priority: s.priority, candidates: s, index: 0, candidate, delta: gapAfter(s, 0, candidate) });
  }
  return entries.sort(compareEntries);
}

/**
 * Best-effort allocations for servers left without one, taken in the greedy's order, from
 * `capacity` (consumed); adds them to `allocations`.
 */
export function allocateBestEffort(
  servers: readonly ServerCandidates[],
  capacity: Map<string, number>,
  policy: SaturationPolicy,
  allocations: Map<string, Allocation>,
): void {
  bestEffort(entriesOf(servers), { capacity, allocations, policy });
}

interface Context {
  capacity: Map<string, number>;
  allocations: Map<string, Allocation>;
  policy: SaturationPolicy;
  refusals?: Map<string, CapacityRefusal[]>;
}

function available(context: Context, type: string): number {
  return context.capacity.get(type) ?? 0;
}

function take(context: Context, type: string, units: number): void {
  context.capacity.set(type, available(context, type) - units);
}

/**
 * Gives each server its best candidate that fits; returns the servers none fitted, in order.
 * A server refused moves to its next candidate and waits its turn again: the heap keeps the
 * order of compareEntries (a strict total order, by server name last) in O(log n) a step.
 */
function allocateWithinSLOs(sorted: readonly Entry[], context: Context): Entry[] {
  const queue = new MinHeap(compareEntries);
  for (const entry of sorted) queue.push(entry);
  const unallocated: Entry[] = [];
  for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) {
    const candidate = entry.candidate;
    // A server without load needs no replicas: nothing to allocate.
    if (candidate.accelerator === '') continue;
    const units = candidate.numReplicas * candidate.unitsPerReplica;
    if (available(context, candidate.acceleratorType) >= units) {
      take(context, candidate.acceleratorType, units);
      context.allocations.set(entry.server, { ...candidate, bestEffort: false });
      continue;
    }
    if (context.refusals) {
      const refusal: CapacityRefusal = {
        accelerator: candidate.accelerator,
        acceleratorType: candidate.acceleratorType,
        unitsNeeded: units,
        unitsLeft: available(context, candidate.acceleratorType),
      };
      context.refusals.set(entry.server, [...(context.refusals.get(entry.server) ?? []), refusal]);
    }
    entry.index++;
    const next = entry.candidates.candidateAt(entry.index);
    if (!next) {
      unallocated.push(entry);
      continue;
    }
    entry.candidate = next;
    entry.delta = gapAfter(entry.candidates, entry.index, next);
    queue.push(entry);
  }
  return unallocated;
}

/** Consecutive runs of equal priority in a priority-sorted list. */
function priorityGroups(sorted: readonly Entry[]): Entry[][] {
  const groups: Entry[][] = [];
  for (const entry of sorted) {
    const last = groups[groups.length - 1];
    if (last && last[0].priority === entry.priority) last.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

function bestEffort(unallocated: Entry[], context: Context): void {
  switch (context.policy) {
    case 'PriorityExhaustive':
      allocateExhaustively(unallocated, context);
      break;
    case 'PriorityRoundRobin':
      for (const group of priorityGroups(unallocated)) allocateRoundRobin(group, context);
      break;
    case 'RoundRobin':
      allocateRoundRobin(unallocated, context);
      break;
    case 'None':
      break;
  }
}

/**
 * A candidate cut down to `numReplicas`, its cost and value scaled alike (float32), with the
 * latencies of the replicas it gets where its model can tell (perf-models.ts).
 */
function reduced(candidate: Candidate, numReplicas: number): Allocation {
  const factor = f32(numReplicas / candidate.numReplicas);
  return {
    ...candidate,
    numReplicas,
    cost: f32(candidate.cost * factor),
    value: f32(candidate.value * factor),
    ...bestEffortMetrics(candidate, numReplicas),
    bestEffort: true,
  };
}

function replicasThatFit(context: Context, candidate: Candidate): number {
  if (candidate.unitsPerReplica <= 0) return 0;
  return Math.floor(available(context, candidate.acceleratorType) / candidate.unitsPerReplica);
}

/** The first of the server's candidates (in value order) with room for a replica; those after it stay unsized. */
function firstFitting(context: Context, server: ServerCandidates): Candidate | undefined {
  for (let index = 0, candidate; (candidate = server.candidateAt(index)); index++) {
    if (replicasThatFit(context, candidate) > 0) return candidate;
  }
  return undefined;
}

/** In order, each server takes as many replicas as fit of its first candidate that fits at all. */
function allocateExhaustively(entries: readonly Entry[], context: Context): void {
  for (const entry of entries) {
    const candidate = firstFitting(context, entry.candidates);
    if (!candidate) continue;
    const replicas = Math.min(replicasThatFit(context, candidate), candidate.numReplicas);
    take(context, candidate.acceleratorType, replicas * candidate.unitsPerReplica);
    context.allocations.set(entry.server, reduced(candidate, replicas));
  }
}

/**
 * One replica at a time to each server in turn, each on its first candidate with room for a
 * replica, until nothing more fits. A server never gets as many replicas as its candidate
 * needs: that candidate did not fit when it was tried, and capacity only shrinks since.
 */
function allocateRoundRobin(entries: readonly Entry[], context: Context): void {
  const chosen = new Map<string, { candidate: Candidate; replicas: number }>();
  let active = [...entries];
  while (active.length > 0) {
    const stillActive: Entry[] = [];
    for (const entry of active) {
      let pick = chosen.get(entry.server);
      if (!pick) {
        const candidate = firstFitting(context, entry.candidates);
        if (!candidate) continue;
        pick = { candidate, replicas: 0 };
        chosen.set(entry.server, pick);
      }
      if (replicasThatFit(context, pick.candidate) > 0 && pick.replicas < pick.candidate.numReplicas) {
        pick.replicas++;
        take(context, pick.candidate.acceleratorType, pick.candidate.unitsPerReplica);
        stillActive.push(entry);
      }
    }
    active = stillActive;
  }
  for (const [server, pick] of chosen) {
    if (pick.replicas > 0) context.allocations.set(server, reduced(pick.candidate, pick.replicas));
  }
}
