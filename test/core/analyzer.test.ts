import { describe, expect, it } from 'vitest';
import { Infeasible, QueueAnalyzer, type Metrics, type PerfParameters, type RequestSize, type Result } from '../../src/core/index.js';

const GRANITE_ON_G2: PerfParameters = { alpha: 17.15, beta: 0.34, gamma: 170, delta: 0.017 };
const REQUEST: RequestSize = { inTokens: 128, outTokens: 1024 };

function analyzer(batchSize = 19, perf = GRANITE_ON_G2, request = REQUEST, counter?: { evaluations: number }): QueueAnalyzer {
  const created = QueueAnalyzer.create(batchSize, perf, request, counter);
  return feasible(created);
}

function feasible<T>(result: Result<T>): T {
  if (result instanceof Infeasible) throw new Error(result.reason);
  return result;
}

/** Metrics at a rate where the queue is stable. */
function stableAt(qa: QueueAnalyzer, requestsPerSecond: number): Metrics {
  const metrics = qa.metricsAtRate(requestsPerSecond);
  if (!Number.isFinite(metrics.ttft)) throw new Error(`unstable at ${requestsPerSecond} requests/s`);
  return metrics;
}

describe('QueueAnalyzer metrics', () => {
  it('ITL and TTFT grow with the arrival rate', () => {
    const qa = analyzer();
    let previous = qa.metricsAt(qa.minRate);
    for (let i = 1; i <= 50; i++) {
      const lambda = qa.minRate + ((qa.maxRate - qa.minRate) * i) / 50;
      const metrics = qa.metricsAt(lambda);
      expect(metrics.itl).toBeGreaterThanOrEqual(previous.itl);
      expect(metrics.ttft).toBeGreaterThanOrEqual(previous.ttft);
      expect(metrics.throughput).toBeGreaterThan(previous.throughput);
      previous = metrics;
    }
  });

  it('more replicas (less load on each) never raise ITL or TTFT', () => {
    const qa = analyzer();
    const totalRate = 1.5; // requests per second: 0.75 on each of 2 replicas, just below saturation
    let previous = stableAt(qa, totalRate / 2);
    for (let replicas = 3; replicas <= 20; replicas++) {
      const metrics = stableAt(qa, totalRate / replicas);
      expect(metrics.itl).toBeLessThanOrEqual(previous.itl);
      expect(metrics.ttft).toBeLessThanOrEqual(previous.ttft);
      previous = metrics;
    }
  });

  it('are taken at the rate asked, below the rate range searched when sizing too', () => {
    const qa = analyzer();
    const bottom = stableAt(qa, qa.minRate * 1000);
    const below = stableAt(qa, (qa.minRate * 1000) / 10);
    expect(below.throughput).toBeCloseTo((qa.minRate * 1000) / 10, 12);
    expect(below.itl).toBeLessThan(bottom.itl);
    expect(below.ttft).toBeLessThan(bottom.ttft);
  });

  it('are taken above the top of that range while the queue is stable; where arrivals saturate it, a full batch and no bound on the TTFT', () => {
    const qa = analyzer();
    const top = stableAt(qa, qa.maxRate * 1000);
    const above = stableAt(qa, (qa.maxRate + qa.saturationRate) * 500);
    expect(above.ttft).toBeGreaterThan(top.ttft);
    expect(Number.isFinite(above.ttft)).toBe(true);
    for (const rate of [qa.saturationRate * 1000, qa.saturationRate * 2000]) {
      expect(qa.metricsAtRate(rate)).toMatchObject({ ttft: Infinity, effectiveConcurrency: 19, itl: GRANITE_ON_G2.alpha + GRANITE_ON_G2.beta * 19, rho: 1 });
    }
  });

  it('where the service time does not grow with the batch (one output token, delta = 0), the concurrency is the average number in service', () => {
    const qa = analyzer(19, { ...GRANITE_ON_G2, delta: 0 }, { inTokens: 128, outTokens: 1 });
    const metrics = stableAt(qa, qa.maxRate * 500);
    expect(metrics.avgNumInService).toBeGreaterThan(1);
    expect(metrics.effectiveConcurrency).toBe(metrics.avgNumInService);
    expect(metrics.itl).toBe(GRANITE_ON_G2.alpha + GRANITE_ON_G2.beta * metrics.avgNumInService);
  });

  it('at light load a request sees the latencies of a batch of about one', () => {
    const qa = analyzer();
    const metrics = qa.metricsAt(qa.minRate);
    expect(metrics.avgWaitTime).toBeLessThan(1e-3);
    expect(metrics.itl).toBeCloseTo(GRANITE_ON_G2.alpha + GRANITE_ON_G2.beta * metrics.effectiveConcurrency, 9);
    expect(Math.abs(metrics.effectiveConcurrency - 1)).toBeLessThan(0.01);
  });
});

describe('QueueAnalyzer sizing', () => {
  it('finds the largest rate that meets each target', () => {
    const qa = analyzer();
    const sizing = feasible(qa.size({ ttft: 1000, itl: 21, tps: 0 }));
    const atTTFT = stableAt(qa, sizing.rateForTTFT);
    const atITL = stableAt(qa, sizing.rateForITL);
    expect(atTTFT.ttft).toBeCloseTo(1000, 5);
    expect(atITL.itl).toBeCloseTo(21, 7);
    expect(stableAt(qa, sizing.rateForITL * 1.001).itl).toBeGreaterThan(21);
    expect(sizing.metrics.itl).toBeLessThanOrEqual(21 * (1 + 1e-9));
    expect(sizing.metrics.ttft).toBeLessThanOrEqual(1000 * (1 + 1e-9));
  });

  it('a target no load can meet makes the candidate infeasible, saying why', () => {
    const ttft = analyzer().size({ ttft: 100, itl: 0, tps: 0 });
    expect(ttft).toBeInstanceOf(Infeasible);
    expect(ttft).toMatchObject({ reason: expect.stringMatching(/^TTFT target 100 ms is below 172\.\d+ ms/) });
    const itl = analyzer().size({ ttft: 0, itl: 17.4, tps: 0 });
    expect(itl).toBeInstanceOf(Infeasible);
    expect(itl).toMatchObject({ reason: expect.stringMatching(/^ITL target 17.4 ms is below 17\.49\d* ms/) });
  });

  it('a TPS target sizes at 90% of the saturation rate', () => {
    const qa = analyzer();
    const sizing = feasible(qa.size({ ttft: 0, itl: 0, tps: 5000 }));
    expect(sizing.rateForTPS).toBeCloseTo(qa.maxRate * 1000 * 0.9, 9);
  });

  describe('an ITL that does not change with the load (beta = 0, or batch size 1)', () => {
    const FLAT_20 = { ...GRANITE_ON_G2, alpha: 20, beta: 0 };
    const cases = [
      ['beta = 0', 19, FLAT_20, 20],
      ['batch size 1, beta = 0', 1, FLAT_20, 20],
      ['batch size 1', 1, GRANITE_ON_G2, GRANITE_ON_G2.alpha + GRANITE_ON_G2.beta],
    ] as const;

    it.each(cases)('%s: a target it meets, equality included, constrains nothing', (_, batchSize, perf, flat) => {
      for (const itl of [flat + 5, flat]) {
        const qa = analyzer(batchSize, perf);
        const sizing = qa.size({ ttft: 0, itl, tps: 0 });
        expect(sizing).toMatchObject({ rateForITL: qa.maxRate * 1000 });
        // sized by its other targets: here the TTFT
        const withTTFT = feasible(qa.size({ ttft: 2000, itl, tps: 0 }));
        expect(withTTFT.rateForITL).toBe(qa.maxRate * 1000);
        expect(withTTFT.metrics.ttft).toBeCloseTo(2000, 5);
      }
    });

    it.each(cases)('%s: a target it misses is infeasible, saying that no load meets it', (_, batchSize, perf, flat) => {
      const sizing = analyzer(batchSize, perf).size({ ttft: 0, itl: flat - 5, tps: 0 });
      expect(sizing).toBeInstanceOf(Infeasible);
      expect(sizing).toMatchObject({ reason: expect.stringMatching(/^ITL target [\d.]+ ms is below [\d.]+ ms, its value at every load/) });
    });
  });

  it('with beta = delta = 0, TTFT alone sizes a batch of one, with finite numbers', () => {
    const ttftOnly = feasible(analyzer(1, { ...GRANITE_ON_G2, beta: 0, delta: 0 }).size({ ttft: 2000, itl: 0, tps: 0 }));
    expect(Number.isFinite(ttftOnly.metrics.itl) && Number.isFinite(ttftOnly.metrics.ttft)).toBe(true);
    expect(ttftOnly.metrics.ttft).toBeLessThanOrEqual(2000 * (1 + 1e-9));
  });

  it('refuses a request that takes no time at all', () => {
    const created = QueueAnalyzer.create(4, { alpha: 0, beta: 0, gamma: 0, delta: 0 }, REQUEST);
    expect(created).toEqual(new Infeasible(expect.stringMatching(/takes no time/)));
    const noWork = QueueAnalyzer.create(4, GRANITE_ON_G2, { inTokens: 0, outTokens: 1 });
    expect(noWork).toEqual(new Infeasible(expect.stringMatching(/takes no time/)));
  });

  it('searches an ITL target only where it can bind; asked for, its rate is that of the ITL alone', () => {
    const counter = { evaluations: 0 };
    const qa = analyzer(19, GRANITE_ON_G2, REQUEST, counter);
    const sizing = feasible(qa.size({ ttft: 1000, itl: 23, tps: 0 }));
    const sized = counter.evaluations;
    // the TTFT binds: at its rate the ITL is below its target
    expect(sizing.metrics.itl).toBeLessThan(23);
    const rateForITL = sizing.rateForITL;
    expect(counter.evaluations).toBeGreaterThan(sized);
    expect(rateForITL).toBeGreaterThan(sizing.rateForTTFT);
    expect(stableAt(qa, rateForITL).itl).toBeCloseTo(23, 6);
    expect(rateForITL).toBe(feasible(qa.size({ ttft: 0, itl: 23, tps: 0 })).rateForITL);
  });

  it('sizes with a bounded number of queue solutions', () => {
    for (const [ttft, itl] of [
      [1000, 21],
      [2000, 80],
      [4000, 0],
      [0, 30],
    ]) {
      const counter = { evaluations: 0 };
      const sizing = analyzer(19, GRANITE_ON_G2, REQUEST, counter).size({ ttft, itl, tps: 0 });
      expect(sizing).not.toBeInstanceOf(Infeasible);
      // the reference spends over 200 (two bisections of 100 steps plus the ends); regula falsi
      // on raw scales 18 to 21 here, on log scales 8 to 18
      expect(counter.evaluations).toBeLessThanOrEqual(18);
    }
  });
});
