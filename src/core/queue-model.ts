/**
 * The queueing model of one inference server replica: a birth-death (M/M/1/K) queue whose
 * service rate depends on the number of requests in the batch.
 *
 * States n = 0..K count the requests in the replica, K = N + Q (batch size N, queue Q = 10N).
 * With n in service a request takes T(n) = A + B·n ms, so the replica completes requests at
 * mu(n) = n / T(n) per ms; beyond N the rate stays mu(N). Arrivals come at lambda per ms.
 *
 * The stationary weights are w(0) = 1, w(n) = w(n-1)·lambda/mu(n). Beyond N they are geometric
 * with ratio r = lambda/mu(N), so the tail is summed in closed form: O(N) work per solution,
 * no arrays, and rescaling keeps every product finite whatever N or lambda.
 */

/** Queue capacity as a multiple of the batch size, as in the reference. */
export const QUEUE_TO_BATCH_RATIO = 10;

/** Averages of the stationary distribution at one arrival rate. */
export interface QueueSolution {
  /** effective throughput (requests per ms): arrivals not blocked by a full queue */
  throughput: number;
  /** average number of requests in the replica (queued and in service) */
  avgNumInSystem: number;
  /** average number of requests in service (batch occupancy) */
  avgNumInService: number;
  /** probability that the queue is full (arrivals are lost) */
  blockingProbability: number;
}

/** Per-request service time T(n) = A + B·n (ms) at batch occupancy n. */
export interface ServiceTime {
  /** ms, the part that does not grow with the batch */
  base: number;
  /** ms per request in the batch */
  perRequest: number;
}

/** Weights above this are scaled down; the scale cancels when normalizing. */
const RESCALE_ABOVE = 1e250;
const RESCALE_BY = 1e-250;

/** Counts state sweeps, so tests can bound the work per candidate without timing it. */
export interface EvaluationCounter {
  evaluations: number;
}

/**
 * Solves the queue for arrival rate `lambda` (requests per ms) and batch size `batchSize`.
 * Requires lambda > 0, T(n) > 0 for n >= 1 and lambda < mu(N) (the analyzer's rate range).
 */
export function solveQueue(
  service: ServiceTime,
  batchSize: number,
  lambda: number,
  counter?: EvaluationCounter,
): QueueSolution {
  if (counter) counter.evaluations++;
  const { base, perRequest } = service;
  const queueStates = QUEUE_TO_BATCH_RATIO * batchSize;

  // States 0..N: sum of weights, sum of n·weight (in system and in service coincide here).
  let weight = 1;
  let sumWeights = 1;
  let sumNWeights = 0;
  for (let n = 1; n <= batchSize; n++) {
    weight *= lambda * (base / n + perRequest);
    sumWeights += weight;
    sumNWeights += n * weight;
    if (weight > RESCALE_ABOVE) {
      weight *= RESCALE_BY;
      sumWeights *= RESCALE_BY;
      sumNWeights *= RESCALE_BY;
    }
  }

  // States N+1..N+Q: w(N)·r^j for j = 1..Q.
  const ratio = lambda * (base / batchSize + perRequest);
  const { sum, sumJ, last } = geometricTail(ratio, queueStates);
  const total = sumWeights + weight * sum;
  const inService = sumNWeights + batchSize * weight * sum;
  const inSystem = inService + weight * sumJ;
  const blockingProbability = (weight * last) / total;
  return {
    throughput: lambda * (1 - blockingProbability),
    avgNumInSystem: inSystem / total,
    avgNumInService: inService / total,
    blockingProbability,
  };
}

/** Sums over j = 1..m of r^j and of j·r^j, and r^m. */
function geometricTail(r: number, m: number): { sum: number; sumJ: number; last: number } {
  if (m === 0) return { sum: 0, sumJ: 0, last: 1 };
  const gap = 1 - r;
  if (Math.abs(gap) < 1e-6) {
    // Closed forms lose precision next to r = 1: sum directly (rare, bounded by m).
    let sum = 0;
    let sumJ = 0;
    let power = 1;
    for (let j = 1; j <= m; j++) {
      power *= r;
      sum += power;
      sumJ += j * power;
    }
    return { sum, sumJ, last: power };
  }
  const last = Math.pow(r, m);
  return {
    sum: (r * (1 - last)) / gap,
    sumJ: (r * (1 - (m + 1) * last + m * last * r)) / (gap * gap),
    last,
  };
}
