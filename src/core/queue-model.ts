/**
 * The queueing model of one inference server replica: a birth-death (M/M/1/K) queue whose
 * service rate depends on the number of requests in the batch.
 *
 * States n = 0..K count the requests in the replica, K = N + Q (batch size N, queue Q = 10N).
 * With n in service a request takes T(n) = A + B·n ms, so the replica completes requests at
 * mu(n) = n / T(n) per ms; beyond N the rate stays mu(N). Arrivals come at lambda per ms.
 *
 * The stationary weights are w(n) = w(n-1)·lambda/mu(n). Beyond N they are geometric with
 * ratio r = lambda/mu(N), so the tail is summed in closed form; below N only the states that
 * carry weight are visited. No arrays, and nothing overflows whatever N or lambda.
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

/** Counts state sweeps, so tests can bound the work per candidate without timing it. */
export interface EvaluationCounter {
  evaluations: number;
}

/** States are summed until what is left is below this share of the total. */
const NEGLIGIBLE = 1e-17;

/**
 * Solves the queue for arrival rate `lambda` (requests per ms) and batch size `batchSize`.
 * Requires lambda > 0, T(n) > 0 for n >= 1 and lambda < mu(N) (the analyzer's rate range).
 *
 * The ratio w(n)/w(n-1) = lambda·(A/n + B) falls with n, so the weights rise to a mode and
 * fall on both sides of it, faster than geometrically. Summing outwards from the mode (weight
 * 1 there, so nothing overflows) stops as soon as the rest is provably negligible: the work is
 * the width of the distribution, not N.
 */
export function solveQueue(
  service: ServiceTime,
  batchSize: number,
  lambda: number,
  counter?: EvaluationCounter,
): QueueSolution {
  if (counter) counter.evaluations++;
  const queueStates = QUEUE_TO_BATCH_RATIO * batchSize;
  // w(n)/w(n-1) = lambda·(A/n + B) = a/n + b
  const a = lambda * service.base;
  const b = lambda * service.perRequest;
  // The tail beyond N is geometric with ratio r; bound its weight so the cut-offs account for it.
  const tailRatio = a / batchSize + b;
  const tailFactor = 1 + 1 / Math.max(1 - tailRatio, 1e-12);
  const cutoff = NEGLIGIBLE / ((1 + batchSize + queueStates) * tailFactor * tailFactor);

  // mode: the last n whose ratio is still >= 1
  const denominator = 1 - b;
  const mode = denominator <= 0 ? batchSize : Math.min(batchSize, Math.max(0, Math.floor(a / denominator)));

  // Past the mode the ratios fall, so the states left weigh less than weight·ratio/(1 - ratio):
  // the loops stop once that is below the cut-off (compared without dividing: this is the hot loop).
  let sumWeights = 1;
  let sumNWeights = mode;
  // upwards from the mode to N
  let weight = 1;
  let weightAtN = mode === batchSize ? 1 : 0;
  for (let n = mode + 1; n <= batchSize; n++) {
    const ratio = a / n + b;
    weight *= ratio;
    sumWeights += weight;
    sumNWeights += n * weight;
    if (n === batchSize) weightAtN = weight;
    else if (ratio < 1 && weight * ratio < cutoff * sumWeights * (1 - ratio)) break;
  }
  // downwards from the mode to 0: ratio w(n-1)/w(n)
  weight = 1;
  for (let n = mode; n >= 1; n--) {
    const ratio = n / (a + b * n);
    weight *= ratio;
    sumWeights += weight;
    sumNWeights += (n - 1) * weight;
    if (ratio < 1 && weight * ratio < cutoff * sumWeights * (1 - ratio)) break;
  }

  // States N+1..N+Q: w(N)·r^j for j = 1..Q.
  const { sum, sumJ, last } = geometricTail(tailRatio, queueStates);
  const total = sumWeights + weightAtN * sum;
  const inService = sumNWeights + batchSize * weightAtN * sum;
  const inSystem = inService + weightAtN * sumJ;
  const blockingProbability = (weightAtN * last) / total;
  return {
    throughput: lambda * (1 - blockingProbability),
    avgNumInSystem: inSystem / total,
    avgNumInService: inService / total,
    blockingProbability,
  };
}

/** Sums over j = 1..m of r^j and of j·r^j, and r^m. */
export function geometricTail(r: number, m: number): { sum: number; sumJ: number; last: number } {
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

/**
 * The same queue for any state-dependent service rate: `serviceRates[n - 1]` is the rate (requests
 * per ms) with n requests in service, n = 1..N, and beyond N it stays that of N. The queue holds
 * `queueStates` requests beyond the batch (0: a loss system, arrivals finding the batch full are
 * turned away). Any lambda > 0 is allowed: above the highest service rate the queue fills, arrivals
 * are turned away and the throughput saturates.
 *
 * Used where the service time is not A + B·n (solveQueue's fast path). O(N) per evaluation: the
 * weights are taken relative to the most likely state, so that none overflows, and the states
 * beyond N are summed in closed form, from whichever end is the heavier.
 */
export function solveBirthDeath(
  serviceRates: Float64Array,
  queueStates: number,
  lambda: number,
  counter?: EvaluationCounter,
): QueueSolution {
  if (counter) counter.evaluations++;
  const batchSize = serviceRates.length;
  // The most likely state in 0..N: a running weight relative to the best state so far.
  let mode = 0;
  let relative = 1;
  for (let n = 1; n <= batchSize; n++) {
    relative *= lambda / serviceRates[n - 1];
    if (relative >= 1) {
      mode = n;
      relative = 1;
    }
  }
  // Weights relative to the mode (none above 1): upwards to N, then downwards to 0. The states
  // below N are also summed apart: in a loss system state N is the full one, and the throughput
  // is taken from the others' weight, not from 1 minus the blocking probability (which rounds to
  // 0 in deep overload).
  let sumWeights = 1;
  let sumBelowN = mode < batchSize ? 1 : 0;
  let sumInService = mode;
  let weight = 1;
  for (let n = mode + 1; n <= batchSize; n++) {
    weight *= lambda / serviceRates[n - 1];
    sumWeights += weight;
    if (n < batchSize) sumBelowN += weight;
    sumInService += n * weight;
  }
  const weightAtN = weight;
  weight = 1;
  for (let n = mode; n >= 1; n--) {
    weight *= serviceRates[n - 1] / lambda;
    sumWeights += weight;
    sumBelowN += weight;
    sumInService += (n - 1) * weight;
  }

  // States N + j, j = 1..Q: weight w(N)·r^j.
  const ratio = lambda / serviceRates[batchSize - 1];
  let tailWeight: number;
  let tailQueued: number;
  let fullWeight: number;
  let notFullWeight: number;
  if (queueStates === 0) {
    tailWeight = 0;
    tailQueued = 0;
    fullWeight = weightAtN;
    notFullWeight = sumBelowN;
  } else if (ratio <= 1) {
    const { sum, sumJ, last } = geometricTail(ratio, queueStates);
    tailWeight = weightAtN * sum;
    tailQueued = weightAtN * sumJ;
    fullWeight = weightAtN * last;
    notFullWeight = sumWeights + weightAtN * (sum - last);
  } else {
    // Overloaded: the full queue is the most likely state. Sum from there, as w(K)·s^i with
    // s = 1/r, i = Q - j, rescaling the states up to N if w(K) would exceed 1.
    const logFull = Math.log(weightAtN) + queueStates * Math.log(ratio);
    fullWeight = 1;
    if (logFull > 0) {
      const scale = Math.exp(-logFull);
      sumWeights *= scale;
      sumInService *= scale;
    } else {
      fullWeight = Math.exp(logFull);
    }
    const { sum, sumJ } = geometricTail(1 / ratio, queueStates - 1);
    tailWeight = fullWeight * (1 + sum);
    tailQueued = fullWeight * (queueStates * (1 + sum) - sumJ);
    notFullWeight = sumWeights + fullWeight * sum;
  }
  const total = sumWeights + tailWeight;
  const inService = sumInService + batchSize * tailWeight;
  return {
    throughput: (lambda * notFullWeight) / total,
    avgNumInSystem: (inService + tailQueued) / total,
    avgNumInService: inService / total,
    blockingProbability: fullWeight / total,
  };
}
