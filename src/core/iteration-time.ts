/**
 * Today's Inferno performance model (`perfParms`), with the semantics of llm-inferno/queue-analysis
 * v0.7.0 as llm-inferno/optimizer-light uses it. One iteration of the engine takes
 *
 *   alpha + beta·(tokens computed) + gamma·(tokens of KV cache read)   ms.
 *
 * A request of L input and K output tokens is prefilled in c chunks (an iteration processes at
 * most 8192 tokens, shared by the batch), then decoded one token per iteration. Its own work:
 * - prefill: it computes its L tokens and chunk i reads the i·L/c tokens before it, so
 *   (beta + gamma·(c+1)/2)·L;
 * - decode: token k computes one token and reads the L + k before it, so
 *   beta·K + gamma·K·(L + (K+1)/2).
 * Spread over its c + K iterations that is `share(c)` per iteration. With B requests in the batch
 * an iteration takes alpha + B·share(c), and a request is in service for c + K of them:
 *
 *   service time T(B) = (c(B) + K)·(alpha + B·share(c(B))),   service rate mu(B) = B / T(B).
 *
 * The replica is the shared birth-death queue (queue-model.ts) with these rates, a batch of N and
 * a queue of maxQueueSize beyond it (0: a loss system). Only the service time and the metrics
 * read off the queue differ from the seed's model (analyzer.ts).
 */
import { RATE_RANGE_MARGIN, sizeWithin, type Metrics, type RequestSize, type Sizing, type Targets } from './analyzer.js';
import { f32 } from './float32.js';
import { Infeasible, type Result } from './infeasible.js';
import { solveBirthDeath, type EvaluationCounter } from './queue-model.js';

/** perfParms, in ms: per iteration, per token computed, per token of KV cache read. */
export interface IterationTimeParameters {
  alpha: number;
  beta: number;
  gamma: number;
}

/** Tokens one iteration processes at most (fixed in the reference). */
export const TOKENS_PER_ITERATION = 8192;
/** A prefill needing more iterations than this is refused (2^24: chunk counts stay exact in float32). */
export const MAX_PREFILL_CHUNKS = 1 << 24;

/**
 * The largest batch whose prefills fit in `chunks` iterations each, computed as the reference does
 * (float32, operation by operation), because it is floored to an integer and decides c(B):
 * floor((c + K)·(8192 − L/c) / (L + K)).
 */
export function batchSizeForChunks(chunks: number, request: RequestSize): number {
  const inTokens = f32(request.inTokens);
  const outTokens = f32(request.outTokens);
  const c = f32(chunks);
  const perIteration = f32(TOKENS_PER_ITERATION - f32(inTokens / c));
  const size = f32(f32(f32(c + outTokens) * perIteration) / f32(inTokens + outTokens));
  return Math.floor(Math.max(0, size));
}

/**
 * c(B) for B = 1..N (index 0 unused): the fewest chunks whose batch size reaches B. It grows with
 * B; each new count is found by galloping and bisecting from the previous one, so a long prompt
 * costs O(log c) evaluations per distinct count, not the reference's O(c).
 */
export function prefillChunks(batchSize: number, request: RequestSize): Result<Int32Array> {
  const chunks = new Int32Array(batchSize + 1);
  let count = 1;
  let reach = batchSizeForChunks(count, request);
  for (let b = 1; b <= batchSize; ) {
    if (reach >= b) {
      const end = Math.min(reach, batchSize);
      chunks.fill(count, b, end + 1);
      b = end + 1;
      continue;
    }
    // batchSizeForChunks(low) < b <= batchSizeForChunks(high)
    let low = count;
    let high = count + 1;
    for (let step = 2; batchSizeForChunks(high, request) < b; step *= 2) {
      if (high >= MAX_PREFILL_CHUNKS) {
        return new Infeasible(`a prefill of ${request.inTokens} tokens at batch size ${b} would take more than ${MAX_PREFILL_CHUNKS} iterations`);
      }
      low = high;
      high = Math.min(count + step, MAX_PREFILL_CHUNKS);
    }
    while (high - low > 1) {
      const middle = low + Math.floor((high - low) / 2);
      if (batchSizeForChunks(middle, request) < b) low = middle;
      else high = middle;
    }
    count = high;
    reach = batchSizeForChunks(count, request);
  }
  return chunks;
}

/** ms: a request's own prefill work in `chunks` chunks. */
export function prefillWork(p: IterationTimeParameters, r: RequestSize, chunks: number): number {
  return (p.beta + (p.gamma * (chunks + 1)) / 2) * r.inTokens;
}

/** ms: a request's own decode work. */
export function decodeWork(p: IterationTimeParameters, r: RequestSize): number {
  return p.beta * r.outTokens + p.gamma * r.outTokens * (r.inTokens + (r.outTokens + 1) / 2);
}

/** ms one request adds to each of its iterations, on average. */
export function iterationShare(p: IterationTimeParameters, r: RequestSize, chunks: number): number {
  return (prefillWork(p, r, chunks) + decodeWork(p, r)) / (chunks + r.outTokens);
}

/** ms a request is in service with `batch` requests in the batch. */
export function serviceTime(p: IterationTimeParameters, r: RequestSize, batch: number, chunks: number): number {
  return (chunks + r.outTokens) * (p.alpha + batch * iterationShare(p, r, chunks));
}

/**
 * ms to prefill a request in a batch of `batch` (may be fractional): each of its chunks waits for
 * an iteration of the other batch - 1 requests, plus its own work.
 */
export function prefillTime(p: IterationTimeParameters, r: RequestSize, batch: number, chunks: number): number {
  const others = Math.max(p.alpha + (batch - 1) * iterationShare(p, r, chunks), 0);
  return chunks * others + prefillWork(p, r, chunks);
}

export interface IterationTimeMetrics extends Metrics {
  /** requests per second offered; above `throughput` when the replica turns requests away */
  offeredRate: number;
  /** share of arrivals turned away (the queue is full) */
  blockingProbability: number;
}

/** One replica under the iteration-time model: metrics at a rate, and sizing for SLO targets. */
export class IterationTimeAnalyzer {
  /** requests per ms */
  readonly minRate: number;
  readonly maxRate: number;

  private constructor(
    readonly batchSize: number,
    /** requests waiting beyond the batch */
    readonly queueSize: number,
    readonly parameters: IterationTimeParameters,
    readonly request: RequestSize,
    /** c(B), index B */
    private readonly chunks: Int32Array,
    /** mu(B) per ms, index B - 1 */
    private readonly serviceRates: Float64Array,
    private readonly counter?: EvaluationCounter,
  ) {
    this.minRate = serviceRates[0] * RATE_RANGE_MARGIN;
    this.maxRate = serviceRates[batchSize - 1] * (1 - RATE_RANGE_MARGIN);
  }

  /**
   * An analyzer, or the reason none can be built. The caller guarantees N >= 1, K >= 1 and
   * non-negative parameters, not all zero.
   */
  static create(
    batchSize: number,
    queueSize: number,
    parameters: IterationTimeParameters,
    request: RequestSize,
    counter?: EvaluationCounter,
  ): Result<IterationTimeAnalyzer> {
    const chunks = prefillChunks(batchSize, request);
    if (chunks instanceof Infeasible) return chunks;
    const serviceRates = new Float64Array(batchSize);
    for (let b = 1; b <= batchSize; b++) {
      const rate = b / serviceTime(parameters, request, b, chunks[b]);
      if (!(rate > 0 && Number.isFinite(rate))) {
        return new Infeasible(`the service rate at batch size ${b} is not a positive finite number`);
      }
      serviceRates[b - 1] = rate;
    }
    const analyzer = new IterationTimeAnalyzer(batchSize, queueSize, parameters, request, chunks, serviceRates, counter);
    if (!(analyzer.minRate > 0)) return new Infeasible('the service rate is not a positive finite number');
    return analyzer;
  }

  /** Metrics at `lambda` requests per ms (> 0), above the stable range too: the queue then saturates. */
  metricsAt(lambda: number): IterationTimeMetrics {
    const { parameters: p, request: r, batchSize } = this;
    const solution = solveBirthDeath(this.serviceRates, this.queueSize, lambda, this.counter);
    const throughput = solution.throughput;
    const avgRespTime = solution.avgNumInSystem / throughput;
    const avgServTime = solution.avgNumInService / throughput;
    const avgWaitTime = Math.max(avgRespTime - avgServTime, 0);
    // Mean field: the prefill as if the batch always held its average occupancy, with the
    // chunk count of the nearest whole batch size; the decode takes the rest of the service time.
    const batch = solution.avgNumInService;
    const chunks = this.chunks[Math.min(Math.max(Math.floor(batch + 0.5), 1), batchSize)];
    const prefill = prefillTime(p, r, batch, chunks);
    const itl = (avgServTime - prefill) / r.outTokens;
    return {
      offeredRate: lambda * 1000,
      throughput: throughput * 1000,
      blockingProbability: solution.blockingProbability,
      avgRespTime,
      avgWaitTime,
      avgNumInService: batch,
      effectiveConcurrency: batch,
      prefillTime: prefill,
      itl,
      // the first token comes with the first decode iteration
      ttft: avgWaitTime + prefill + itl,
      rho: Math.min(Math.max(batch / batchSize, 0), 1),
    };
  }

  /** Metrics at `requestsPerSecond`; no load at all is taken at the lowest rate of the range. */
  metricsAtRate(requestsPerSecond: number): IterationTimeMetrics {
    const lambda = requestsPerSecond / 1000;
    return this.metricsAt(lambda > 0 ? lambda : this.minRate);
  }

  /** The largest rate meeting each target, and the metrics at the smallest of them. */
  size(targets: Targets): Result<Sizing> {
    return sizeWithin(targets, this.minRate, this.maxRate, this.serviceRates[this.batchSize - 1], (rate) => this.metricsAt(rate));
  }
}
