/**
 * Performance of one replica of an inference server: metrics at a given request rate, and
 * sizing (the largest request rate that meets the TTFT, ITL and TPS targets).
 */
import { Infeasible, type Result } from './infeasible.js';
import { solveQueue, type EvaluationCounter, type ServiceTime } from './queue-model.js';
import { clearlyBelow, crossing, largestRateMeeting, rateAtEnds, type RateFound, type RateRange } from './rate-search.js';

/** Linear latency model of a model on an accelerator (all in ms). */
export interface PerfParameters {
  /** decode time per token at batch size n: alpha + beta·n */
  alpha: number;
  beta: number;
  /** prefill time at batch size n: gamma + delta·inTokens·n */
  gamma: number;
  delta: number;
}

export interface RequestSize {
  inTokens: number;
  outTokens: number;
}

/** SLO targets; 0 means no target. */
export interface Targets {
  /** ms */
  ttft: number;
  /** ms */
  itl: number;
  /** tokens per second */
  tps: number;
}

export interface Metrics {
  /** requests per second completed */
  throughput: number;
  /** ms in the replica, queueing and service */
  avgRespTime: number;
  /** ms queued before service */
  avgWaitTime: number;
  avgNumInService: number;
  /** the batch size n at which a request's service time equals the average service time */
  effectiveConcurrency: number;
  /** ms */
  prefillTime: number;
  /** ms, inter-token latency */
  itl: number;
  /** ms, time to first token: queueing plus prefill */
  ttft: number;
  /** batch occupancy: average requests in service / batch size */
  rho: number;
}

export interface Sizing {
  /** the largest rate (requests per second) meeting each target; the rate range's top where none */
  rateForTTFT: number;
  rateForITL: number;
  rateForTPS: number;
  /** metrics at the smallest of those rates */
  metrics: Metrics;
}

/** Relative distance of the rate range from zero load and from saturation, as in the reference. */
export const RATE_RANGE_MARGIN = 0.001;
/** A TPS target is sized at this fraction below the top of the rate range, as in the reference. */
export const TPS_STABILITY_MARGIN = 0.1;

/** A request's service time T(n) = A + B·n in the seed's model: its prefill and its decode steps. */
export function serviceTimeOf(perf: PerfParameters, request: RequestSize): ServiceTime {
  const decodeSteps = request.outTokens - 1;
  const hasPrefill = request.inTokens > 0;
  return {
    base: (hasPrefill ? perf.gamma : 0) + decodeSteps * perf.alpha,
    perRequest: (hasPrefill ? perf.delta * request.inTokens : 0) + decodeSteps * perf.beta,
  };
}

/** Requests per ms a replica completes with n requests in the batch. */
function serviceRateOf(service: ServiceTime, n: number): number {
  return n / (service.base + service.perRequest * n);
}

export class QueueAnalyzer {
  readonly service: ServiceTime;
  /** requests per ms: the rate range searched when sizing */
  readonly minRate: number;
  readonly maxRate: number;
  /** requests per ms a full batch completes: arrivals at this rate or more make the queue grow without bound */
  readonly saturationRate: number;

  private constructor(
    readonly batchSize: number,
    readonly perf: PerfParameters,
    readonly request: RequestSize,
    private readonly counter?: EvaluationCounter,
  ) {
    this.service = serviceTimeOf(perf, request);
    this.saturationRate = this.serviceRate(batchSize);
    this.minRate = this.serviceRate(1) * RATE_RANGE_MARGIN;
    this.maxRate = QueueAnalyzer.maxRateOf(batchSize, this.service);
  }

  /** The top of the rate range searched when sizing (requests per ms), without building an analyzer. */
  static maxRateOf(batchSize: number, service: ServiceTime): number {
    return serviceRateOf(service, batchSize) * (1 - RATE_RANGE_MARGIN);
  }

  /**
   * An analyzer for batch size N, or the reason none can be built. The caller guarantees
   * N >= 1, outTokens >= 1 and non-negative parameters.
   */
  static create(
    batchSize: number,
    perf: PerfParameters,
    request: RequestSize,
    counter?: EvaluationCounter,
  ): Result<QueueAnalyzer> {
    const analyzer = new QueueAnalyzer(batchSize, perf, request, counter);
    const { base, perRequest } = analyzer.service;
    if (!(base + perRequest > 0)) {
      return new Infeasible('a request takes no time to serve (no prefill and no decode work), so the queueing model is undefined');
    }
    if (!(analyzer.maxRate > 0) || !Number.isFinite(analyzer.maxRate) || !(analyzer.minRate > 0)) {
      return new Infeasible('the service rate is not a positive finite number');
    }
    return analyzer;
  }

  /** requests per ms completed with n requests in the batch */
  private serviceRate(n: number): number {
    return serviceRateOf(this.service, n);
  }

  private prefillTime(n: number): number {
    return this.request.inTokens > 0 ? this.perf.gamma + this.perf.delta * this.request.inTokens * n : 0;
  }

  /** Metrics at `lambda` requests per ms, 0 < lambda < saturationRate. */
  metricsAt(lambda: number): Metrics {
    const solution = solveQueue(this.service, this.batchSize, lambda, this.counter);
    const throughput = solution.throughput;
    const avgRespTime = solution.avgNumInSystem / throughput;
    const avgServTime = solution.avgNumInService / throughput;
    const avgWaitTime = Math.max(avgRespTime - avgServTime, 0);
    const { base, perRequest } = this.service;
    // With no per-request growth the service time does not reveal the concurrency: use the
    // average number in service instead.
    const concurrency = perRequest > 0 ? (avgServTime - base) / perRequest : solution.avgNumInService;
    const n = Math.min(Math.max(concurrency, 0), this.batchSize);
    const prefillTime = this.prefillTime(n);
    return {
      throughput: throughput * 1000,
      avgRespTime,
      avgWaitTime,
      avgNumInService: solution.avgNumInService,
      effectiveConcurrency: n,
      prefillTime,
      itl: this.perf.alpha + this.perf.beta * n,
      ttft: avgWaitTime + prefillTime,
      rho: Math.min(Math.max(solution.avgNumInService / this.batchSize, 0), 1),
    };
  }

  /**
   * Metrics at `requestsPerSecond` (> 0), that rate itself: below the rate range too, and above
   * its top while the queue is stable. Where it is not (arrivals at or beyond the saturation
   * rate) the queue grows without bound: the batch is always full, and the wait, so the TTFT, is
   * infinite.
   */
  metricsAtRate(requestsPerSecond: number): Metrics {
    const lambda = requestsPerSecond / 1000;
    if (lambda < this.saturationRate) return this.metricsAt(lambda);
    const n = this.batchSize;
    return {
      throughput: this.saturationRate * 1000,
      avgRespTime: Infinity,
      avgWaitTime: Infinity,
      avgNumInService: n,
      effectiveConcurrency: n,
      prefillTime: this.prefillTime(n),
      itl: this.perf.alpha + this.perf.beta * n,
      ttft: Infinity,
      rho: 1,
    };
  }

  /** The largest rate meeting each target, and the metrics at the smallest of them. */
  size(targets: Targets): Result<Sizing> {
    return sizeWithin(targets, this.minRate, this.maxRate, this.saturationRate, (rate) => this.metricsAt(rate));
  }
}

/**
 * Sizing over the stable range [minRate, maxRate] below `saturation` (requests per ms), for any
 * replica model: the largest rate meeting each target, and the metrics at the smallest of them.
 */
export function sizeWithin(
  targets: Targets,
  minRate: number,
  maxRate: number,
  saturation: number,
  evaluate: (rate: number) => Metrics,
): Result<Sizing> {
  const low = evaluate(minRate);
  const high = evaluate(maxRate);
  const range: RateRange<Metrics> = { min: minRate, max: maxRate, atMin: low, atMax: high, saturation, evaluate };
  const unconstrained: RateFound<Metrics> = { rate: maxRate, at: high };
  const forTTFT = targets.ttft > 0 ? largestRateMeeting('TTFT', targets.ttft, ttftOf, range) : unconstrained;
  if (forTTFT instanceof Infeasible) return forTTFT;
  const atEnds = targets.itl > 0 ? rateAtEnds('ITL', targets.itl, itlOf, range) : unconstrained;
  if (atEnds instanceof Infeasible) return atEnds;
  // An ITL clearly below its target at the TTFT's rate crosses it higher up: its rate cannot be
  // the least, so it is searched only when asked for (rateForITL). A fleet's candidates mostly
  // never ask.
  const forITL = atEnds ?? (clearlyBelow(forTTFT.at.itl, targets.itl) ? undefined : crossing(targets.itl, itlOf, range));
  const rateForTPS = targets.tps > 0 ? maxRate * (1 - TPS_STABILITY_MARGIN) : maxRate;
  const rate = Math.min(forTTFT.rate, forITL ? forITL.rate : Infinity, rateForTPS);
  // the searches have the metrics at the rates they found
  const metrics =
    rate === forTTFT.rate ? forTTFT.at : forITL && rate === forITL.rate ? forITL.at : rate === maxRate ? high : evaluate(rate);
  return new SizingFound(forTTFT.rate * 1000, forITL, targets.itl, range, rateForTPS * 1000, metrics);
}

const ttftOf = (m: Metrics) => m.ttft;
const itlOf = (m: Metrics) => m.itl;

/** A Sizing whose ITL rate, where it cannot bind, is searched when read (a class: a getter on each object is slow to make). */
class SizingFound implements Sizing {
  constructor(
    readonly rateForTTFT: number,
    private forITL: RateFound<Metrics> | undefined,
    private readonly itlTarget: number,
    private readonly range: RateRange<Metrics>,
    readonly rateForTPS: number,
    readonly metrics: Metrics,
  ) {}

  get rateForITL(): number {
    this.forITL ??= crossing(this.itlTarget, itlOf, this.range);
    return this.forITL.rate * 1000;
  }
}
