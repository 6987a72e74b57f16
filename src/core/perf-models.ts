/**
 * Which performance model sizes a perf entry, and the little that differs between the two models
 * outside their analyzers. The seed's model (decodeParms/prefillParms, analyzer.ts) and today's
 * iteration-time model (perfParms, iteration-time.ts) share everything else: batch size, replicas,
 * cost, solvers.
 *
 * An entry is sized by the model whose parameters it carries: perfParms when any of them is
 * non-zero, else decodeParms/prefillParms when any of those is. An entry that carries both uses
 * perfParms (what today's tuners write) and the answer says that the others were ignored. One
 * with neither sizes nothing: a model tuner that has not converged yet writes zeros.
 */
import { QueueAnalyzer, serviceTimeOf, type Metrics, type PerfParameters, type RequestSize, type Sizing, type Targets } from './analyzer.js';
import { f32 } from './float32.js';
import { Infeasible, type Result } from './infeasible.js';
import { MAX_BATCH_SIZE } from './limits.js';
import { IterationTimeAnalyzer, type IterationTimeParameters } from './iteration-time.js';
import type { EvaluationCounter } from './queue-model.js';
import { FLOAT32_MAX, type ModelAcceleratorPerfData } from './schemas.js';

/** What candidates need of a replica's performance model, whichever it is. */
export interface ReplicaModel {
  readonly batchSize: number;
  /** requests per ms: the stable range */
  readonly minRate: number;
  readonly maxRate: number;
  size(targets: Targets): Result<Sizing>;
  metricsAtRate(requestsPerSecond: number): Metrics;
}

export type PerfModel =
  | { kind: 'iteration-time'; parameters: IterationTimeParameters; ignored: 'decodeParms/prefillParms' | undefined }
  | { kind: 'prefill-decode'; parameters: PerfParameters }
  | { kind: 'none' };

/** The reason given to every candidate whose perf entry has no usable parameters. */
export const NO_USABLE_PARAMETERS =
  'no usable performance parameters: perfParms and decodeParms/prefillParms are missing or all zero (a model tuner may not have converged yet)';

/** The model that sizes `perf`, with its parameters as float32 (as the references read them). */
export function perfModelOf(perf: ModelAcceleratorPerfData): PerfModel {
  const seed = {
    alpha: f32(perf.decodeParms.alpha),
    beta: f32(perf.decodeParms.beta),
    gamma: f32(perf.prefillParms.gamma),
    delta: f32(perf.prefillParms.delta),
  };
  const seedUsable = seed.alpha > 0 || seed.beta > 0 || seed.gamma > 0 || seed.delta > 0;
  if (perf.perfParms) {
    const parameters = { alpha: f32(perf.perfParms.alpha), beta: f32(perf.perfParms.beta), gamma: f32(perf.perfParms.gamma) };
    if (parameters.alpha > 0 || parameters.beta > 0 || parameters.gamma > 0) {
      return { kind: 'iteration-time', parameters, ignored: seedUsable ? 'decodeParms/prefillParms' : undefined };
    }
  }
  return seedUsable ? { kind: 'prefill-decode', parameters: seed } : { kind: 'none' };
}

/**
 * A server without load is given minNumReplicas replicas without sizing; the latencies reported are
 * those of a lone request as each reference computes them (0 without parameters), and the max rate
 * per replica is the references' rough figure.
 */
export function zeroLoadFigures(model: PerfModel, batchSize: number): { itl: number; ttft: number; maxRatePerReplica: number } {
  if (model.kind === 'prefill-decode') {
    const { alpha, beta, gamma, delta } = model.parameters;
    return { itl: alpha + beta, ttft: gamma + delta, maxRatePerReplica: (1000 * batchSize) / (gamma + delta + alpha + beta * batchSize) || 0 };
  }
  if (model.kind === 'iteration-time') {
    const { alpha, beta, gamma } = model.parameters;
    const itl = alpha + beta;
    const ttft = itl + gamma * batchSize;
    return { itl, ttft, maxRatePerReplica: (1000 * batchSize) / (ttft + alpha + beta * batchSize) || 0 };
  }
  return { itl: 0, ttft: 0, maxRatePerReplica: 0 };
}

export interface SizedReplica {
  analyzer: ReplicaModel;
  /** requests per second one replica takes within the SLOs (float32): the throughput at the sized rate */
  maxRatePerReplica: number;
}

/**
 * Sizing depends only on its inputs, so servers that share them share the work. The servers of
 * one model share its perf entries and their class's SLO targets (the same objects): keyed by
 * those objects first, a key needs no printing of their numbers (which took a third of the time
 * of a warm large sample).
 */
export class SizingCache {
  private readonly models = new Map<ModelAcceleratorPerfData, PerfModel>();
  private readonly replicas = new Map<PerfModel, Map<object, Map<number | string, CachedReplica>>>();

  /** perfModelOf(perf), once for each perf entry */
  modelOf(perf: ModelAcceleratorPerfData): PerfModel {
    let model = this.models.get(perf);
    if (!model) {
      model = perfModelOf(perf);
      this.models.set(perf, model);
    }
    return model;
  }

  /**
   * The most requests per second one replica of these inputs can be sized for, whatever the
   * targets: sizing takes a rate within the stable range and reports the throughput there
   * (float32), at most that rate; the margin covers the rounding of both. The seed's model has
   * it in closed form; the iteration-time model builds (and keeps) its replica to know it. NaN
   * where the inputs make no model (sizing says why).
   */
  maxRatePerReplicaBound(inputs: SizingInputs): number {
    let maxRate: number;
    if (inputs.model.kind === 'prefill-decode') {
      maxRate = QueueAnalyzer.maxRateOf(inputs.batchSize, serviceTimeOf(inputs.model.parameters, inputs.request));
    } else {
      const analyzer = this.replica(inputs).analyzer;
      maxRate = analyzer instanceof Infeasible ? Number.NaN : analyzer.maxRate;
    }
    return maxRate * 1000 * (1 + 1e-6);
  }

  /** The replica for these inputs (`model` from modelOf): its model built, its sizing done when first asked for. */
  replica(inputs: SizingInputs): CachedReplica {
    let byTargets = this.replicas.get(inputs.model);
    if (!byTargets) this.replicas.set(inputs.model, (byTargets = new Map()));
    let byRest = byTargets.get(inputs.targets);
    if (!byRest) byTargets.set(inputs.targets, (byRest = new Map()));
    const key = sizingKey(inputs.batchSize, queueSizeOf(inputs), inputs.request);
    let replica = byRest.get(key);
    if (!replica) {
      replica = new CachedReplica(replicaModelOf(inputs), inputs.targets);
      byRest.set(key, replica);
    }
    return replica;
  }
}

/** A replica's model (cheap to build: no queue is solved) and its sizing, done once when first asked for. */
export class CachedReplica {
  private sizing?: Result<SizedReplica>;

  constructor(
    readonly analyzer: Result<ReplicaModel>,
    private readonly targets: SizingInputs['targets'],
  ) {}

  size(): Result<SizedReplica> {
    this.sizing ??= sizedFor(this.analyzer, targetsOf(this.targets));
    return this.sizing;
  }
}

export interface SizingInputs {
  model: Exclude<PerfModel, { kind: 'none' }>;
  batchSize: number;
  /** requests waiting beyond the batch (the iteration-time model; the seed's queue is 10·N) */
  queueSize: number;
  request: RequestSize;
  targets: { 'slo-ttft': number; 'slo-itl': number; 'slo-tps': number };
  counter?: EvaluationCounter;
}

const TOKEN_KEY_RANGE = 1 << 16;

/**
 * The rest of a sizing's inputs as one key: most are exactly one number (a fleet sizes a distinct
 * request size on nearly every server, so printing the key cost more than looking it up), the
 * others a string (never equal to a number key in a Map).
 */
function sizingKey(batchSize: number, queueSize: number, request: RequestSize): number | string {
  const { inTokens, outTokens } = request;
  // whole numbers, batch <= 2^20 and tokens < 2^16: below 2^53, so exact, and distinct as digits
  if (queueSize === 0 && keyDigit(batchSize, MAX_BATCH_SIZE + 1) && keyDigit(inTokens, TOKEN_KEY_RANGE) && keyDigit(outTokens, TOKEN_KEY_RANGE)) {
    return (batchSize * TOKEN_KEY_RANGE + inTokens) * TOKEN_KEY_RANGE + outTokens;
  }
  return `${batchSize} ${queueSize} ${inTokens} ${outTokens}`;
}

function keyDigit(value: number, range: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < range;
}

function queueSizeOf(inputs: SizingInputs): number {
  return inputs.model.kind === 'iteration-time' ? inputs.queueSize : 0;
}

/** The replica's model for the inputs, or why there is none. */
function replicaModelOf(inputs: SizingInputs): Result<ReplicaModel> {
  const { model, batchSize, request, counter } = inputs;
  return model.kind === 'iteration-time'
    ? IterationTimeAnalyzer.create(batchSize, queueSizeOf(inputs), model.parameters, request, counter)
    : QueueAnalyzer.create(batchSize, model.parameters, request, counter);
}

/** The SLO targets as the references read them (float32). */
function targetsOf(targets: SizingInputs['targets']): Targets {
  return { ttft: f32(targets['slo-ttft']), itl: f32(targets['slo-itl']), tps: f32(targets['slo-tps']) };
}

function sizedFor(analyzer: Result<ReplicaModel>, targets: Targets): Result<SizedReplica> {
  if (analyzer instanceof Infeasible) return analyzer;
  const sizing = analyzer.size(targets);
  // only the rate is kept: a fleet's thousands of candidates need not hold their metrics
  return sizing instanceof Infeasible ? sizing : { analyzer, maxRatePerReplica: f32(sizing.metrics.throughput) };
}

/**
 * ITL, TTFT and occupancy of `numReplicas` replicas taking the server's whole load. Beyond the
 * stable range the seed's queue grows without bound (an infinite TTFT), while the iteration-time
 * model's queue fills and turns requests away (finite numbers). A latency beyond float32 (that
 * one, or absurd parameters deep in overload) is reported as the largest float32, so that every
 * client can still read it.
 */
export function bestEffortMetrics(
  candidate: { analyzer?: ReplicaModel; totalRate: number },
  numReplicas: number,
): { itl: number; ttft: number; rho: number } | undefined {
  if (!candidate.analyzer || numReplicas <= 0) return undefined;
  const metrics = candidate.analyzer.metricsAtRate(candidate.totalRate / numReplicas);
  const readable = (ms: number) => Math.min(Math.max(ms, -FLOAT32_MAX), FLOAT32_MAX);
  return { itl: readable(metrics.itl), ttft: readable(metrics.ttft), rho: metrics.rho };
}
