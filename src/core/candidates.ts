/**
 * Candidate allocations: for every server and accelerator, the replicas and batch size that
 * meet the server's SLOs, their cost, and their value (the transition penalty from the current
 * allocation), or the reason there is none.
 */
import { QueueAnalyzer, type Sizing } from './analyzer.js';
import { f32 } from './float32.js';
import type { EvaluationCounter } from './queue-model.js';
import type { AcceleratorSpec, AllocationData, ServerSpec } from './schemas.js';
import { byName, LOWEST_PRIORITY, type System } from './system.js';

/** Batch sizes beyond this are not modelled: the work grows with it (states = 11·N). */
export const MAX_BATCH_SIZE = 1 << 20;
/** More replicas than this for one server is taken as a sign of a broken input. */
export const MAX_REPLICAS = 1e9;
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
  analyzer?: QueueAnalyzer;
}

export interface RejectedAccelerator {
  accelerator: string;
  reason: string;
}

export interface ServerCandidates {
  server: string;
  priority: number;
  /** the accelerator of the current allocation ('' if none) */
  currentAccelerator: string;
  /** sorted by value, then accelerator name */
  candidates: Candidate[];
  rejected: RejectedAccelerator[];
  /** set when a rule about the server itself leaves it without candidates */
  reason?: string;
}

/** Orders candidates by value; equal values by accelerator name. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return a.value - b.value || byName(a.accelerator, b.accelerator);
}

/**
 * The reference's penalty for moving from the current allocation to `to`: the cost difference,
 * plus a share of both costs when the accelerator changes; 0 when nothing changes.
 */
export function transitionPenalty(from: AllocationData, to: { accelerator: string; numReplicas: number; cost: number }): number {
  const fromCost = f32(from.cost);
  if (from.accelerator === to.accelerator) {
    return from.numReplicas === to.numReplicas ? 0 : f32(to.cost - fromCost);
  }
  return f32(f32(ACCELERATOR_PENALTY_FACTOR * f32(fromCost + to.cost)) + f32(to.cost - fromCost));
}

interface SizedModel {
  analyzer: QueueAnalyzer;
  sizing: Sizing;
}

/** Sizing depends only on these inputs, so servers that share them share the work. */
type SizingCache = Map<string, SizedModel | { reason: string }>;

export interface CandidateOptions {
  counter?: EvaluationCounter;
}

/** Candidates of every server, sorted by server name. */
export function computeCandidates(system: System, options: CandidateOptions = {}): ServerCandidates[] {
  const cache: SizingCache = new Map();
  const accelerators = system.listAccelerators();
  return system.listServers().map((server) => serverCandidates(system, server, accelerators, cache, options));
}

function serverCandidates(
  system: System,
  server: ServerSpec,
  accelerators: AcceleratorSpec[],
  cache: SizingCache,
  options: CandidateOptions,
): ServerCandidates {
  const className = system.serviceClassOf(server);
  const svc = system.serviceClasses.get(className);
  const result: ServerCandidates = {
    server: server.name,
    priority: svc?.priority ?? LOWEST_PRIORITY,
    currentAccelerator: server.currentAlloc.accelerator,
    candidates: [],
    rejected: [],
  };
  const target = svc?.targets.get(server.model);
  const perfByAccelerator = system.models.get(server.model);
  if (!svc) result.reason = `service class ${className} not found`;
  else if (!target) result.reason = `service class ${className} has no SLO target for model ${server.model}`;
  else if (!perfByAccelerator) result.reason = `model ${server.model} not found`;
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

  const load = current.load;
  const zeroLoad = load.arrivalRate === 0 || load.avgOutTokens === 0;
  for (const acc of allowed) {
    const perf = perfByAccelerator.get(acc.name);
    if (!perf) {
      result.rejected.push({ accelerator: acc.name, reason: `no perf data for model ${server.model} on ${acc.name}` });
      continue;
    }
    const instances = perf.accCount > 0 ? perf.accCount : 1;
    const unitsPerReplica = instances * acc.multiplicity;
    const base = { acceleratorType: acc.type, unitsPerReplica };
    if (zeroLoad) {
      if (server.minNumReplicas === 0) {
        // Every accelerator gives the same empty allocation: keep one.
        if (result.candidates.length === 0) {
          const empty = { accelerator: '', acceleratorType: '', unitsPerReplica: 0, numReplicas: 0, batchSize: 0, cost: 0 };
          const value = transitionPenalty(current, empty);
          result.candidates.push({ ...empty, value, itl: 0, ttft: 0, rho: 0, maxRatePerReplica: 0, totalRate: 0 });
        }
        continue;
      }
      const batchSize = server.maxBatchSize > 0 ? server.maxBatchSize : perf.maxBatchSize;
      const alpha = f32(perf.decodeParms.alpha);
      const beta = f32(perf.decodeParms.beta);
      const gamma = f32(perf.prefillParms.gamma);
      const delta = f32(perf.prefillParms.delta);
      const alloc = {
        ...base,
        accelerator: acc.name,
        numReplicas: server.minNumReplicas,
        batchSize,
        cost: f32(f32(acc.cost) * instances * server.minNumReplicas),
      };
      // No load: the latencies of a single request, as the reference reports them.
      result.candidates.push({
        ...alloc,
        value: transitionPenalty(current, alloc),
        itl: alpha + beta,
        ttft: gamma + delta,
        rho: 0,
        maxRatePerReplica: (1000 * batchSize) / (gamma + delta + alpha + beta * batchSize) || 0,
        totalRate: 0,
      });
      continue;
    }

    const outTokens = load.avgOutTokens;
    const batchSize =
      server.maxBatchSize > 0 ? server.maxBatchSize : Math.max(Math.floor((perf.maxBatchSize * perf.atTokens) / outTokens), 1);
    if (batchSize > MAX_BATCH_SIZE) {
      result.rejected.push({ accelerator: acc.name, reason: `batch size ${batchSize} exceeds the limit of ${MAX_BATCH_SIZE}` });
      continue;
    }
    const sized = sizeModel(cache, batchSize, perf, load.avgInTokens, outTokens, target, options.counter);
    if ('reason' in sized || !sized.sizing.feasible) {
      const reason = 'reason' in sized ? sized.reason : (sized.sizing as { reason: string }).reason;
      result.rejected.push({ accelerator: acc.name, reason });
      continue;
    }
    const { analyzer, sizing } = sized;
    const maxRatePerReplica = f32(sizing.metrics.throughput);
    const tps = f32(target['slo-tps']);
    // requests per second the server must take
    const totalRate = tps > 0 ? f32(tps / outTokens) : f32(f32(load.arrivalRate) / 60);
    const numReplicas = Math.max(Math.ceil(totalRate / maxRatePerReplica), server.minNumReplicas);
    if (!(numReplicas <= MAX_REPLICAS)) {
      result.rejected.push({
        accelerator: acc.name,
        reason: `needs more than ${MAX_REPLICAS} replicas (${totalRate} requests/s at most ${maxRatePerReplica} per replica)`,
      });
      continue;
    }
    const metrics = analyzer.metricsAtRate(totalRate / numReplicas);
    const alloc = {
      ...base,
      accelerator: acc.name,
      numReplicas,
      batchSize,
      cost: f32(f32(acc.cost) * instances * numReplicas),
    };
    result.candidates.push({
      ...alloc,
      value: transitionPenalty(current, alloc),
      itl: metrics.itl,
      ttft: metrics.ttft,
      rho: metrics.rho,
      maxRatePerReplica,
      totalRate,
      analyzer,
    });
  }
  result.candidates.sort(compareCandidates);
  return result;
}

function sizeModel(
  cache: SizingCache,
  batchSize: number,
  perf: { decodeParms: { alpha: number; beta: number }; prefillParms: { gamma: number; delta: number } },
  inTokens: number,
  outTokens: number,
  target: { 'slo-ttft': number; 'slo-itl': number; 'slo-tps': number },
  counter?: EvaluationCounter,
): SizedModel | { reason: string } {
  const params = {
    alpha: f32(perf.decodeParms.alpha),
    beta: f32(perf.decodeParms.beta),
    gamma: f32(perf.prefillParms.gamma),
    delta: f32(perf.prefillParms.delta),
  };
  const targets = { ttft: f32(target['slo-ttft']), itl: f32(target['slo-itl']), tps: f32(target['slo-tps']) };
  const key = [batchSize, params.alpha, params.beta, params.gamma, params.delta, inTokens, outTokens, targets.ttft, targets.itl, targets.tps].join('|');
  let sized = cache.get(key);
  if (!sized) {
    const analyzer = QueueAnalyzer.create(batchSize, params, { inTokens, outTokens }, counter);
    sized = analyzer instanceof QueueAnalyzer ? { analyzer, sizing: analyzer.size(targets) } : analyzer;
    cache.set(key, sized);
  }
  return sized;
}
