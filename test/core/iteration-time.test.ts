import { describe, expect, it } from 'vitest';
import {
  batchSizeForChunks,
  decodeWork,
  IterationTimeAnalyzer,
  iterationShare,
  prefillChunks,
  prefillTime,
  prefillWork,
  serviceTime,
  solveBirthDeath,
  solveQueue,
  TOKENS_PER_ITERATION,
} from '../../src/core/index.js';
import { readOptimizerLightJson } from '../optimizer-light-fixtures.js';

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

function analyzer(...args: Parameters<typeof IterationTimeAnalyzer.create>): IterationTimeAnalyzer {
  const created = IterationTimeAnalyzer.create(...args);
  if (!(created instanceof IterationTimeAnalyzer)) throw new Error(created.reason);
  return created;
}

// queue-analysis v0.7.0's example problem
const QA = { alpha: 12, beta: 0.05, gamma: 0.0005 };
const QA_REQUEST = { inTokens: 128, outTokens: 512 };

describe('the service time of the iteration-time model, against values computed by hand', () => {
  it("a request's own work, its share of an iteration, and its service time", () => {
    // prefill: (beta + gamma·(c+1)/2)·L = (0.05 + 0.0005)·128
    expect(prefillWork(QA, QA_REQUEST, 1)).toBeCloseTo(6.464, 12);
    // two chunks read 1.5·L tokens of cache on average: (0.05 + 0.0005·1.5)·128
    expect(prefillWork(QA, QA_REQUEST, 2)).toBeCloseTo(6.496, 12);
    // decode: beta·K + gamma·K·(L + (K+1)/2) = 25.6 + 0.256·384.5
    expect(decodeWork(QA, QA_REQUEST)).toBeCloseTo(124.032, 12);
    // (6.464 + 124.032) / (1 + 512)
    expect(iterationShare(QA, QA_REQUEST, 1)).toBeCloseTo(130.496 / 513, 15);
    // (c + K)·(alpha + B·share) = 513·12 + B·130.496
    expect(serviceTime(QA, QA_REQUEST, 1, 1)).toBeCloseTo(6286.496, 9);
    expect(serviceTime(QA, QA_REQUEST, 48, 1)).toBeCloseTo(12419.808, 9);
    // a lone request waits for no one: one chunk of alpha plus its own prefill work
    expect(prefillTime(QA, QA_REQUEST, 1, 1)).toBeCloseTo(18.464, 12);
    // with 30 in the batch, each of its chunks waits for an iteration of the 29 others
    expect(prefillTime(QA, QA_REQUEST, 30, 1)).toBeCloseTo(12 + 29 * (130.496 / 513) + 6.464, 12);
  });

  it('the stable range: 0.1% above zero load, 0.1% below the service rate of a full batch', () => {
    const qa = analyzer(48, 128, QA, QA_REQUEST);
    expect(qa.maxRate * 1000).toBeCloseTo((48 / 12419.808) * 0.999 * 1000, 12);
    expect(qa.minRate * 1000).toBeCloseTo((1 / 6286.496) * 0.001 * 1000, 15);
  });

  it('prefill chunks: floor((c + K)·(8192 − L/c) / (L + K)) requests fit a batch whose prefills take c iterations', () => {
    expect(TOKENS_PER_ITERATION).toBe(8192);
    // (1 + 1024)·(8192 − 128)/1152 = 7175 exactly
    expect(batchSizeForChunks(1, { inTokens: 128, outTokens: 1024 })).toBe(7175);
    // L = 8000, K = 200: 201·192/8200 = 4.7, 202·4192/8200 = 103.3, 203·5525.3/8200 = 136.8, 204·6192/8200 = 154.0
    expect([1, 2, 3, 4].map((c) => batchSizeForChunks(c, { inTokens: 8000, outTokens: 200 }))).toEqual([4, 103, 136, 154]);
    const chunks = prefillChunks(140, { inTokens: 8000, outTokens: 200 }) as Int32Array;
    expect([1, 4, 5, 103, 104, 136, 137, 140].map((b) => chunks[b])).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    // decode only: everything fits in one iteration
    expect(prefillChunks(8192, { inTokens: 0, outTokens: 16 }) as Int32Array).toEqual(new Int32Array(8193).fill(1, 1));
  });

  it('prefill chunks of a long prompt: the search agrees with counting up one chunk at a time', () => {
    const linear = (batchSize: number, request: { inTokens: number; outTokens: number }) => {
      const chunks = [0];
      let c = 1;
      for (let b = 1; b <= batchSize; b++) {
        while (batchSizeForChunks(c, request) < b) c++;
        chunks.push(c);
      }
      return chunks;
    };
    // 100,000 input tokens need more than 12 iterations before one request fits at all: 24
    expect(Array.from(prefillChunks(3, { inTokens: 100_000, outTokens: 1 }) as Int32Array)).toEqual(linear(3, { inTokens: 100_000, outTokens: 1 }));
    expect((prefillChunks(1, { inTokens: 100_000, outTokens: 1 }) as Int32Array)[1]).toBe(24);
    for (const request of [
      { inTokens: 2048, outTokens: 16 },
      { inTokens: 30_000, outTokens: 300 },
      { inTokens: 8191, outTokens: 1 },
    ]) {
      expect(Array.from(prefillChunks(600, request) as Int32Array)).toEqual(linear(600, request));
    }
  });

  it('a prompt no iteration budget can take is refused with a reason, not a hang', () => {
    expect(prefillChunks(1, { inTokens: Number.MAX_SAFE_INTEGER, outTokens: 1 })).toEqual({ reason: expect.stringMatching(/would take more than 16777216 iterations/) });
  });
});

describe('the shared queue with any state-dependent service rate', () => {
  it('agrees with the fast path where the service time is A + B·n', () => {
    const service = { base: 6156, perRequest: 130.496 };
    const rates = Float64Array.from({ length: 48 }, (_, i) => (i + 1) / (service.base + service.perRequest * (i + 1)));
    for (const lambda of [1e-6, 1e-3, 3e-3, 3.8e-3]) {
      const fast = solveQueue(service, 48, lambda);
      const general = solveBirthDeath(rates, 480, lambda);
      for (const key of ['throughput', 'avgNumInSystem', 'avgNumInService'] as const) {
        expect(relative(general[key], fast[key]), `${key} at ${lambda}`).toBeLessThan(1e-12);
      }
    }
  });

  it('a loss system (no queue) is Erlang B where each request is served alone at a fixed rate', () => {
    // mu(n) = n·mu: M/M/N/N; blocking = (a^N/N!) / sum_k a^k/k!
    const mu = 0.5;
    const rates = Float64Array.from({ length: 5 }, (_, i) => (i + 1) * mu);
    const lambda = 3;
    const a = lambda / mu;
    let term = 1;
    let sum = 1;
    for (let k = 1; k <= 5; k++) sum += term *= a / k;
    const erlangB = term / sum;
    const solution = solveBirthDeath(rates, 0, lambda);
    expect(relative(solution.blockingProbability, erlangB)).toBeLessThan(1e-13);
    expect(relative(solution.throughput, lambda * (1 - erlangB))).toBeLessThan(1e-13);
    // every admitted request is in service: Little's law with service time 1/mu
    expect(relative(solution.avgNumInService, (lambda * (1 - erlangB)) / mu)).toBeLessThan(1e-13);
    expect(solution.avgNumInSystem).toBeCloseTo(solution.avgNumInService, 13);
  });

  it('overload: the queue fills, arrivals are turned away, throughput saturates at the service rate of a full batch', () => {
    const rates = Float64Array.from({ length: 8 }, (_, i) => (i + 1) / (100 + 10 * (i + 1)));
    const full = rates[7];
    for (const [queue, factor] of [[0, 10], [1, 1e6], [1000, 1.5], [1 << 20, 2], [1 << 20, 1e30], [3, 1e300]]) {
      const solution = solveBirthDeath(rates, queue, full * factor);
      expect(Number.isFinite(solution.throughput) && solution.throughput > 0, `${queue}, ${factor}`).toBe(true);
      expect(solution.throughput).toBeLessThanOrEqual(full * (1 + 1e-12));
      expect(Number.isFinite(solution.avgNumInSystem)).toBe(true);
      expect(solution.avgNumInService).toBeLessThanOrEqual(8 + 1e-9);
      if (factor >= 10) expect(relative(solution.throughput, full)).toBeLessThan(0.2);
    }
    // a long queue far above saturation is almost always full
    const deep = solveBirthDeath(rates, 1000, full * 1.5);
    expect(relative(deep.avgNumInSystem, 1008)).toBeLessThan(0.01);
    expect(relative(deep.throughput, full)).toBeLessThan(1e-12);
  });
});

describe("queue-analysis v0.7.0's example problem (its /solve and /target answers)", () => {
  const problem = readOptimizerLightJson('qa-example/problem-data.json') as Record<string, number>;
  const expected = readOptimizerLightJson('qa-example/expected.json') as Record<'solve' | 'target', Record<string, number>>;
  const qa = analyzer(
    problem.maxBatchSize,
    problem.maxQueueSize,
    { alpha: problem.alpha, beta: problem.beta, gamma: problem.gamma },
    { inTokens: problem.AvgInputTokens, outTokens: problem.AvgOutputTokens },
  );
  /** The reference takes the wait as the difference of two float32 numbers near 10^4 ms: 2 ulps there. */
  const WAIT_ULPS = 0.002;

  function expectMetrics(rate: number, reference: Record<string, number>): void {
    const ours = qa.metricsAtRate(rate);
    expect(relative(ours.offeredRate, reference.offeredRPS)).toBeLessThan(1e-6);
    expect(relative(ours.throughput, reference.throughput)).toBeLessThan(1e-6);
    expect(relative(ours.avgRespTime, reference.avgRespTime)).toBeLessThan(1e-6);
    expect(relative(ours.avgNumInService, reference.avgNumInServ)).toBeLessThan(1e-6);
    expect(relative(ours.itl, reference.avgITL)).toBeLessThan(1e-6);
    expect(Math.abs(ours.avgWaitTime - reference.avgWaitTime)).toBeLessThan(WAIT_ULPS);
    expect(Math.abs(ours.ttft - reference.avgTTFT)).toBeLessThan(WAIT_ULPS);
    expect(relative(qa.maxRate * 1000, reference.maxRPS)).toBeLessThan(1e-6);
  }

  it('solve: the metrics at 3 requests per second', () => {
    expectMetrics(problem.RPS, expected.solve);
  });

  it('target: the largest rates meeting the TTFT and ITL targets, and the metrics at the smaller', () => {
    const sizing = qa.size({ ttft: problem.targetTTFT, itl: problem.targetITL, tps: 0 });
    if (!sizing.feasible) throw new Error(sizing.reason);
    // the reference bisects in float32 to within 1e-6 of the target
    expect(relative(sizing.rateForTTFT, expected.target.RPSTargetTTFT)).toBeLessThan(2e-6);
    expect(relative(sizing.rateForITL, expected.target.RPSTargetITL)).toBeLessThan(2e-6);
    expect(sizing.metrics.ttft).toBeCloseTo(problem.targetTTFT, 6);
    expectMetrics(expected.target.offeredRPS, expected.target);
  });
});

describe('the iteration-time analyzer', () => {
  it('a loss system of batch size 1 has no wait: TTFT = prefill + ITL, ITL = (service time − prefill)/K', () => {
    const one = analyzer(1, 0, QA, QA_REQUEST);
    const metrics = one.metricsAtRate(0.05);
    // M/M/1/1: blocking = rho / (1 + rho); the batch holds a request rho / (1 + rho) of the time
    const rho = (0.05 / 1000) * 6286.496;
    const occupancy = rho / (1 + rho);
    expect(metrics.blockingProbability).toBeCloseTo(occupancy, 12);
    expect(metrics.avgNumInService).toBeCloseTo(occupancy, 12);
    expect(metrics.avgWaitTime).toBe(0);
    // mean field: the prefill waits for an iteration of the (occupancy - 1) others, none below 0
    const prefill = Math.max(12 + (occupancy - 1) * (130.496 / 513), 0) + 6.464;
    expect(metrics.prefillTime).toBeCloseTo(prefill, 9);
    expect(metrics.itl).toBeCloseTo((6286.496 - prefill) / 512, 9);
    expect(metrics.ttft).toBeCloseTo(prefill + (6286.496 - prefill) / 512, 9);
  });

  it('a metric that does not change with the load is met or missed at every rate alike', () => {
    // alpha only: an iteration takes 12 ms whatever it holds, so ITL = 12 ms and, without a
    // queue, TTFT = (1 chunk + 1 token)·12 ms at any rate
    const alphaOnly = analyzer(38, 0, { alpha: 12, beta: 0, gamma: 0 }, QA_REQUEST);
    for (const rate of [0.001, 1, 1.5]) {
      expect(alphaOnly.metricsAtRate(rate).itl).toBeCloseTo(12, 9);
      expect(alphaOnly.metricsAtRate(rate).ttft).toBeCloseTo(24, 9);
    }
    // met (equality included): it constrains nothing
    for (const targets of [{ ttft: 24, itl: 12, tps: 0 }, { ttft: 100, itl: 40, tps: 0 }]) {
      expect(alphaOnly.size(targets)).toMatchObject({ feasible: true, rateForITL: alphaOnly.maxRate * 1000, rateForTTFT: alphaOnly.maxRate * 1000 });
    }
    // missed: no rate meets it
    expect(alphaOnly.size({ ttft: 0, itl: 11.9, tps: 0 })).toEqual({ feasible: false, reason: 'ITL target 11.9 ms is below 12 ms, its value at every load (it does not change with the load)' });
    expect(alphaOnly.size({ ttft: 23, itl: 0, tps: 0 })).toEqual({ feasible: false, reason: 'TTFT target 23 ms is below 24 ms, its value at every load (it does not change with the load)' });
  });

  it('a queue beyond the batch adds waiting: the same rate gives a longer TTFT and turns fewer away', () => {
    const loss = analyzer(48, 0, QA, QA_REQUEST).metricsAtRate(3.5);
    const queued = analyzer(48, 128, QA, QA_REQUEST).metricsAtRate(3.5);
    expect(loss.avgWaitTime).toBe(0);
    expect(queued.avgWaitTime).toBeGreaterThan(0);
    expect(queued.ttft).toBeGreaterThan(loss.ttft);
    expect(queued.blockingProbability).toBeLessThan(loss.blockingProbability);
    expect(loss.throughput).toBeLessThan(3.5);
  });

  it('analyzes above the stable range: throughput saturates, the excess is turned away, every number is finite', () => {
    const qa = analyzer(48, 128, QA, QA_REQUEST);
    const max = qa.maxRate * 1000;
    const over = qa.metricsAtRate(10 * max);
    expect(over.offeredRate).toBeCloseTo(10 * max, 9);
    expect(over.throughput).toBeLessThanOrEqual((max / 0.999) * (1 + 1e-12));
    expect(over.blockingProbability).toBeGreaterThan(0.85);
    for (const value of Object.values(over)) expect(Number.isFinite(value)).toBe(true);
    expect(over.ttft).toBeGreaterThan(qa.metricsAtRate(max).ttft);
  });
});
